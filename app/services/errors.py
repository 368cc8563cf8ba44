"""The one family of domain errors; each message is one a warehouse worker can act on."""

from __future__ import annotations


class HyllaError(Exception):
    """Base of every error a service raises on purpose. ``str()`` is the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(HyllaError):
    """Input that cannot be accepted; ``field`` names the input it concerns, if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FieldErrors(HyllaError):
    """Several field errors found at once, so a form can show each beside its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("\n".join(errors.values()))
        self.errors = dict(errors)


class NotFoundError(HyllaError):
    """A referenced thing (item, location, lot…) does not exist."""


class StockError(HyllaError):
    """A posting that would break a stock rule (negative stock, bad locations)."""


class DatabaseError(HyllaError):
    """The database cannot be used as it is (locked, corrupt, newer, foreign).

    ``problem`` names the case for a start-up dialog that offers the right way out:
    ``busy``, ``read_only``, ``no_access``, ``folder``, ``missing``, ``not_database``,
    ``newer``, ``damaged``, ``cannot_open``, ``server`` (or "" for anything else).
    """

    def __init__(self, message: str, problem: str = "") -> None:
        super().__init__(message)
        self.problem = problem


class ImportFileError(HyllaError):
    """A file that cannot be imported; ``problems`` lists every bad row."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        full = message if not problems else message + "\n" + "\n".join(problems)
        super().__init__(full)
        self.summary = message
        self.problems = list(problems or [])


class NotAllowedError(HyllaError):
    """The user's role does not allow the action (e.g. staff approving a large variance)."""
