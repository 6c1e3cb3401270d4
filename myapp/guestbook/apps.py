from django.apps import AppConfig


class GuestbookConfig(AppConfig):
    name = "myapp.guestbook"
    verbose_name = "Guestbook"
