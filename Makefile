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
# The environments that stand in for Colab (README, "Binder and Colab"):
# .venv-py312 from requirements-py312.txt, .venv-py313 likewise.
COMPAT := py312 py313
NOTEBOOKS := $(sort $(wildcard chapter_*/*.ipynb))
PAGES := $(NOTEBOOKS) $(wildcard chapter_*/*.md) intro.md references.md \
	execution.md references.bib _toc.yml _config.yml $(wildcard img/*.svg)

# Python must not write to the source folders while notebooks run.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: html test test-compat $(COMPAT:%=test-%) lib check-lib execute data \
	browser mathjax bench lint lock clean distclean pdf tex

# ---- the environment -------------------------------------------------------
# pip installs exactly the locked versions, each checked against its hash;
# d2l is installed editable, so `import d2l` works from any folder.
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip==24.3.1
	$(PY) -m pip install -q --require-hashes --no-deps -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

# $(call find_python,3.12): the command of a Python 3.12 that runs, from
# PATH or else from pyenv; empty if there is none.
find_python = for p in python$(1) \
	  $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(1).*/bin/python$(1); do \
	  if $$p -c '' 2>/dev/null; then echo $$p; break; fi; done

# The Colab stand-ins: MXNet 1.9.1 without its dependencies (its metadata
# asks for numpy < 2), then d2l as Colab's pip installs it, a package, not
# editable, with its dependencies. --no-index: they must all be there
# already, so d2l's metadata cannot ask for another numpy unnoticed.
.venv-py%/.installed: requirements-py%.txt requirements-mxnet.txt \
		pyproject.toml d2l.py
	@v=3.$(patsubst 3%,%,$*); py=$$($(call find_python,$$v)); \
	if [ -z "$$py" ]; then echo "make: $@ needs Python $$v: install it," \
	  "e.g. \`pyenv install $$v\` or your system's python$$v package"; \
	  exit 1; fi; set -x; $$py -m venv $(@D)
	$(@D)/bin/python -m pip install -q --upgrade pip==24.3.1
	$(@D)/bin/python -m pip install -q --require-hashes --no-deps \
		-r requirements-py$*.txt -r requirements-mxnet.txt
	$(@D)/bin/python -m pip install -q --no-index --no-build-isolation \
		--force-reinstall --no-deps .
	$(@D)/bin/python -m pip install -q --no-index --no-build-isolation .
	rm -rf build *.egg-info
	touch $@

# ---- system packages --------------------------------------------------------
# tools/debian.sh installs a Debian package as root, or else stops with the
# command that installs it (or, given --else, says what happens instead).
DEBIAN := sh tools/debian.sh

# Fashion-MNIST: Debian's package where we may install it, else the loader
# finds or downloads the files itself. Either way every file is checked.
DEBIAN_DATA := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
# A relative D2L_DATA_DIR names a folder relative to where make started;
# notebooks run in their own folders, so they are handed the absolute path.
ifneq ($(D2L_DATA_DIR),)
export D2L_DATA_DIR := $(abspath $(D2L_DATA_DIR))
endif
data: _build/.data-checked
_build/.data-checked: $(VENV)/.installed d2l.py
	@[ -n "$${D2L_DATA_DIR:-}" ] || $(DEBIAN) --else 'the book downloads \
	  Fashion-MNIST' dataset-fashion-mnist $(DEBIAN_DATA)
	$(PY) -c 'import d2l; d2l.FashionMNIST(train=True); \
	          d2l.FashionMNIST(train=False)'
	@mkdir -p $(@D) && touch $@

# The browser that the site test drives (tests/test_site.py reads CHROMIUM
# too). Set CHROMIUM to use another Chromium or Chrome.
export CHROMIUM ?= /usr/bin/chromium
browser:
	@$(DEBIAN) chromium $(CHROMIUM)

# ---- the library -------------------------------------------------------------
# make_lib rewrites d2l.py only when its text changes.
d2l.py: $(NOTEBOOKS) _toc.yml tools/make_lib.py | $(VENV)/.installed
	$(PY) -m tools.make_lib

lib: $(VENV)/.installed
	$(PY) -m tools.make_lib

check-lib: $(VENV)/.installed
	$(PY) -m tools.make_lib --check

# Re-run the notebooks in place, so that their stored outputs (which the
# tests compare against) come from a clean, seeded run.
execute: lib data
	$(PY) -m tools.execute $(NOTEBOOKS)

# ---- the book ------------------------------------------------------------------
mathjax: _build/vendor/mathjax/tex-chtml.js
_build/vendor/mathjax/tex-chtml.js: | $(VENV)/.installed
	$(PY) -m tools.fetch_mathjax $(@D)

# Before each build, tools/build_inputs.py clears the caches whose inputs
# changed content: the execution cache when d2l.py or the environment did
# (the cache sees only the notebooks' code), the rendered pages when the
# book's Sphinx extensions did.
#
# Sphinx reads and writes again only the pages that changed, so a page that
# made a build fail would pass unnoticed the next time. So a failed build
# removes the target (else make would think the site up to date), and while
# the marker _build/.build-failed exists, every page is read and written
# afresh (the executions stay cached). An error in a notebook stops the
# build (nb_execution_raise_on_error) before any page shows its traceback.
BOOK_INPUTS := $(VENV)/.installed d2l.py _build/.data-checked $(PAGES) \
	$(wildcard tools/sphinx_*.py)

# The reader notebooks carry their figures as PNG, which every Jupyter front
# end shows (JupyterLab refuses SVG attachments): rsvg-convert draws them.
RSVG := /usr/bin/rsvg-convert
html: _build/html/index.html
_build/html/index.html: $(BOOK_INPUTS) _build/vendor/mathjax/tex-chtml.js
	@$(DEBIAN) librsvg2-bin $(RSVG)
	$(call jupyter_book,html)

# $(call jupyter_book,BUILDER): one build of the book, as described above.
define jupyter_book
	$(PY) -m tools.build_inputs _build
	@if [ -e _build/.build-failed ]; then \
	  echo 'make: the last build failed: reading every page again'; \
	  rm -rf _build/.doctrees _build/html _build/latex; fi
	@touch _build/.build-failed
	$(VENV)/bin/jupyter-book build . --builder $(1) --warningiserror \
	  --nitpick --keep-going \
	  || { rm -f $@; exit 1; }  # Sphinx wrote it; make must not trust it
	@rm _build/.build-failed
	@touch $@
endef

# ---- the PDF -------------------------------------------------------------------
# Sphinx's LaTeX builder over the same execution cache as the site (no
# notebook runs again), typeset by xelatex. The site links to the PDF, so it
# is copied into _build/html, and the published site carries it.
PDF := _build/latex/d2l-linear-networks.pdf
TEXMF := /usr/share/texlive/texmf-dist
TEX_PACKAGES := texlive-xetex:/usr/bin/xelatex latexmk:/usr/bin/latexmk \
	texlive-latex-extra:$(TEXMF)/tex/latex/fncychap/fncychap.sty \
	texlive-fonts-recommended:$(TEXMF)/fonts/tfm/adobe/zapfding/pzdr.tfm \
	fonts-freefont-otf:/usr/share/fonts/opentype/freefont/FreeSerif.otf \
	librsvg2-bin:$(RSVG) poppler-utils:/usr/bin/pdftotext

pdf: _build/html/$(notdir $(PDF))
_build/html/$(notdir $(PDF)): $(PDF) _build/html/index.html
	cp $(PDF) $@
$(PDF): $(BOOK_INPUTS) | tex
	$(call jupyter_book,pdflatex)

tex:
	@for p in $(TEX_PACKAGES); do $(DEBIAN) $${p%%:*} $${p#*:}; done

# ---- tests -------------------------------------------------------------------
# The library check runs first: `make html` would otherwise regenerate a
# stale d2l.py and hide that it was not committed.
test: check-lib lint browser
	$(MAKE) html pdf
	$(PY) -m pytest

# Every notebook under nbval and the tests of d2l.py, with the same pytest
# configuration as `make test`, in each Colab stand-in.
test-compat: $(COMPAT:%=test-%)
$(COMPAT:%=test-%): test-%: .venv-%/.installed _build/.data-checked
	.venv-$*/bin/python -m pytest $(NOTEBOOKS) tests/test_d2l.py \
		tests/test_data.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check d2l.py tools tests conftest.py
	$(VENV)/bin/actionlint

bench: html
	$(PY) -m tools.bench

# Recompile the locks from requirements*.in (needs the package registry).
lock:
	$(PYTHON) -m venv _build/piptools
	_build/piptools/bin/pip install -q pip-tools==7.4.1
	_build/piptools/bin/pip-compile -q --generate-hashes --strip-extras \
	  --allow-unsafe -o requirements.txt requirements.in
	{ echo '# MXNet alone, for the Colab stand-ins: written by make lock' \
	    'from requirements.txt'; sed -n '/^mxnet==/,/# via/p' \
	    requirements.txt | grep -v '# via'; } > requirements-mxnet.txt
	for env in $(COMPAT); do \
	  py=$$($(call find_python,3.$${env#py3})); \
	  $$py -m venv _build/piptools-$$env; \
	  _build/piptools-$$env/bin/pip install -q pip-tools==7.4.1; \
	  _build/piptools-$$env/bin/pip-compile -q --generate-hashes \
	    --strip-extras --allow-unsafe -o requirements-$$env.txt \
	    requirements-$$env.in; done

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) $(COMPAT:%=.venv-%) *.egg-info
