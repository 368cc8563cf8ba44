"""Start Hylla: ``python main.py`` opens the window; ``python main.py --help`` lists commands."""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
