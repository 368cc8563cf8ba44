"""The scanner test: each usual fault is recognised from the keys that arrived, and the
advice names what to change."""

from __future__ import annotations

import pytest

from app.barcodes.diagnose import (
    GS,
    TEST_GS1,
    TEST_GS1_PARTS,
    TEST_TEXT,
    Fault,
    Keystroke,
    ScannerSetup,
    Suffix,
    diagnose,
    is_test_label,
    render_test_label,
    substitute_problem,
    visible,
)

DEFAULT = ScannerSetup()


def keys(text: str, gap: float = 3.0) -> list[Keystroke]:
    """Keys as a scanner sends them: one per character, ``gap`` ms apart."""
    return [Keystroke(char, gap if index else 0.0) for index, char in enumerate(text)]


def faults(text: str, setup: ScannerSetup = DEFAULT) -> list[Fault]:
    return [finding.fault for finding in diagnose(keys(text), setup).findings]


def test_a_good_scan_of_each_symbol_is_ok() -> None:
    text = diagnose(keys(TEST_TEXT + "\r"), DEFAULT)
    assert (text.ok, text.label, text.findings) == (True, "text", ())
    assert text.shown == "Scan-Test/Zy42⏎"
    gs1 = diagnose(keys(TEST_GS1 + "\r"), DEFAULT)
    assert (gs1.ok, gs1.label) == (True, "gs1")
    assert gs1.shown == "010950600013435210Lot-7/b␝17301231⏎"


def test_invisible_characters_are_drawn() -> None:
    assert visible(f"a{GS}b\r\t\n \x04\x7f") == "a␝b⏎⇥␊␣␄␡"
    assert visible("\x01") == "␁"


def test_us_scanner_on_a_swedish_layout() -> None:
    # A US scanner presses the US keys for "-" and "/"; Swedish layout reads "+" and "-".
    result = diagnose(keys("Scan+Test-Zy42\r"), DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.LAYOUT]
    message = result.findings[0].message
    assert "“-” as “+”" in message and "“/” as “-”" in message
    assert "USA" in message and "Nordic" in message
    assert "keyboard country" in message


def test_swedish_scanner_on_a_us_layout() -> None:
    result = diagnose(keys("Scan/Test&Zy42\r"), DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.LAYOUT]
    assert "“/” as “&”" in result.findings[0].message


def test_us_scanner_on_a_german_layout_swaps_z_and_y() -> None:
    result = diagnose(keys("ScanßTest-Yz42\r"), DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.LAYOUT]
    message = result.findings[0].message
    assert "“Z” as “Y”" in message and "German" in message


def test_us_scanner_on_a_french_layout() -> None:
    # AZERTY: a and q, z and w swap; digits need Shift there.
    assert faults("Scqn)Test!Wy'é\r") == [Fault.LAYOUT]


def test_caps_lock_flips_every_letter() -> None:
    result = diagnose(keys("sCAN-tEST/zY42\r"), DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.CAPS_LOCK]
    assert "Caps Lock" in result.findings[0].message


def test_layout_and_caps_lock_together() -> None:
    assert faults("sCAN+tEST-zY42\r") == [Fault.LAYOUT, Fault.CAPS_LOCK]


def test_no_suffix() -> None:
    result = diagnose(keys(TEST_TEXT), DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.NO_SUFFIX]
    assert "Enter" in result.findings[0].message
    # With "none" as suffix, a scan without one is right.
    assert diagnose(keys(TEST_TEXT), ScannerSetup(suffix=Suffix.NONE)).ok


def test_tab_instead_of_enter_and_enter_instead_of_tab() -> None:
    result = diagnose(keys(TEST_TEXT + "\t"), DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.WRONG_SUFFIX]
    assert "ends each code with Tab" in result.findings[0].message
    assert faults(TEST_TEXT + "\r", ScannerSetup(suffix=Suffix.TAB)) == [Fault.WRONG_SUFFIX]
    assert diagnose(keys(TEST_TEXT + "\t"), ScannerSetup(suffix=Suffix.TAB)).ok


def test_group_separator_dropped() -> None:
    result = diagnose(keys(TEST_GS1.replace(GS, "") + "\r"), DEFAULT)
    assert (result.label, [f.fault for f in result.findings]) == ("gs1", [Fault.GS_DROPPED])
    assert "Ctrl+]" in result.findings[0].message


def test_group_separator_as_an_unconfigured_substitute() -> None:
    result = diagnose(keys(TEST_GS1.replace(GS, "~") + "\r"), DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.GS_SUBSTITUTE]
    assert "Enter ~ under “Substitute for GS”" in result.findings[0].message
    # Once configured, the substitute is the group separator.
    assert diagnose(keys(TEST_GS1.replace(GS, "~") + "\r"), ScannerSetup(gs_substitute="~")).ok
    assert diagnose(
        keys(TEST_GS1.replace(GS, "<GS>") + "\r"), ScannerSetup(gs_substitute="<GS>")
    ).ok


def test_group_separator_as_a_key_that_types_nothing() -> None:
    # A US scanner's Ctrl+] on a Swedish layout is Ctrl+¨ (the key right of Å).
    first, second = TEST_GS1_PARTS
    sent = [*keys(first), Keystroke("", 3.0, "Ctrl+¨"), *keys(second + "\r")]
    result = diagnose(sent, DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.GS_AS_KEY]
    assert "Ctrl+¨" in result.findings[0].message
    assert "[Ctrl+¨]" in result.shown


def test_a_slow_scanner_gets_a_larger_gap_suggested() -> None:
    sent = keys(TEST_TEXT + "\r")
    sent[5] = Keystroke(sent[5].text, 45.0)
    result = diagnose(sent, DEFAULT)
    assert [f.fault for f in result.findings] == [Fault.TOO_SLOW]
    assert "45 ms" in result.findings[0].message and "70 ms" in result.findings[0].message
    assert diagnose(sent, ScannerSetup(max_gap_ms=70)).ok


def test_prefix_key() -> None:
    setup = ScannerSetup(prefix="F12")
    assert diagnose([Keystroke("", 0, "F12"), *keys(TEST_TEXT + "\r")], setup).ok
    assert faults(TEST_TEXT + "\r", setup) == [Fault.PREFIX_MISSING]


def test_symbology_identifier_is_a_note_not_a_fault() -> None:
    result = diagnose(keys("]C1" + TEST_GS1 + "\r"), DEFAULT)
    assert result.ok
    assert result.notes and "]C1" in result.notes[0]


def test_something_else_than_the_test_label() -> None:
    result = diagnose(keys("7310865004703\r"), DEFAULT)
    assert (result.ok, result.label) == (False, None)
    assert result.findings[0].fault == Fault.NOT_TEST_LABEL
    assert TEST_TEXT in result.findings[0].message
    empty = diagnose([], DEFAULT)
    assert [f.fault for f in empty.findings] == [Fault.NOT_TEST_LABEL]


@pytest.mark.parametrize(
    ("text", "ok"),
    [("", True), ("~", True), ("<GS>", True), ("|", True), ("GS", False), ("29", False),
     (" ", False), ("< GS >", False)],
)  # fmt: skip
def test_substitute_rules(text: str, ok: bool) -> None:
    # Letters and digits alone occur in codes, so they cannot stand for the separator.
    assert (substitute_problem(text) is None) == ok


def test_a_scan_of_the_test_label_is_recognised() -> None:
    assert is_test_label(TEST_TEXT) and is_test_label("]C1" + TEST_GS1)
    assert not is_test_label(TEST_TEXT.lower()) and not is_test_label("7310865004703")


def test_the_test_label_is_a_pdf() -> None:
    pdf = render_test_label()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]
