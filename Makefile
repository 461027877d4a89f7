# `make lab` opens the course, `make test` runs every test. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The CPU build of PyTorch (small, no CUDA). Override for a GPU: make lab TORCH=torch
TORCH  ?= torch==2.13.0
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test build check doctor clean
.PHONY: grade release
SUBMISSIONS ?= submissions
OUT         ?= grades
RELEASE     ?= release

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# `make lab LANG=fr` opens the French edition (notebooks/fr/), as does a French locale.
EDITION := $(if $(filter fr%,$(LANG)),notebooks/fr/,notebooks/)

lab: $(VENV)/.installed
	COURSE_LANG=$(if $(filter fr%,$(LANG)),fr,en) $(PY) -m course doctor || true
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) $(EDITION)

test: $(VENV)/.installed
	$(PY) -m pytest

# The browser test (tests/test_browser.py) drives Debian's Chromium: installed here when
# missing and run as root (CI); otherwise say how. COURSE_SKIP_BROWSER=1 skips both.
.PHONY: chromium bubblewrap
test: chromium bubblewrap
chromium:
	@command -v chromium >/dev/null || [ "$$COURSE_SKIP_BROWSER" = 1 ] || \
	if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	else echo "The browser test needs Chromium: run 'sudo apt-get install -y chromium'" \
	  "(Debian/Ubuntu), or set COURSE_SKIP_BROWSER=1 to skip that test."; fi

# The grader isolates each submission with bubblewrap (Debian's `bubblewrap`, no root needed
# to use it): installed here when missing and run as root; otherwise say how.
bubblewrap:
	@command -v bwrap >/dev/null || \
	if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y bubblewrap; \
	else echo "The grader's sandbox needs bubblewrap: run 'sudo apt-get install -y" \
	  "bubblewrap' (Debian/Ubuntu); without it, grading falls back to basic isolation."; fi

grade: bubblewrap

build: $(VENV)/.installed
	$(PY) -m course build

check: $(VENV)/.installed
	$(PY) -m course check

doctor: $(VENV)/.installed
	$(PY) -m course doctor

grade: $(VENV)/.installed
	$(PY) -m course grade $(SUBMISSIONS) --out $(OUT)

release: $(VENV)/.installed
	$(PY) -m course release $(RELEASE)

clean:
	rm -rf $(VENV)
