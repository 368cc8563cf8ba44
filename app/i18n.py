"""The one translation catalog of Hylla, usable from every layer (no Qt).

Strings are marked with ``_()`` (translated now) or ``N_()`` (marked for
extraction, translated later where shown). Catalogs are gettext ``.po`` files in
``resources/translations/<lang>/LC_MESSAGES/hylla.po`` compiled to ``.mo`` by the
Makefile with babel. English is the source language, so a missing catalog still
gives readable English text.
"""

from __future__ import annotations

import gettext
import locale
import os
import threading
from decimal import Decimal
from pathlib import Path

DOMAIN = "hylla"
LANGUAGES = ("sv", "en")
DECIMAL_MARKS = {"sv": ",", "en": "."}
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"

_lock = threading.Lock()
_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def system_language() -> str:
    """The language of the user's locale if Hylla ships it, else English."""
    for variable in ("HYLLA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGUAGES else "en"
    code = (locale.getlocale()[0] or "en").split("_")[0].lower()
    return code if code in LANGUAGES else "en"


def set_language(language: str) -> None:
    """Switch the catalog for the whole process ("sv" or "en")."""
    global _current, _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    translations = gettext.translation(
        DOMAIN, localedir=TRANSLATIONS_DIR, languages=[language], fallback=True
    )
    with _lock:
        _current = translations
        _language = language


def current_language() -> str:
    """The language now in use."""
    return _language


def locale_name() -> str:
    """A babel locale identifier for the current language."""
    return {"sv": "sv_SE", "en": "en_GB"}[_language]


def format_number(value: Decimal | int) -> str:
    """A quantity for a message in the current language: every significant decimal, no
    exponent, no digit grouping, and the language's decimal mark (``2.5``, ``2,5``).

    Without grouping a number reads the same whatever the language, and a figure copied
    from a message into an input field reads back exactly."""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", DECIMAL_MARKS[_language])


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form chosen by ``n``."""
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message


set_language(system_language())
