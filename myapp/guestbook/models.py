from django.db import models


class Entry(models.Model):
    """One signed line in the guestbook."""

    name = models.CharField(max_length=80)
    message = models.TextField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.name}: {self.message[:40]}"
