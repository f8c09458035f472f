from django import template
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils import translation

from config.languages import other_languages, path_in_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> list[dict[str, str]]:
    """This page in every language, for <link rel="alternate" hreflang>: code, absolute URL."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return []
    here = request.get_full_path()
    try:
        origin = request.build_absolute_uri("/").removesuffix("/")
    except DisallowedHost:
        origin = ""  # the 400 page for a host the shop does not answer to: no host to name
    return [{"code": code, "url": origin + path_in_language(here, code)} for code, _ in settings.LANGUAGES]


@register.simple_tag(takes_context=True)
def language_choices(context: template.Context) -> list[dict[str, str]]:
    """The footer's switcher: every other language with its own name and this page in it."""
    request: HttpRequest | None = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    current = translation.get_language()
    return [
        {
            "code": code,
            "name": name,
            "url": path_in_language(here, code),
            # For static/js/storefront.js, which keeps `next` in step with the URL htmx pushes.
            "prefix": path_in_language("/", code).removesuffix("/"),
            "current_prefix": path_in_language("/", current).removesuffix("/"),
        }
        for code, name in other_languages(current)
    ]
