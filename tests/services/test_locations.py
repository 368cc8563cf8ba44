"""Bins: a code taken by another bin or by a virtual location is refused, saying which."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Location
from app.services import locations
from app.services.database import Database, unit_of_work
from app.services.errors import FieldErrors
from tests import factories as f


def test_a_code_another_bin_has_is_refused_as_a_bin(db: Database) -> None:
    with unit_of_work(db) as s:
        f.places(s, n_bins=1)  # bin A-01-01
    with unit_of_work(db) as s, pytest.raises(FieldErrors) as caught:
        user = f.places(s, n_bins=0).user
        locations.save_bin(s, user, "a-01-01", "Second")
    # The window and the import call them bins; "location" was a word from the schema.
    assert caught.value.errors == {"code": "There is already a bin A-01-01."}


def test_a_virtual_location_code_is_refused_as_kept_by_hylla(db: Database) -> None:
    with unit_of_work(db) as s:
        user = f.places(s, n_bins=0).user
        before = s.scalar(select(func.count()).select_from(Location))
        with pytest.raises(FieldErrors) as caught:
            locations.save_bin(s, user, "scrap", "Shelf by the door")
        assert s.scalar(select(func.count()).select_from(Location)) == before
    message = caught.value.errors["code"]
    assert message.startswith("SCRAP is a code Hylla keeps for its own use")
    assert "Choose another code." in message
