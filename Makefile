# Reviewer: `make run` sets up and runs the bundled sample call; `make test` sets up and tests.
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

.PHONY: setup run test test-all bench sysdeps sysdeps-test lint clean

setup: $(STAMP)

# python3-venv for the virtual environment (Debian ships Python without it).
sysdeps:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q python3-venv; }

# espeak-ng speaks the synthetic test calls.
sysdeps-test: sysdeps
	@command -v espeak-ng >/dev/null || { \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q espeak-ng; }

$(VENV)/bin/python: | sysdeps
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q "$(TORCH)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(VENV)/bin/python -m pip install -q -e ".[test]"
	touch $(STAMP)

run: setup
	$(VENV)/bin/reviewer analyze $(SAMPLE)

test: setup sysdeps-test
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest -q

test-all: setup sysdeps-test
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest -q -m "slow or not slow"

bench: setup sysdeps-test
	$(VENV)/bin/python bench/run.py

lint: setup
	$(VENV)/bin/ruff check reviewer tests bench
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache
