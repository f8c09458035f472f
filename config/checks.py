from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def emails_are_sent(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Without EMAIL_HOST every email is printed to the worker's console, and with it each guest's
    order link and each password reset link: fine for trying the shop, not for selling."""
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if backend.endswith("console.EmailBackend"):
        return [
            Warning(
                "EMAIL_HOST is not set: emails are printed to the worker's log instead of being sent, "
                "order links and password reset links with them.",
                hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to the shop's SMTP server.",
                id="config.W001",
            )
        ]
    return []
