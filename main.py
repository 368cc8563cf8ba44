"""Start Hylla: ``python main.py`` opens the window; ``python main.py --help`` lists commands."""

from __future__ import annotations

import gc
import sys

# Importing Hylla makes some hundreds of thousands of objects that live as long as the
# process (modules, classes, SQLAlchemy's and Qt's tables) and no garbage, yet every
# few hundred of them the cyclic collector would walk them all again: it is off while
# they are made, and what they made is then frozen, out of every later collection's way.
# (app.ui.app.run_gui freezes again once the window's own modules are in.)
gc.disable()
try:
    from app.cli import main
finally:
    gc.freeze()
    gc.enable()

if __name__ == "__main__":
    sys.exit(main())
