"""Barcodes: GS1 check digits and parsing, label rendering. No Qt, no database."""
