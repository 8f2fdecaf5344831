# The two commands a new user needs: `make run` and `make test`. Everything else is for us.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test test-fast ingest eval bench

setup: $(VENV)/.installed

# Reinstalls only when requirements.txt changes; torch==2.13.0 comes first (CPU wheel).
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

run: setup
	$(PY) -m streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow"

ingest: setup
	$(PY) -m assistant ingest

eval: setup
	$(PY) -m assistant eval --questions eval/dev.jsonl --out eval/results.jsonl

bench: setup
	$(PY) bench/retrieval.py
