from django.contrib import admin

from myapp.guestbook.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["name", "message", "created_at"]
    search_fields = ["name", "message"]
