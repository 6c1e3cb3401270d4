from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself as an app: its templates (error pages) and its system checks."""

    name = "myapp"
    verbose_name = "myapp"

    def ready(self) -> None:
        import myapp.checks  # noqa: F401 - registers the checks
