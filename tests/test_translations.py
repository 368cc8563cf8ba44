"""The Swedish catalog: complete for the current source, faithful to each message's
placeholders, and what the program really shows when the language is Swedish.

The messages are extracted from the source at test time (as ``make translations-extract``
does), so a developer who adds a visible string without translating it gets a red test
that names the string and where it is.
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app import i18n
from app.i18n import _, ngettext
from app.services import users
from app.services.database import Database
from app.services.errors import FieldErrors
from app.services.items import ItemInput, save_item

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "sv"
PO_PATH = i18n.TRANSLATIONS_DIR / LANGUAGE / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
# The same keywords as the Makefile's `pybabel extract -k _ -k N_ -k ngettext:1,2`.
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "ngettext": (1, 2)}

MessageId = str | tuple[str, ...]


def _source_messages() -> dict[MessageId, list[str]]:
    """Every marked message in app/ and main.py, with the places it occurs."""
    found: dict[MessageId, list[str]] = {}

    def add(message: MessageId, where: str) -> None:
        found.setdefault(message, []).append(where)

    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT / "app", keywords=KEYWORDS
    ):
        add(message, f"app/{filename}:{lineno}")
    main = ROOT / "main.py"
    if main.exists():
        for lineno, message, _comments, _context in extract_from_file(
            "python", main, keywords=KEYWORDS
        ):
            add(message, f"main.py:{lineno}")
    return found


def _read_catalog() -> Catalog:
    with PO_PATH.open("rb") as handle:
        return read_po(handle, locale=LANGUAGE, domain=i18n.DOMAIN)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The Swedish .po as the translators left it."""
    return _read_catalog()


def _forms(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a plain message, one per form for a plural."""
    ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
    strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
    # Swedish form 0 is the singular, form 1 the plural.
    sources = [ids[0]] + [ids[-1]] * (len(strings) - 1)
    return list(zip(sources, strings, strict=True))


def _untranslated(message: Message | None, wanted: MessageId) -> str | None:
    """Why ``message`` is no usable translation of ``wanted``, or None if it is one."""
    if message is None:
        return "not in the catalog (run `make translations-extract`)"
    if message.fuzzy:
        return "marked fuzzy"
    if isinstance(wanted, tuple) and not isinstance(message.id, tuple):
        return "plural in the source but singular in the catalog"
    if isinstance(wanted, tuple) and message.id != wanted:
        return f"the catalog's plural is {message.id[1]!r}"
    if not all(text for _source, text in _forms(message)):
        return "no translation"
    return None


def _placeholders(text: str) -> set[str]:
    """The ``{name!conversion:spec}`` fields of a str.format template."""
    fields = set()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.add(
                f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            )
    return fields


def _edges(text: str) -> tuple[str, str]:
    """The leading and trailing whitespace of ``text``."""
    body = text.strip()
    return (text[: text.find(body)], text[text.find(body) + len(body) :]) if body else (text, "")


def test_every_message_in_the_source_has_a_swedish_translation(catalog: Catalog) -> None:
    source = _source_messages()
    assert len(source) > 100, "the extraction found almost nothing: check KEYWORDS and ROOT"
    problems = []
    for wanted, places in source.items():
        singular = wanted[0] if isinstance(wanted, tuple) else wanted
        reason = _untranslated(catalog.get(singular), wanted)
        if reason:
            problems.append(f"{wanted!r} ({', '.join(places)}): {reason}")
    assert not problems, (
        f"{len(problems)} message(s) have no Swedish translation in {PO_PATH.relative_to(ROOT)}"
        " (run `make translations-extract`, translate, remove `#, fuzzy`):\n  "
        + "\n  ".join(sorted(problems))
    )


def test_the_completeness_check_names_what_is_missing(catalog: Catalog) -> None:
    # The check above must be able to fail: a new, a fuzzy and a half-translated plural.
    assert _untranslated(catalog.get("A string nobody has translated"), "x") is not None
    fuzzy = Message("Save", "Spara", flags={"fuzzy"})
    assert _untranslated(fuzzy, "Save") == "marked fuzzy"
    half = Message(("{n} row", "{n} rows"), ("{n} rad", ""))
    assert _untranslated(half, ("{n} row", "{n} rows")) == "no translation"
    assert _untranslated(Message("{n} row", "{n} rad"), ("{n} row", "{n} rows")) is not None


def test_translations_keep_placeholders_whitespace_and_line_breaks(catalog: Catalog) -> None:
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        for source, text in _forms(message):
            if not text:
                continue  # reported by the completeness test
            try:
                wanted, got = _placeholders(source), _placeholders(text)
            except ValueError as exc:  # an unmatched { or } that .format() would reject
                problems.append(f"{source!r}: {text!r} is no valid template ({exc})")
                continue
            if wanted != got:
                problems.append(
                    f"{source!r}: placeholders {sorted(got)} instead of {sorted(wanted)}"
                )
            if _edges(source) != _edges(text):
                problems.append(f"{source!r}: leading/trailing whitespace differs in {text!r}")
            if source.count("\n") != text.count("\n"):
                problems.append(f"{source!r}: line breaks differ in {text!r}")
    assert not problems, "\n".join(problems)


def test_the_placeholder_check_catches_a_renamed_field() -> None:
    assert _placeholders("Only {available} {unit} of {sku}") == {"{available}", "{unit}", "{sku}"}
    assert _placeholders("Bara {tillgängligt} {unit} av {sku}") != _placeholders(
        "Only {available} {unit} of {sku}"
    )
    assert _placeholders("{qty:.2f} kr") == {"{qty:.2f}"}
    with pytest.raises(ValueError):
        _placeholders("Rad {row")


def test_the_catalog_declares_swedish_plural_forms(catalog: Catalog) -> None:
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") == "(n!=1)"


@pytest.fixture
def swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalog]:
    """The process in Swedish, from the .po as it is now; English again afterwards.

    The .po is compiled into a private folder, so the test checks the translations in
    the source tree even when the shipped .mo is stale (that is its own test below).
    """
    catalog = _read_catalog()
    folder = tmp_path / "translations"
    mo_path = folder / LANGUAGE / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    mo_path.parent.mkdir(parents=True)
    with mo_path.open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", folder)
    try:
        i18n.set_language(LANGUAGE)
        yield catalog
    finally:
        # Every other test expects English.
        i18n.set_language("en")


def _sv(catalog: Catalog, msgid: str) -> str:
    message = catalog.get(msgid)
    assert message is not None and message.string and message.string != msgid, msgid
    assert isinstance(message.string, str)
    return message.string


def _empty_name_errors(db: Database) -> dict[str, str]:
    user = db.run(users.workstation_user, "tester")
    with pytest.raises(FieldErrors) as caught:
        db.run(save_item, user.id, ItemInput(sku="HX-1001", name="  "))
    return caught.value.errors


def test_service_messages_and_labels_come_out_in_swedish_then_english_again(
    sqlite_db: Database, swedish: Catalog
) -> None:
    assert i18n.current_language() == "sv"
    assert _empty_name_errors(sqlite_db)["name"] == _sv(swedish, "Give the item a name.")
    assert _("Items") == _sv(swedish, "Items") == "Artiklar"
    assert _("Save") == "Spara"
    assert ngettext("{n} item", "{n} items", 1).format(n=1) == "1 artikel"
    assert ngettext("{n} item", "{n} items", 3).format(n=3) == "3 artiklar"

    i18n.set_language("en")
    assert _empty_name_errors(sqlite_db)["name"] == "Give the item a name."
    assert _("Items") == "Items"
    assert ngettext("{n} item", "{n} items", 3).format(n=3) == "3 items"


def test_the_compiled_catalog_is_where_the_program_looks_and_is_current(
    catalog: Catalog,
) -> None:
    # `make test` compiles the .po (make translations) before pytest; the window and the
    # command line read that .mo through gettext, never the .po.
    found = gettext.find(i18n.DOMAIN, i18n.TRANSLATIONS_DIR, [LANGUAGE])
    assert found is not None, (
        f"no compiled {i18n.DOMAIN}.mo for {LANGUAGE} under {i18n.TRANSLATIONS_DIR}: "
        "run `make translations`"
    )
    with open(found, "rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    stale = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        for form, (source, want) in enumerate(_forms(message)):
            if isinstance(message.id, str):
                got = shipped.gettext(source)
            else:
                got = shipped.ngettext(message.id[0], message.id[1], 1 if form == 0 else 2)
            if got != want:
                stale.append(repr(source))
    assert not stale, (
        f"{found} differs from the .po ({len(stale)} message(s), e.g. {stale[0]}): "
        "run `make translations`"
    )


def test_qt_has_its_own_swedish_strings_and_the_app_installs_them(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
    from PySide6.QtWidgets import QApplication

    from app.ui import app as ui_app

    assert isinstance(qapp, QApplication)
    before = set(qapp.findChildren(QTranslator))
    default_locale = QLocale()
    style_sheet = qapp.styleSheet()
    monkeypatch.setattr(ui_app, "current_language", lambda: LANGUAGE)
    try:
        ui_app.configure_application(qapp)
        # The Cancel button of Qt's standard dialogs (QMessageBox, QFileDialog…).
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Avbryt"
    finally:
        # Through the app's own function, so its list of installed catalogs forgets
        # them too (a deleted one left in it broke a later test's language change).
        ui_app.install_qt_translations(qapp, "en")
        for translator in set(qapp.findChildren(QTranslator)) - before:
            translator.deleteLater()
        QLocale.setDefault(default_locale)
        qapp.setStyleSheet(style_sheet)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
