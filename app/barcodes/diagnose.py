"""What a "test your scanner" scan delivered, compared with what the test label carries.

A USB scanner is a keyboard: it turns each character into key presses for the keyboard
country it is set to, and the computer turns the keys back into characters with its own
layout. When the two disagree, ``-`` arrives as ``+`` and ``Z`` as ``Y``; Caps Lock flips
the case of every letter; a scanner that sends no Enter leaves Hylla waiting; one that
drops the GS1 group separator (ASCII 29) glues a lot number to the expiry date. This
module recognises those faults from the keys that arrived and says what to change. It
knows nothing of Qt: the window records the keys as :class:`Keystroke` values.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.barcodes.symbology import split_symbology
from app.i18n import _

GS = "\x1d"
ENTER = "\r"
TAB = "\t"

#: The Code 128 symbol of the test label: a dash, a slash, both cases, and Z and Y
#: (swapped between German and most other keyboards) so that every common fault shows.
TEST_TEXT = "Scan-Test/Zy42"
#: The GS1-128 symbol of the test label, in two parts with a group separator between:
#: GTIN (01), lot (10, variable length, so a separator must follow), expiry (17).
TEST_GS1_PARTS = ("010950600013435210Lot-7/b", "17301231")
TEST_GS1 = GS.join(TEST_GS1_PARTS)
#: How the GS1 symbol reads on paper.
TEST_GS1_PRINTED = "(01)09506000134352(10)Lot-7/b(17)301231"


class Suffix(enum.StrEnum):
    """The key a scanner sends after each code."""

    ENTER = "enter"
    TAB = "tab"
    NONE = "none"


@dataclass(frozen=True)
class ScannerSetup:
    """How this workstation's scanner is set up in Hylla.

    ``prefix`` is the name of a key the scanner sends before each code (empty: none);
    ``gs_substitute`` the text the scanner sends instead of the group separator (empty:
    it sends Ctrl+]); a burst with keys at most ``max_gap_ms`` apart and at least
    ``min_length`` characters long is a scan.
    """

    suffix: Suffix = Suffix.ENTER
    gs_substitute: str = ""
    max_gap_ms: int = 30
    min_length: int = 4
    prefix: str = ""


#: The limits the settings page offers for the thresholds.
MAX_GAP_RANGE = (5, 200)
MIN_LENGTH_RANGE = (1, 40)


def is_test_label(text: str) -> bool:
    """True when ``text`` is what a scan of the test label delivers (a scan of it outside
    the test is not an unknown barcode to link)."""
    _symbology, body = split_symbology(text)
    return body in (TEST_TEXT, TEST_GS1)


def substitute_problem(text: str) -> str | None:
    """Why ``text`` cannot stand for the group separator, or None if it can."""
    if not text:
        return None
    if text.strip() != text or any(c.isspace() for c in text):
        return _("The substitute for GS cannot contain spaces.")
    if all(c.isalnum() for c in text):
        return _(
            "The substitute for GS needs a sign such as ~ or <GS>: letters and digits alone "
            "occur in codes."
        )
    return None


@dataclass(frozen=True)
class Keystroke:
    """One key press as the scanner sent it.

    ``text`` is the character it typed: ``GS`` for Ctrl+], ``ENTER`` for Enter, ``TAB``
    for Tab, empty for a key that types nothing usable; ``name`` names such a key
    (``"Ctrl+¨"``, ``"F12"``); ``gap_ms`` is the time since the previous key press.
    """

    text: str
    gap_ms: float = 0.0
    name: str = ""


class Fault(enum.StrEnum):
    """What can be wrong with a scanner's set-up."""

    NOT_TEST_LABEL = "not-test-label"
    LAYOUT = "layout"
    CAPS_LOCK = "caps-lock"
    NO_SUFFIX = "no-suffix"
    WRONG_SUFFIX = "wrong-suffix"
    GS_DROPPED = "gs-dropped"
    GS_AS_KEY = "gs-as-key"
    GS_SUBSTITUTE = "gs-substitute"
    PREFIX_MISSING = "prefix-missing"
    TOO_SLOW = "too-slow"


@dataclass(frozen=True)
class Finding:
    """One fault and what to change, in words for the person at the scanner."""

    fault: Fault
    message: str


@dataclass(frozen=True)
class Diagnosis:
    """What arrived and what it means.

    ``shown`` is what arrived with invisible characters made visible; ``label`` says
    which symbol of the test label it was (``"text"``, ``"gs1"`` or None); ``ok`` is True
    when the scanner works as set up here; ``notes`` are facts that need no change
    (such as a symbology identifier the scanner adds).
    """

    shown: str
    label: str | None
    ok: bool
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()


_VISIBLE = {GS: "␝", ENTER: "⏎", "\n": "␊", TAB: "⇥", "\x1e": "␞", "\x04": "␄", " ": "␣"}


def visible(text: str) -> str:
    """``text`` with invisible characters drawn: ␝ for GS, ⏎ for Enter, ⇥ for Tab."""
    out = []
    for char in text:
        if char in _VISIBLE:
            out.append(_VISIBLE[char])
        elif ord(char) < 32:
            out.append(chr(0x2400 + ord(char)))
        elif ord(char) == 127:
            out.append("␡")
        else:
            out.append(char)
    return "".join(out)


# --- keyboard layouts -------------------------------------------------------------------
# Each layout: the characters of the four rows of keys without and with Shift, key by key
# in the same physical order on every layout (number row from the key left of 1; top row;
# home row with the key right of it; bottom row from the key left of Z). Only the first
# two levels: scanners type the test label's characters without AltGr everywhere.
_Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Layout:
    code: str
    rows: _Rows
    dead: str  # dead keys: they type nothing on their own

    def positions(self) -> dict[str, tuple[int, int, int]]:
        """Character -> (row, key, level); the first key that types it wins."""
        found: dict[str, tuple[int, int, int]] = {}
        for r, (lower, upper) in enumerate(self.rows):
            for level, chars in enumerate((lower, upper)):
                for k, char in enumerate(chars):
                    found.setdefault(char, (r, k, level))
        return found

    def char_at(self, row: int, key: int, level: int) -> str:
        char = self.rows[row][level][key]
        return "" if char in self.dead else char


_LAYOUTS: tuple[_Layout, ...] = (
    _Layout(
        "us",
        (
            ("`1234567890-=", "~!@#$%^&*()_+"),
            ("qwertyuiop[]", "QWERTYUIOP{}"),
            ("asdfghjkl;'\\", 'ASDFGHJKL:"|'),
            ("\\zxcvbnm,./", "|ZXCVBNM<>?"),
        ),
        "",
    ),
    _Layout(
        "uk",
        (
            ("`1234567890-=", '¬!"£$%^&*()_+'),
            ("qwertyuiop[]", "QWERTYUIOP{}"),
            ("asdfghjkl;'#", "ASDFGHJKL:@~"),
            ("\\zxcvbnm,./", "|ZXCVBNM<>?"),
        ),
        "",
    ),
    _Layout(
        "se",
        (
            ("§1234567890+´", '½!"#¤%&/()=?`'),
            ("qwertyuiopå¨", "QWERTYUIOPÅ^"),
            ("asdfghjklöä'", "ASDFGHJKLÖÄ*"),
            ("<zxcvbnm,.-", ">ZXCVBNM;:_"),
        ),
        "´`¨^",
    ),
    _Layout(
        "de",
        (
            ("^1234567890ß´", '°!"§$%&/()=?`'),
            ("qwertzuiopü+", "QWERTZUIOPÜ*"),
            ("asdfghjklöä#", "ASDFGHJKLÖÄ'"),
            ("<yxcvbnm,.-", ">YXCVBNM;:_"),
        ),
        "^´`",
    ),
    _Layout(
        "fr",
        (
            ("²&é\"'(-è_çà)=", "²1234567890°+"),
            ("azertyuiop^$", "AZERTYUIOP¨£"),
            ("qsdfghjklmù*", "QSDFGHJKLM%µ"),
            ("<wxcvbn,;:!", ">WXCVBN?./§"),
        ),
        "^¨",
    ),
)


def layout_name(code: str) -> str:
    """The keyboard country of a layout code, in words."""
    names = {
        "us": _("USA"),
        "uk": _("United Kingdom"),
        "se": _("Nordic (Swedish, Finnish, Norwegian, Danish)"),
        "de": _("German"),
        "fr": _("French"),
    }
    return names[code]


Transform = Callable[[str], str]


def _layout_transform(scanner: _Layout, system: _Layout) -> Transform:
    """What arrives when a scanner set to ``scanner`` types on a ``system`` layout."""
    where = scanner.positions()

    def transform(text: str) -> str:
        out = []
        for char in text:
            position = where.get(char)
            out.append(char if position is None else system.char_at(*position))
        return "".join(out)

    return transform


def _caps(text: str) -> str:
    # Caps Lock inverts the case a scanner asks for with Shift; other keys keep theirs.
    return "".join(c.swapcase() if c.isalpha() else c for c in text)


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class _Reading:
    """One explanation of what arrived: which faults turn the label into it."""

    label: str
    layouts: tuple[str, str] | None  # (scanner, system)
    caps: bool
    separator: str | None  # what came instead of GS (GS itself when fine); None: text label


def _transforms() -> Iterable[tuple[tuple[str, str] | None, bool, Transform]]:
    yield None, False, _identity
    yield None, True, _caps
    for scanner in _LAYOUTS:
        for system in _LAYOUTS:
            if scanner is system:
                continue
            layout = _layout_transform(scanner, system)
            yield (scanner.code, system.code), False, layout
            yield (scanner.code, system.code), True, _then_caps(layout)


def _then_caps(transform: Transform) -> Transform:
    def both(text: str) -> str:
        return _caps(transform(text))

    return both


def _readings(body: str) -> list[_Reading]:
    found: list[_Reading] = []
    first, second = TEST_GS1_PARTS
    for layouts, caps, transform in _transforms():
        if transform(TEST_TEXT) == body:
            found.append(_Reading("text", layouts, caps, None))
        head, tail = transform(first), transform(second)
        if (
            len(body) >= len(head) + len(tail)
            and body.startswith(head)
            and body.endswith(tail)
            and head != tail
        ):
            found.append(_Reading("gs1", layouts, caps, body[len(head) : len(body) - len(tail)]))
    return found


def _preferred(readings: Sequence[_Reading]) -> _Reading:
    # The simplest explanation wins: fewest faults, and a separator that arrived intact.
    def cost(reading: _Reading) -> tuple[int, int]:
        faults = int(reading.layouts is not None) + int(reading.caps)
        return faults, int(reading.separator not in (None, GS))

    return min(readings, key=cost)


# --- the diagnosis -----------------------------------------------------------------------
def diagnose(keys: Sequence[Keystroke], setup: ScannerSetup) -> Diagnosis:
    """Compare the keys a scan of the test label delivered with the label's content."""
    raw = "".join(k.text if k.text else f"[{k.name}]" for k in keys)
    shown = visible(raw)
    if not keys:
        return Diagnosis(
            shown,
            None,
            False,
            (Finding(Fault.NOT_TEST_LABEL, _("Nothing arrived. Scan the test label again.")),),
        )
    findings: list[Finding] = []
    notes: list[str] = []
    keys = list(keys)

    if setup.prefix:
        if keys[0].name == setup.prefix or keys[0].text == setup.prefix:
            keys = keys[1:]
        else:
            findings.append(
                Finding(
                    Fault.PREFIX_MISSING,
                    _(
                        "The scanner did not send the prefix key {key} before the code. "
                        "Set the scanner to send it, or clear “Prefix key” here."
                    ).format(key=setup.prefix),
                )
            )

    findings.extend(_suffix_findings(keys, setup))
    findings.extend(_timing_findings(keys, setup))
    while keys and keys[-1].text in (ENTER, TAB, "\n"):
        keys.pop()

    body = "".join(k.text for k in keys)
    if setup.gs_substitute:
        body = body.replace(setup.gs_substitute, GS)
    symbology, body = split_symbology(body)
    if symbology is not None:
        notes.append(
            _(
                "The scanner puts {identifier} ({name}) before each code; Hylla understands it."
            ).format(identifier=symbology.identifier, name=symbology.name)
        )

    readings = _readings(body)
    if not readings:
        findings.insert(
            0,
            Finding(
                Fault.NOT_TEST_LABEL,
                _(
                    "This is not what the test label carries ({text} or {gs1}). Print the "
                    "test label from this page and scan one of its two codes."
                ).format(text=TEST_TEXT, gs1=TEST_GS1_PRINTED),
            ),
        )
        return Diagnosis(shown, None, False, tuple(findings), tuple(notes))

    reading = _preferred(readings)
    layout_findings: list[Finding] = []
    if reading.layouts is not None:
        systems = sorted({r.layouts[1] for r in readings if r.layouts and r.caps == reading.caps})
        scanners = sorted({r.layouts[0] for r in readings if r.layouts and r.caps == reading.caps})
        layout_findings.append(_layout_finding(body, reading.label, scanners, systems))
    if reading.caps:
        layout_findings.append(
            Finding(
                Fault.CAPS_LOCK,
                _(
                    "Every letter arrived with its case flipped: Caps Lock is on. Turn Caps Lock "
                    "off (some scanners can also be set to ignore it)."
                ),
            )
        )
    findings[0:0] = layout_findings
    if reading.label == "gs1":
        findings.extend(_separator_findings(reading.separator or "", keys, setup))
    return Diagnosis(shown, reading.label, not findings, tuple(findings), tuple(notes))


def _layout_finding(body: str, label: str, scanners: list[str], systems: list[str]) -> Finding:
    expected = (TEST_TEXT if label == "text" else TEST_GS1).replace(GS, "")
    arrived = body.replace(GS, "")
    wrong: list[tuple[str, str]] = []
    if len(expected) == len(arrived):
        pairs = list(zip(expected, arrived, strict=True))
    else:
        # A dead key swallowed a character: line the rest up around it.
        matcher = difflib.SequenceMatcher(None, expected, arrived, autojunk=False)
        pairs = [
            (expected[i1:i2], arrived[j1:j2])
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
            if op != "equal"
        ]
    for want, got in pairs:
        if want.lower() != got.lower() and (want, got) not in wrong:
            wrong.append((want, got))
    examples = ", ".join(
        _("“{want}” as “{got}”").format(want=want, got=got)
        if got
        else _("“{want}” lost").format(want=want)
        for want, got in wrong[:3]
    )
    return Finding(
        Fault.LAYOUT,
        _(
            "Characters arrived wrong ({examples}): the scanner types for a {scanner} "
            "keyboard, but this computer uses a {system} layout. Set the scanner's keyboard "
            "country (keyboard language) to match this computer, with the set-up codes in its "
            "manual."
        ).format(
            examples=examples,
            scanner=_(" or ").join(layout_name(code) for code in scanners),
            system=_(" or ").join(layout_name(code) for code in systems),
        ),
    )


def _suffix_findings(keys: Sequence[Keystroke], setup: ScannerSetup) -> list[Finding]:
    last = keys[-1].text
    sent = Suffix.ENTER if last in (ENTER, "\n") else Suffix.TAB if last == TAB else Suffix.NONE
    if sent == setup.suffix:
        return []
    names = {Suffix.ENTER: _("Enter"), Suffix.TAB: _("Tab"), Suffix.NONE: _("nothing")}
    if sent == Suffix.NONE:
        return [
            Finding(
                Fault.NO_SUFFIX,
                _(
                    "Nothing ended the scan: the scanner sent no Enter or Tab after the code, "
                    "so Hylla cannot tell where a scan ends. Set the scanner to send Enter "
                    "after each code, or choose “None” as suffix here (a scan then ends after "
                    "a short pause)."
                ),
            )
        ]
    return [
        Finding(
            Fault.WRONG_SUFFIX,
            _(
                "The scanner ends each code with {sent}, but Hylla expects {expected}. Choose "
                "{sent} as suffix here, or set the scanner to send {expected}."
            ).format(sent=names[sent], expected=names[setup.suffix]),
        )
    ]


def _timing_findings(keys: Sequence[Keystroke], setup: ScannerSetup) -> list[Finding]:
    if setup.prefix or len(keys) < 2:
        return []  # with a prefix key, timing decides nothing
    slowest = max(k.gap_ms for k in keys[1:])
    if slowest <= setup.max_gap_ms:
        return []
    # Some room above the slowest gap seen, in steps of 10 ms.
    suggestion = min(MAX_GAP_RANGE[1], int(slowest * 1.5 + 9) // 10 * 10)
    return [
        Finding(
            Fault.TOO_SLOW,
            _(
                "The scanner sent keys up to {gap} ms apart, but Hylla takes a gap of more than "
                "{limit} ms for typing. Raise “Longest gap between keys” to {suggestion} ms."
            ).format(gap=round(slowest), limit=setup.max_gap_ms, suggestion=suggestion),
        )
    ]


def _separator_findings(
    separator: str, keys: Sequence[Keystroke], setup: ScannerSetup
) -> list[Finding]:
    if separator == GS:
        return []
    unusable = [k.name for k in keys if not k.text and k.name]
    if unusable:
        return [
            Finding(
                Fault.GS_AS_KEY,
                _(
                    "The scanner sent {key} for the GS1 group separator, which is not Ctrl+] on "
                    "this keyboard layout. Set the scanner's keyboard country to match this "
                    "computer, or set it to send a substitute such as ~ for GS and enter that "
                    "under “Substitute for GS”."
                ).format(key=unusable[0]),
            )
        ]
    if not separator:
        return [
            Finding(
                Fault.GS_DROPPED,
                _(
                    "The GS1 group separator after the lot number did not arrive, so the lot "
                    "would swallow the expiry date. Set the scanner to transmit GS (ASCII 29, "
                    "FNC1) as Ctrl+], or to send a substitute such as ~ and enter that under "
                    "“Substitute for GS”."
                ),
            )
        ]
    return [
        Finding(
            Fault.GS_SUBSTITUTE,
            _(
                "“{text}” arrived where the GS1 group separator belongs. Enter {text} under "
                "“Substitute for GS”."
            ).format(text=visible(separator)),
        )
    ]


# --- the printed test label --------------------------------------------------------------
def render_test_label() -> bytes:
    """A one-page PDF (A4) with the test label's two symbols: a Code 128 of
    :data:`TEST_TEXT` and a GS1-128 of :data:`TEST_GS1` (FNC1 first and after the lot).

    The bars are vector rectangles at 0.33 mm per module, which every office printer
    reproduces and every scanner reads from a hand's width away.
    """
    import io

    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    fnc1 = "\xf1"  # reportlab's Code 128 encoder emits FNC1 for this character
    buffer = io.BytesIO()
    width, height = 210 * mm, 297 * mm
    c = Canvas(buffer, pagesize=(width, height), invariant=True, pageCompression=1)
    c.setTitle(_("Scanner test label"))
    c.setCreator("Hylla")
    left = 25 * mm
    top = height - 30 * mm
    c.setFont("Helvetica-Bold", 18)
    c.drawString(left, top, _("Hylla: scanner test label"))
    c.setFont("Helvetica", 10.5)
    lines = (
        _("In Hylla, open Settings, press “Start test” and scan each code below."),
        _("Hylla shows what arrived and what to change in the scanner or in Hylla."),
    )
    for index, line in enumerate(lines):
        c.drawString(left, top - (9 + 5.5 * index) * mm, line)
    symbols = (
        (_("1. Code 128"), TEST_TEXT, TEST_TEXT),
        (
            _("2. GS1-128 with a group separator"),
            fnc1 + fnc1.join(TEST_GS1_PARTS),
            TEST_GS1_PRINTED,
        ),
    )
    y = top - 45 * mm
    for title, data, printed in symbols:
        c.setFont("Helvetica-Bold", 12)
        c.drawString(left, y, title)
        symbol = Code128(data, barWidth=0.33 * mm, barHeight=20 * mm, humanReadable=False)
        symbol.drawOn(c, left, y - 26 * mm)
        c.setFont("Courier", 11)
        c.drawString(left + 10 * 0.33 * mm, y - 31 * mm, printed)
        y -= 60 * mm
    c.showPage()
    c.save()
    return buffer.getvalue()
