# Dive into Deep Learning, chapter 3 (MXNet), as a Jupyter Book.
#   make html   build the executed book into _build/html
#   make test   run every test (builds the book first if needed)
# See README.md for the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := html

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
COMPAT_VENV := .venv-numpy126
NOTEBOOKS := $(sort $(wildcard chapter_*/*.ipynb))
PAGES := $(NOTEBOOKS) $(wildcard chapter_*/*.md) intro.md references.md \
	execution.md references.bib _toc.yml _config.yml $(wildcard img/*.svg)

# The Animator draws its final figure once instead of animating, so that
# stored outputs, re-runs and the site agree (see section 3.6).
export D2L_ANIMATE := 0
# Python must not write to the source folders while notebooks run.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: html test test-compat lib check-lib execute data mathjax bench lint \
	lock clean distclean

# ---- the environment -------------------------------------------------------
# pip installs exactly the locked versions, each checked against its hash;
# d2l is installed editable, so `import d2l` works from any folder.
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip==24.3.1
	$(PY) -m pip install -q --require-hashes --no-deps -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

# Here d2l is installed as a package, the way Colab's pip installs it.
$(COMPAT_VENV)/.installed: requirements-numpy126.txt pyproject.toml d2l.py
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install -q --upgrade pip==24.3.1
	$(COMPAT_VENV)/bin/python -m pip install -q --require-hashes --no-deps \
		-r requirements-numpy126.txt
	$(COMPAT_VENV)/bin/python -m pip install -q --no-deps \
		--no-build-isolation --force-reinstall .
	rm -rf build *.egg-info
	touch $@

# ---- data --------------------------------------------------------------------
# Fashion-MNIST: Debian's package where we may install it, else the loader
# finds or downloads the files itself. Either way every file is checked.
DEBIAN_DATA := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
data: _build/.data-checked
_build/.data-checked: $(VENV)/.installed d2l.py
	@if [ -z "$${D2L_DATA_DIR:-}" ] && [ ! -e $(DEBIAN_DATA) ] \
	    && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q dataset-fashion-mnist >/dev/null \
	  || { apt-get update -q >/dev/null \
	       && apt-get install -y -q dataset-fashion-mnist >/dev/null; } \
	  || echo 'make: could not install dataset-fashion-mnist; the' \
	          'loader will try to download Fashion-MNIST'; \
	fi
	$(PY) -c 'import d2l; d2l.FashionMNIST(train=True); \
	          d2l.FashionMNIST(train=False)'
	@mkdir -p $(@D) && touch $@

# ---- the library -------------------------------------------------------------
# make_lib rewrites d2l.py only when its text changes.
d2l.py: $(NOTEBOOKS) _toc.yml tools/make_lib.py | $(VENV)/.installed
	$(PY) tools/make_lib.py

lib: $(VENV)/.installed
	$(PY) tools/make_lib.py

check-lib: $(VENV)/.installed
	$(PY) tools/make_lib.py --check

# Re-run the notebooks in place, so that their stored outputs (which the
# tests compare against) come from a clean, seeded run.
execute: lib data
	$(PY) tools/execute.py $(NOTEBOOKS)

# ---- the book ------------------------------------------------------------------
mathjax: _build/vendor/mathjax/tex-chtml.js
_build/vendor/mathjax/tex-chtml.js: | $(VENV)/.installed
	$(PY) tools/fetch_mathjax.py $(@D)

# Jupyter Book's cache re-runs a notebook when its code changes, but cannot
# see d2l.py or the environment change; then everything must run again.
_build/.inputs: d2l.py requirements.txt
	rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute \
		_build/html
	@mkdir -p $(@D) && touch $@

# Sphinx cannot see its local extensions change either: then every page must
# be rendered again, but no notebook needs to run again.
SPHINX_EXTENSIONS := tools/chapter_numbers.py tools/unique_scripts.py
_build/.extensions: $(SPHINX_EXTENSIONS)
	rm -rf _build/.doctrees _build/html
	@mkdir -p $(@D) && touch $@

html: _build/html/index.html
_build/html/index.html: $(VENV)/.installed d2l.py _build/.data-checked \
		_build/vendor/mathjax/tex-chtml.js _build/.inputs _build/.extensions \
		$(PAGES)
	$(VENV)/bin/jupyter-book build . --warningiserror --nitpick --keep-going
	@touch $@

# ---- tests -------------------------------------------------------------------
# The library check runs first: `make html` would otherwise regenerate a
# stale d2l.py and hide that it was not committed.
test: check-lib
	$(MAKE) html
	$(PY) -m pytest

# The tests of d2l.py and a chapter notebook, with numpy 1.26.4.
test-compat: $(COMPAT_VENV)/.installed _build/.data-checked
	$(COMPAT_VENV)/bin/python -m pytest -o addopts='-p no:cacheprovider' \
		tests/test_d2l.py tests/test_data.py tests/test_colab_path.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check d2l.py tools tests

bench: html
	$(PY) tools/bench.py

# Recompile the locks from requirements*.in (needs the package registry).
lock:
	$(PYTHON) -m venv _build/piptools
	_build/piptools/bin/pip install -q pip-tools==7.4.1
	for f in requirements requirements-numpy126; do \
	  _build/piptools/bin/pip-compile -q --generate-hashes --strip-extras \
	    --allow-unsafe -o $$f.txt $$f.in; done

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) $(COMPAT_VENV) *.egg-info
