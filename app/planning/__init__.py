"""Planning maths on plain numbers: forecasts, classifications, order policies (no DB, no Qt)."""
