from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from myapp.guestbook.forms import EntryForm
from myapp.guestbook.models import Entry

RECENT_ENTRIES = 20


def home(request: HttpRequest) -> HttpResponse:
    """The guestbook: recent entries and a form that signs it (POST, then redirect)."""
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("home")
    entries = Entry.objects.all()[:RECENT_ENTRIES]
    return render(request, "guestbook/home.html", {"form": form, "entries": entries})
