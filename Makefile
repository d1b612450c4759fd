# Two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp names the requirements and the package's own metadata, so changing any of
# them reinstalls; the package itself is installed editable (`pip install -e .`).
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements.lock pyproject.toml setup.py | cksum | cut -d' ' -f1)
PORT ?= 8501
# Where the incidents live: empty for the embedded SQLite file, or a postgresql:// URL.
STORE ?=

.PHONY: setup messages run test test-fast test-browser lock clean

$(STAMP): requirements.txt requirements.lock pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Gazetteer index, map scripts and styles, base-map tiles: fetched once, then checked.
setup: $(STAMP)
	$(PY) -m incidents setup --quiet

# Compile the message catalogs (incidents/locale/*/LC_MESSAGES/incidents.po -> .mo) after
# editing one; `setup` does it when they are missing or older. Strings a branch added
# to the old ui/i18n.py table: scripts/port_strings.py FILE, then this.
messages:
	$(PY) -c 'from incidents import i18n; i18n.compile_catalogs()'

run: setup
	INCIDENTS_STORE="$(STORE)" $(PY) -m streamlit run serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser"

test-browser: setup
	$(PY) -m pytest -m browser

# Re-freeze requirements.lock from a throwaway clean install of requirements.txt.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -r requirements.txt
	{ sed -n '1,4p' requirements.lock; .lock-venv/bin/python -m pip freeze; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

clean:
	rm -rf $(VENV) var derived .pytest_cache tests/artifacts
