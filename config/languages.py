"""The same page in another language: English addresses carry no prefix, the others /<code>/.

The shop's paths are not translated, so moving a page to another language is a matter of its
prefix alone: `/de/products/?q=tea` is `/products/?q=tea` in English. The language switcher, the
hreflang alternates and the first-visit redirect (config.middleware.LocaleMiddleware) use this."""

from django.conf import settings
from django.utils import translation


def path_in_language(full_path: str, language: str) -> str:
    """`full_path` (path and query string of a page in any language) as the page in `language`."""
    current = translation.get_language_from_path(full_path)
    if current:
        full_path = full_path[len(current) + 1 :] or "/"
    if language == settings.LANGUAGE_CODE:
        return full_path
    return f"/{language}{full_path}"


def other_languages(current: str) -> list[tuple[str, str]]:
    """The languages besides `current`, as (code, name in that language)."""
    return [(code, name) for code, name in settings.LANGUAGES if code != current]
