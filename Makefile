# `make lab` opens the course, `make test` runs every test. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The CPU build of PyTorch (small, no CUDA). Override for a GPU: make lab TORCH=torch
TORCH  ?= torch==2.13.0
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test build check doctor clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

lab: $(VENV)/.installed
	$(PY) -m course doctor || true
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) notebooks/

test: $(VENV)/.installed
	$(PY) -m pytest

build: $(VENV)/.installed
	$(PY) -m course build

check: $(VENV)/.installed
	$(PY) -m course check

doctor: $(VENV)/.installed
	$(PY) -m course doctor

clean:
	rm -rf $(VENV)
