# The two commands a new user needs: `make run` and `make test`. Everything else is for us.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup browser axe nginx run test test-fast ingest eval bench bench-scale

setup: $(VENV)/.installed

# Reinstalls only when requirements.txt changes; torch==2.13.0 comes first (CPU wheel).
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

browser:
	scripts/install-browser.sh

axe:
	scripts/install-axe.sh

nginx:
	scripts/install-nginx.sh

run: setup
	$(PY) -m assistant serve --host $(HOST) --port $(PORT)

# the tests with no server or browser on both cores, then those (timed, and each starting its own) alone
test: setup browser axe nginx
	$(PY) -m pytest -n 2 -m "not slow"
	$(PY) -m pytest -m slow

test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not model"

ingest: setup
	$(PY) -m assistant ingest

eval: setup
	$(PY) -m assistant eval --questions eval/dev.jsonl --out eval/results-dev.jsonl
	$(PY) -m assistant eval --questions eval/practice.jsonl --out eval/results-practice.jsonl

bench: setup browser
	$(PY) bench/retrieval.py
	$(PY) bench/encoders.py

bench-scale: setup
	$(PY) bench/scale.py
