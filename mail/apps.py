from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "Email"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # anymail's tracking and inbound signals -> mail.events (signature checked by the
        # webhook views before a signal fires).
        from mail import webhooks  # noqa: F401
