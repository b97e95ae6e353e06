# Reviewer: `make run` sets up and opens the app on the bundled sample call; `make test` sets up and tests.
# Both build .venv themselves and install the Debian packages they need when missing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
# torch is installed first, on its own, so you choose the build (see README):
#   make TORCH='torch==2.13.0' TORCH_INDEX=https://download.pytorch.org/whl/cpu   CPU-only
#   make TORCH='torch==2.13.0'                                                    PyPI default (CUDA on Linux)
TORCH       ?= torch==2.13.0
TORCH_INDEX ?=
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SAMPLE := resources/sample/sample_call.mp3

# Libraries Qt (PySide6 wheels) loads from the system: offscreen and X11 windows, fonts, sound.
QT_DEBS := libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libglib2.0-0 libdbus-1-3 \
           libpulse0 libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
           libxcb-shape0 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-xinerama0

.PHONY: setup run test test-slow test-postgres bench sysdeps sysdeps-qt sysdeps-test lint clean bundle bundle-smoke

setup: $(STAMP)

# python3-venv for the virtual environment (Debian ships Python without it).
sysdeps:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q python3-venv; }

sysdeps-qt:
	@dpkg -s $(QT_DEBS) >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(QT_DEBS); }

# espeak-ng speaks the synthetic test calls and sox plays them hold music; pocketsphinx-testdata has CMU's recordings of real
# read speech with their transcripts (1.8 MB); strace watches a real run for network use and stray files;
# postgresql (on Debian 12 it pulls postgresql-15) has the server programs the tests start a throwaway
# cluster with (tests/pg_server.py), from /usr/lib/postgresql/VERSION/bin.
TEST_DEBS := espeak-ng sox pocketsphinx-testdata strace postgresql
sysdeps-test: sysdeps
	@dpkg -s $(TEST_DEBS) >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(TEST_DEBS); }

$(VENV)/bin/python: | sysdeps
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q "$(TORCH)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(VENV)/bin/python -m pip install -q -e ".[test]"
	touch $(STAMP)

run: setup sysdeps-qt
	$(VENV)/bin/reviewer gui $(SAMPLE)

# Libraries in SQLite files; the tests marked postgres run on a PostgreSQL server the tests start.
test: setup sysdeps-qt sysdeps-test
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest -q -m "not slow" --durations=15

# A minute or more each: real recordings through the whole pipeline, the traced privacy runs, a Ray
# batch, retraining (CI runs them too).
test-slow: setup sysdeps-qt sysdeps-test
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest -q -m slow

# The same tests with every library in PostgreSQL (a schema each), on a server the tests start
# themselves (REVIEWER_TEST_POSTGRES_URL=postgresql://... names one of yours instead).
test-postgres: setup sysdeps-qt sysdeps-test
	REVIEWER_TEST_DATABASE=postgresql QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest -q -m "not slow or postgres_too" --durations=15

bench: setup sysdeps-test
	$(VENV)/bin/python bench/run.py
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python bench/ui.py
	$(VENV)/bin/python bench/export.py
	$(VENV)/bin/python bench/eval.py --quick

lint: setup
	$(VENV)/bin/ruff check reviewer tests bench packaging
	$(VENV)/bin/lint-imports

# The app a coach installs: one folder with Python, Qt, CPU torch and the models inside, packed as
# dist/Reviewer-<version>-linux-<arch>.tar.gz (packaging/README.md). Built in its own environment
# (build/bundle-venv) with PyInstaller, which the pip install never needs. It must hold the CPU
# build of torch: `pip install torch==2.13.0` takes it on the project's machines (a local file);
# elsewhere PyPI's is the CUDA build, so name the CPU index:
#   make bundle BUNDLE_TORCH_INDEX=https://download.pytorch.org/whl/cpu
VERSION      := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
BUNDLE_VENV  := build/bundle-venv
BUNDLE_NAME  := Reviewer-$(VERSION)-linux-$(shell uname -m)
BUNDLE       := dist/$(BUNDLE_NAME).tar.gz
BUNDLE_TORCH_INDEX ?= $(TORCH_INDEX)
PYINSTALLER  := pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9
BUNDLE_FILES := packaging/reviewer.desktop resources/icons/reviewer.png resources/icons/reviewer.svg \
                packaging/install-desktop-entry.sh packaging/README-bundle.txt

bundle: $(BUNDLE)

$(BUNDLE_VENV)/.installed: pyproject.toml | sysdeps
	rm -rf $(BUNDLE_VENV)
	$(PYTHON) -m venv $(BUNDLE_VENV)
	$(BUNDLE_VENV)/bin/python -m pip install -q --upgrade pip
	$(BUNDLE_VENV)/bin/python -m pip install -q "$(TORCH)" $(if $(BUNDLE_TORCH_INDEX),--index-url $(BUNDLE_TORCH_INDEX))
	@$(BUNDLE_VENV)/bin/python -c 'import sys, torch; sys.exit(torch.version.cuda and \
	  "The bundle needs the CPU build of torch, and pip installed " + torch.__version__ + " (CUDA). " \
	  "Run: rm -rf $(BUNDLE_VENV); make bundle BUNDLE_TORCH_INDEX=https://download.pytorch.org/whl/cpu")'
	$(BUNDLE_VENV)/bin/python -m pip install -q . $(PYINSTALLER)
	touch $@

$(BUNDLE): $(BUNDLE_VENV)/.installed packaging/reviewer.spec packaging/reviewer_main.py $(BUNDLE_FILES) $(shell git ls-files reviewer resources)
	$(BUNDLE_VENV)/bin/python -m pip install -q --no-deps --force-reinstall .
	rm -rf build/bundle
	$(BUNDLE_VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN \
	  --distpath build/bundle/dist --workpath build/bundle/work packaging/reviewer.spec
	mv build/bundle/dist/reviewer build/bundle/dist/$(BUNDLE_NAME)
	cp $(BUNDLE_FILES) build/bundle/dist/$(BUNDLE_NAME)/
	mv build/bundle/dist/$(BUNDLE_NAME)/README-bundle.txt build/bundle/dist/$(BUNDLE_NAME)/README.txt
	mkdir -p dist
	tar -C build/bundle/dist -czf $@.partial $(BUNDLE_NAME)
	mv $@.partial $@
	@ls -l $@

# The bundle as a coach would run it: a new home, PATH=/usr/bin:/bin, no venv (packaging/smoke_test.py).
bundle-smoke: $(BUNDLE) sysdeps-qt sysdeps-test
	$(BUNDLE_VENV)/bin/python packaging/mono_mix.py $(SAMPLE) build/bundle/mono.wav
	$(PYTHON) packaging/smoke_test.py $(BUNDLE) build/bundle/mono.wav

clean:
	rm -rf $(VENV) .pytest_cache build dist
