# Hylla: set-up, run and test on Debian 12 with Python 3.11.
#
#   make run      create .venv, install Qt's system libraries, compile translations, open the window
#                 (needs a display: DISPLAY or WAYLAND_DISPLAY; without one, RUN_UNDER_XVFB=1 runs it
#                 under xvfb-run, invisibly). Headless commands: make run ARGS="report turnover -o t.pdf"
#   make test     the same set-up plus a private PostgreSQL on 127.0.0.1:54329, then lint-imports and
#                 pytest (offscreen Qt, 2 workers). POSTGRES=0 skips PostgreSQL (its tests then skip).
#                 PYTEST_ARGS="-k scan -x" passes options to pytest.
#   make bench    the project's benchmark (python -m benchmarks)
#   make clean    remove the venv, caches, compiled catalogs and the test database
#
# Everything is idempotent: a second `make test` installs nothing and reuses the database server.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3.11
VENV        := .venv
VPY         := $(VENV)/bin/python
STAMP       := $(VENV)/.hylla-installed
PG          := bash scripts/test-postgres.sh
POSTGRES    ?= 1
PYTEST_ARGS ?=
ARGS        ?=
TRANSLATIONS := resources/translations
LANGS       ?= sv

# Debian packages that Qt (the PySide6-Essentials wheel) links against and that a minimal Debian 12
# may lack: the direct NEEDED entries (readelf -d) of QtCore/Gui/Widgets/DBus/Network/PrintSupport/
# Svg/OpenGL, the offscreen, xcb and wayland platform plugins, xcbglintegrations, imageformats and
# the cups print-support plugin; apt brings their own dependencies. libxcb-icccm4 and
# libxcb-keysyms1 are the two that Debian's X libraries do not pull in. Plus a font, and
# poppler-utils, whose pdftoppm rasterises label PDFs for the barcode decode tests.
SYSDEPS := \
	libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libbrotli1 libgssapi-krb5-2 libcups2 \
	libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 \
	libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 \
	libxcb-xfixes0 libxcb-xkb1 libwayland-client0 libwayland-cursor0 libwayland-egl1 \
	fontconfig fonts-dejavu-core poppler-utils
ifeq ($(RUN_UNDER_XVFB),1)
SYSDEPS += xvfb xauth
endif

.NOTPARALLEL:

.PHONY: help venv sysdeps translations translations-extract run test lint postgres postgres-stop screenshots \
        bench clean

help:
	@sed -n '2,12p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

# --- Python environment -----------------------------------------------------------------------
# The stamp is rebuilt when pyproject.toml changes. A venv whose Python is not a working 3.11, or
# that holds PySide6 6.12 or newer (aborts on Python 3.11, see DESIGN.md), is made anew: Qt
# versions are never changed in place.
VENV_OK_CHECK := import sys, importlib.metadata as m; \
	v = next((d.version for d in m.distributions(name="PySide6-Essentials")), "0"); \
	sys.exit(0 if sys.version_info[:2] == (3, 11) and tuple(map(int, v.split(".")[:2])) < (6, 12) else 1)

venv:
	@if [ -e $(VENV) ] && ! $(VPY) -c '$(VENV_OK_CHECK)' >/dev/null 2>&1; then \
	    echo "== $(VENV) has no working Python 3.11 or has PySide6 >= 6.12: recreating it"; \
	    rm -rf $(VENV); \
	fi
	@$(MAKE) --no-print-directory -s $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11" >&2; exit 1; }
	@[ -x $(VPY) ] || { echo "== creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(VPY) -m pip install --quiet --upgrade pip setuptools wheel
	$(VPY) -m pip install --quiet -e '.[test]'
	@$(VPY) -c '$(VENV_OK_CHECK)' || { echo "PySide6 >= 6.12 got installed; it aborts on Python 3.11" >&2; exit 1; }
	@$(VPY) -c 'import importlib.metadata as m; print("== installed: PySide6-Essentials", m.version("PySide6-Essentials"), "SQLAlchemy", m.version("SQLAlchemy"))'
	@touch $@

# --- System libraries (Debian) ----------------------------------------------------------------
# Installs only what is missing; runs apt-get update only when something must be installed.
sysdeps:
	@if ! command -v dpkg-query >/dev/null; then \
	    echo "sysdeps: not a Debian system; make sure Qt's X11/xcb libraries are installed" >&2; exit 0; \
	fi; \
	missing=""; \
	for p in $(SYSDEPS); do \
	    dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	    echo "== installing Debian packages:$$missing"; \
	    $$sudo apt-get update -qq </dev/null && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing </dev/null; \
	fi

# --- Translations -----------------------------------------------------------------------------
translations: venv
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/hylla.po >/dev/null 2>&1; then \
	    $(VENV)/bin/pybabel -q compile -D hylla -d $(TRANSLATIONS); \
	else \
	    echo "translations: no $(TRANSLATIONS)/*/LC_MESSAGES/hylla.po yet; nothing to compile"; \
	fi

# Re-extract the template from the sources and merge it into every catalog (creates a catalog
# for each of LANGS that has none yet).
translations-extract: venv
	@mkdir -p $(TRANSLATIONS)
	$(VENV)/bin/pybabel extract --project=hylla --version=$$($(VPY) -c 'import importlib.metadata as m; print(m.version("hylla"))') \
	    --sort-by-file --add-comments=TRANSLATORS: \
	    -k _ -k N_ -k ngettext:1,2 \
	    -o $(TRANSLATIONS)/hylla.pot app $(wildcard main.py)
	@for lang in $(LANGS); do \
	    [ -e $(TRANSLATIONS)/$$lang/LC_MESSAGES/hylla.po ] || \
	        $(VENV)/bin/pybabel init -D hylla -l $$lang -i $(TRANSLATIONS)/hylla.pot -d $(TRANSLATIONS); \
	done
	$(VENV)/bin/pybabel update -D hylla -i $(TRANSLATIONS)/hylla.pot -d $(TRANSLATIONS)

# --- Run --------------------------------------------------------------------------------------
run: venv sysdeps translations
	@if [ -n "$(ARGS)" ] || [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
	    exec $(VPY) main.py $(ARGS); \
	elif [ "$(RUN_UNDER_XVFB)" = 1 ]; then \
	    echo "== no display: running under xvfb-run (the window is invisible)"; \
	    exec xvfb-run -a -s "-screen 0 1600x1000x24 -noreset" $(VPY) main.py; \
	else \
	    echo "make run: no display (DISPLAY and WAYLAND_DISPLAY are unset)." >&2; \
	    echo "  Run it from a desktop session, or over ssh -X, or set DISPLAY=:0;" >&2; \
	    echo "  or run it invisibly under a virtual X server: make run RUN_UNDER_XVFB=1" >&2; \
	    echo "  Headless commands need no display: make run ARGS='report turnover -o t.pdf'" >&2; \
	    exit 1; \
	fi

# --- Test -------------------------------------------------------------------------------------
postgres:
ifeq ($(POSTGRES),1)
	@$(PG) start
endif

postgres-stop:
	@$(PG) stop

lint: venv
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/mypy

test: venv sysdeps translations postgres lint
	@if [ "$(POSTGRES)" = 1 ]; then export HYLLA_TEST_POSTGRES_URL="$$($(PG) url)"; fi; \
	export QT_QPA_PLATFORM=offscreen; \
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

bench: venv sysdeps translations
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(VPY) -m benchmarks $(ARGS)

clean:
	-@$(PG) destroy
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache .import_linter_cache \
	    benchmarks/out
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find $(TRANSLATIONS) -name '*.mo' -delete 2>/dev/null || true

# --- README screenshots -------------------------------------------------------------------------
# Every page in Swedish and English, from the real window on a virtual X server and a fresh demo
# database, into docs/screenshots/.
SHOTS_DB := /tmp/hylla-screenshots/demo.db
screenshots: venv translations
	@command -v xvfb-run >/dev/null || { sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	    $$sudo apt-get update -qq </dev/null; \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq xvfb xauth </dev/null; }
	rm -rf $(dir $(SHOTS_DB)) && mkdir -p $(dir $(SHOTS_DB))
	HYLLA_DATA_DIR=$(dir $(SHOTS_DB)) $(VPY) main.py demo --database $(SHOTS_DB)
	for lang in en sv; do \
	    HYLLA_DATA_DIR=$(dir $(SHOTS_DB)) QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24 -noreset" \
	        $(VPY) scripts/screenshots.py --database $(SHOTS_DB) --lang $$lang --out docs/screenshots || exit 1; \
	done
