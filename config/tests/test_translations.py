"""The check that keeps the shop translatable (docs/i18n.md#the-check), run by `make unit`:

1. every word a shopper can read in a template — text between tags, and the attributes that are
   shown or read out (aria-label, placeholder, title, alt, data-label, data-announce, a button's
   value) — is inside {% translate %} or {% blocktranslate %};
2. the German catalogue holds exactly the strings the code and templates mark today (a fresh
   `makemessages` into a copy of the project), each translated, none fuzzy, placeholders intact.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "partials"]
# Not shopper-facing, so English only: the fragment catalogue is a developer's page shown only with
# DEBUG on. catalog_link_attrs.html is a list of htmx attributes, included inside a tag.
NOT_CHECKED = {"fragments/catalogue.html", "fragments/sample.html", "storefront/includes/catalog_link_attrs.html"}
# Words that are the same in every language and may stand outside {% translate %}. Keep it short.
ALLOWED_WORDS = frozenset({"x"})  # "2 x Kettle" in the plain-text confirmation: a multiplication sign
VISIBLE_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "data-label", "data-announce")
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The one makemessages call (the Makefile's `messages` target runs the same).
MAKEMESSAGES_IGNORES = [".venv", "e2e", "bench", "*/node_modules/*", "staticfiles", "media"]

TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
ENTITY = re.compile(r"&#?\w+;")
WORD = re.compile(r"[^\W\d_]+")
ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def shopper_templates() -> list[tuple[str, Path]]:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and path.suffix in {".html", ".txt"} and name not in NOT_CHECKED:
                found.append((name, path))
    return found


def outside_translation(source: str) -> str:
    """The template with every tag, variable, comment and translated text replaced by a space."""
    kept, skip_until = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            command = token.contents.split()[0] if token.contents.split() else ""
            if skip_until:
                if command == skip_until:
                    skip_until = None
            elif command in ("blocktranslate", "blocktrans"):
                skip_until = "end" + command
            elif command == "comment":
                skip_until = "endcomment"
            kept.append(" ")
        elif token.token_type == TokenType.TEXT and not skip_until:
            kept.append(token.contents)
        else:
            kept.append(" ")
    return "".join(kept)


def untranslated_words(source: str) -> list[str]:
    """Words outside {% translate %}: in the text between tags, and in the visible attributes."""
    text = outside_translation(source)
    words = WORD.findall(ENTITY.sub(" ", TAG.sub(" ", text)))
    for tag in TAG.findall(text):
        if tag.startswith("<!--"):
            continue
        element = re.match(r"<\s*(\w+)", tag)
        element_name = element.group(1).lower() if element else ""
        for name, double, single in ATTRIBUTE.findall(tag):
            value = double or single
            shown = name.lower() in VISIBLE_ATTRIBUTES or name.lower().startswith("data-error-")
            if name.lower() == "value" and (element_name == "button" or re.search(r"type=.(submit|button|reset)", tag)):
                shown = True
            if shown:
                words += WORD.findall(value)
    return [word for word in words if word not in ALLOWED_WORDS]


@pytest.mark.parametrize(("name", "path"), shopper_templates(), ids=[name for name, _ in shopper_templates()])
def test_every_word_in_a_shopper_template_is_marked_for_translation(name, path):
    words = untranslated_words(path.read_text())
    assert not words, (
        f"{name} shows words that are not marked for translation: {' '.join(words)!r}. Put them inside "
        "{% translate %} or {% blocktranslate %} (docs/i18n.md), then update the catalogue."
    )


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ('<p>{% translate "Fine" %}</p><button>Buy</button>', ["Buy"]),
        ("{% blocktranslate %}Hello {{ name }}{% endblocktranslate %} there", ["there"]),
        ('<input placeholder="Search" type="search">', ["Search"]),
        ('<input type="submit" value="Send">', ["Send"]),
        ('<a href="/x" class="button" data-hx-get="/x">{% translate "Go" %}</a>', []),
        ("{# a comment #}{% comment %}Notes{% endcomment %}<p>{{ value }} &copy; € ×</p>", []),
    ],
)
def test_the_check_finds_words_outside_translation(source, words):
    assert untranslated_words(source) == words


# --- The catalogues --------------------------------------------------------------------------------


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def catalogue(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> dict[str, polib.POFile]:
    """`makemessages` run on a copy of the project today, so the real catalogues stay untouched."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: `make install` installs it (the gettext package).")
    copy = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po")
    for name in ("accounts", "cart", "config", "orders", "storefront", "templates", "partials"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")
    (copy / "locale").mkdir()
    ignores = [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
    command = [sys.executable, "manage.py", "makemessages", *[f"-l={code}" for code in LANGUAGES], *ignores]
    subprocess.run(command, cwd=copy, check=True, capture_output=True)
    return {code: polib.pofile(str(copy / "locale" / code / "LC_MESSAGES" / "django.po")) for code in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_exactly_the_strings_the_code_marks(language, fresh_catalogues):
    assert catalogue(language).exists(), f"locale/{language}/LC_MESSAGES/django.po is missing"
    committed = {_key(entry) for entry in polib.pofile(str(catalogue(language))) if not entry.obsolete}
    wanted = {_key(entry) for entry in fresh_catalogues[language]}
    advice = f"locale/{language} is out of date with the code: run `make messages`, translate, commit (docs/i18n.md)"
    new = [msgid for _, msgid, _ in sorted(wanted - committed)]
    gone = [msgid for _, msgid, _ in sorted(committed - wanted)]
    assert not new, f"{advice}. Marked in the code, missing here: {new}"
    assert not gone, f"{advice}. Here, no longer in the code: {gone}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    po = polib.pofile(str(catalogue(language)))
    assert not po.metadata_is_fuzzy, "the catalogue's header is marked fuzzy: msgfmt would ignore it"
    untranslated = [entry.msgid for entry in po.untranslated_entries() if not entry.obsolete]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries() if not entry.obsolete]
    assert not untranslated, f"untranslated in locale/{language}: {untranslated}"
    assert not fuzzy, f"fuzzy (check, then remove the flag) in locale/{language}: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_compiles_with_its_placeholders_intact(language, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("GNU gettext is missing: `make install` installs it (the gettext package).")
    checked = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(catalogue(language))],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
