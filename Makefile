# Dive into Deep Learning, chapter 3 (MXNet), as a Jupyter Book.
#   make html   build the executed book into _build/html
#   make test   test the book (builds it first if needed)
#   make test-build  the tests that build a copy of the whole book again
#   make test-quick  the sources, d2l.py and every notebook under nbval
# See README.md for the rest, MAINTAINING.md for why.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := html

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# The environments beyond the book's own (MAINTAINING.md, "The Colab stand-ins"):
# .venv-colab313 and .venv-colab312 have the versions of Colab's current
# and older runtime (requirements-colab313.txt, -colab312.txt), and
# .venv-newest the newest numpy for Python 3.13 (requirements-newest.txt),
# the upper edge.
COLAB := colab312 colab313
COMPAT := $(COLAB) newest
NOTEBOOKS := $(sort $(wildcard chapter_*/*.ipynb))
PAGES := $(NOTEBOOKS) $(wildcard chapter_*/*.md) intro.md references.md \
	execution.md references.bib _toc.yml _config.yml $(wildcard img/*.svg) \
	$(wildcard tools/sphinx/static/* tools/sphinx/static/*/*)

# Python must not write to the source folders while notebooks run.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: html test test-build test-quick test-compat $(COMPAT:%=test-%) \
	fleet lib check-lib execute data browser mathjax bench screenshots \
	lint lock clean distclean pdf tex

# ---- the environment -------------------------------------------------------
# pip installs exactly the locked versions, each checked against its hash;
# d2l is installed editable, so `import d2l` works from any folder. Before
# that, tools/build/check_python.py refuses a Python the lock cannot serve, and
# a half-made .venv (a failed install, another PYTHON) is removed, so each
# try starts clean. The stamp holds the folder the environment was made
# in: its scripts and its editable d2l name that folder, so a checkout that
# was moved or copied gets a new one. (A .venv that is a link, as in the
# tests' copies of the book, is shared on purpose and left alone.)
$(VENV)/.installed: requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: there is no" \
	  "$(PYTHON): install Python 3.11 (Debian's python3.11 package) or" \
	  "name one with \`make PYTHON=/path/to/python3.11\`" >&2; exit 1; }
	@$(PYTHON) tools/build/check_python.py
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	{ $(PY) -m pip install -q --upgrade pip==24.3.1 && \
	  $(PY) -m pip install -q --require-hashes --no-deps \
	    -r requirements.txt; } || { echo "$(PIP_FAILED)" >&2; exit 1; }
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	echo '$(CURDIR)/$(VENV)' > $@
PIP_FAILED := make: pip could not install the lock (see above); if it could \
  not reach the package registry, check the network (or PIP_INDEX_URL) and \
  run make again, which starts afresh
VENV_MADE_IN := $(shell cat $(VENV)/.installed 2>/dev/null)
ifneq ($(VENV_MADE_IN),)
ifneq ($(VENV_MADE_IN),$(CURDIR)/$(VENV))
ifeq ($(shell test -L $(VENV) && echo link),)
$(info make: $(VENV) was made in $(VENV_MADE_IN), not here (the checkout \
  moved or was copied): making a new one)
$(VENV)/.installed: FORCE
endif
endif
endif
FORCE:

# $(call find_python,3.12): the command of a Python 3.12 that runs, from
# PATH or else from pyenv; empty if there is none.
find_python = for p in python$(1) \
	  $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(1).*/bin/python$(1); do \
	  if $$p -c '' 2>/dev/null; then echo $$p; break; fi; done

# $(call new_venv,3.12,DIR): a virtual environment of Python 3.12 in DIR.
new_venv = py=$$($(call find_python,$(1))); if [ -z "$$py" ]; then \
	  echo "make: $(2) needs Python $(1): install it, e.g." \
	  "\`pyenv install $(1)\` or your system's python$(1) package"; \
	  exit 1; fi; set -x; $$py -m venv $(2)

# A stand-in for one of Colab's runtimes: Colab's pip, then Colab's version
# of each package, and nothing else (tools/build/lock_colab.py makes the lock).
# MXNet and d2l are not there: the notebooks' set-up cell installs them, as
# on Colab, and tests/test_colab.py removes them again after each notebook.
.venv-colab%/.installed: requirements-colab%.txt
	@$(call new_venv,3.$(patsubst 3%,%,$*),$(@D))
	$(@D)/bin/python -m pip install -q pip==24.1.2
	$(@D)/bin/python -m pip install -q --require-hashes --no-deps -r $<
	touch $@

# The newest numpy for Python 3.13, the upper edge: MXNet 1.9.1 without its
# dependencies (its metadata asks for numpy < 2), then d2l as a package,
# not editable, with its dependencies. --no-index:
# they must all be there already, so d2l's metadata cannot ask for another
# numpy unnoticed.
.venv-newest/.installed: requirements-newest.txt requirements-mxnet.txt \
		pyproject.toml d2l.py
	@$(call new_venv,3.13,$(@D))
	$(@D)/bin/python -m pip install -q --upgrade pip==24.3.1
	$(@D)/bin/python -m pip install -q --require-hashes --no-deps \
		-r requirements-newest.txt -r requirements-mxnet.txt
	$(@D)/bin/python -m pip install -q --no-index --no-build-isolation \
		--force-reinstall --no-deps .
	$(@D)/bin/python -m pip install -q --no-index --no-build-isolation .
	rm -rf build *.egg-info
	touch $@

# What the set-up cell's pip downloads on Colab, as files, for the
# stand-ins, which run offline: MXNet's wheel, and a setuptools to build
# d2l with (Colab's version; on Colab pip takes the newest). Both are
# checked by their hashes.
WHEELS := _build/wheelhouse
$(WHEELS)/.done: requirements-mxnet.txt requirements-colab313.txt \
		| $(VENV)/.installed
	rm -rf $(@D) && mkdir -p $(@D)
	{ cat requirements-mxnet.txt; sed -n '/^setuptools==/,/# via/p' \
	  requirements-colab313.txt | grep -v '# via'; } > $(@D)/wanted.txt
	$(PY) -m pip download -q --no-deps --require-hashes -d $(@D) \
		-r $(@D)/wanted.txt
	touch $@

# MXNet for the tests of d2l.py in a stand-in, which must stay as Colab has
# it: they find MXNet here, and d2l.py in the repository, on PYTHONPATH.
COLAB_MXNET := _build/colab-mxnet
$(COLAB_MXNET)/.done: $(WHEELS)/.done
	rm -rf $(@D)
	$(PY) -m pip install -q --no-deps --no-index --find-links $(WHEELS) \
		--target $(@D) mxnet==1.9.1
	touch $@

# ---- system packages --------------------------------------------------------
# tools/build/debian.sh installs a Debian package as root, or else stops with
# the command that installs it (or, given --else, says what happens instead).
DEBIAN := sh tools/build/debian.sh

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
# make_lib runs when a notebook changed since it last passed, and when
# d2l.py did: a hand edit leaves d2l.py newer than the notebooks, and
# make_lib must refuse it (MAINTAINING.md, "The d2l library"). $(LIB_CHECKED)
# records when it passed. It rewrites d2l.py only when its text changes,
# so what depends on d2l.py is made again only then.
LIB_CHECKED := _build/.lib-checked
$(LIB_CHECKED): $(NOTEBOOKS) _toc.yml tools/library/make_lib.py \
	  $(shell [ d2l.py -nt $(LIB_CHECKED) ] && echo FORCE) | $(VENV)/.installed
	$(PY) -m tools.library.make_lib
	@mkdir -p $(@D) && touch $@
d2l.py: $(LIB_CHECKED) ;

lib: $(VENV)/.installed
	$(PY) -m tools.library.make_lib

check-lib: $(VENV)/.installed
	$(PY) -m tools.library.make_lib --check

# Re-run the notebooks in place, so that their stored outputs (which the
# tests compare against) come from a clean, seeded run.
execute: lib data
	$(PY) -m tools.build.execute $(NOTEBOOKS)

# ---- the book ------------------------------------------------------------------
# MathJax for the site and axe-core for its tests, from the npm registry,
# each checked against its published sha512 (tools/build/vendor.py).
mathjax: _build/vendor/mathjax/tex-chtml.js
_build/vendor/mathjax/tex-chtml.js: tools/build/vendor.py | $(VENV)/.installed
	$(PY) -m tools.build.vendor mathjax
axe: _build/axe/axe.min.js
_build/axe/axe.min.js: tools/build/vendor.py | $(VENV)/.installed
	$(PY) -m tools.build.vendor axe-core

# tools/build/build.py runs each build of the book: one at a time, after
# checking the sources and the caches (a cache whose inputs changed content, or
# whose files are not those of the last green build, is cleared), and such that
# nothing a failed build wrote reaches a later site. A failed build removes
# the target (else make would think the site up to date). An error in a
# notebook stops the build (nb_execution_raise_on_error) before any page
# shows its traceback.
BOOK_INPUTS := $(VENV)/.installed d2l.py _build/.data-checked $(PAGES) \
	$(wildcard tools/sphinx/*.py tools/library/*.py) _build/.solutions

# SOLUTIONS=0 builds the book without the solutions to the exercises, for a
# course that grades them (tools/sphinx/solutions.py). _build/.solutions
# keeps the setting of the last build, and changes only with it, so that
# changing it rebuilds the site and the PDF.
SOLUTIONS ?= 1
ifeq ($(filter $(SOLUTIONS),0 1),)
$(error SOLUTIONS is '$(SOLUTIONS)': set it to 1 (show the solutions, the \
  default) or 0 (leave them out))
endif
export D2L_SOLUTIONS := $(SOLUTIONS)
_build/.solutions: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = $(SOLUTIONS) ] || echo $(SOLUTIONS) > $@

# The reader notebooks carry their figures as PNG, which every Jupyter front
# end shows (JupyterLab refuses SVG attachments): rsvg-convert draws them.
RSVG := /usr/bin/rsvg-convert
html: _build/html/index.html
_build/html/index.html: $(BOOK_INPUTS) _build/vendor/mathjax/tex-chtml.js
	@$(DEBIAN) librsvg2-bin $(RSVG)
	$(call jupyter_book,html)

# $(call jupyter_book,BUILDER): one build of the book, as described above.
jupyter_book = $(PY) -m tools.build.build $@ -- \
	$(VENV)/bin/jupyter-book build . --builder $(1) --warningiserror --nitpick --keep-going

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
# stale d2l.py and hide that it was not committed. The tests that build a
# copy of the whole book again, several times over (marked `rebuild`: the
# build's recovery from failures, its caches, a fork's site), are
# `make test-build` (conftest.py marks them): about three minutes more, for
# a change to the build; CI runs them.
test: check-lib lint browser axe
	$(MAKE) html pdf
	$(PY) -m pytest -m 'not rebuild'
test-build: check-lib tex
	$(MAKE) html
	$(PY) -m pytest -m rebuild

# The loop to run while editing: the checks of the sources and of d2l.py,
# and every notebook under nbval; no build, no PDF, no browser.
QUICK := tests/test_lib.py tests/test_d2l.py tests/test_data.py \
	tests/test_notebooks.py tests/test_prose_numbers.py
test-quick: check-lib lint _build/.data-checked
	$(PY) -m pytest $(NOTEBOOKS) $(QUICK)

# Each Colab stand-in: every notebook as Colab runs it (tests/test_colab.py
# drives the stand-in's kernel) and the original book's Chapters 4 to 7 in
# its kernel (tests/test_original_chapters.py), then the tests of d2l.py
# with the stand-in's Python and pytest. The newest numpy: every notebook
# under nbval and the tests of d2l.py, configured as in `make test`.
test-compat: $(COMPAT:%=test-%)
$(COLAB:%=test-%): test-%: .venv-%/.installed $(WHEELS)/.done \
		$(COLAB_MXNET)/.done d2l.py _build/.data-checked
	@$(DEBIAN) librsvg2-bin $(RSVG)
	D2L_COLAB=$(patsubst colab%,%,$*) $(PY) -m pytest -n 0 \
		tests/test_colab.py tests/test_original_chapters.py
	PYTHONPATH=$(CURDIR)/$(COLAB_MXNET):$(CURDIR) .venv-$*/bin/python \
		-m pytest -o addopts='-p no:cacheprovider' tests/test_d2l.py \
		tests/test_data.py
test-newest: .venv-newest/.installed _build/.data-checked
	.venv-newest/bin/python -m pytest $(NOTEBOOKS) tests/test_d2l.py \
		tests/test_data.py

# The same outputs on other machines: every notebook under nbval once per
# setting of the variables that choose numpy's and MXNet's kernels and
# threads, some standing in for other processors (tools/build/fleet.py).
fleet: d2l.py _build/.data-checked
	$(PY) -m tools.build.fleet

# No cache: the tests must pass in a checkout the user cannot write to.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check --no-cache d2l.py tools tests conftest.py
	$(VENV)/bin/actionlint

bench: html
	$(PY) -m tools.build.bench

# A screenshot of each page at each width, as the site test sees it, in
# _build/screenshots/ (to look at; no test compares them).
screenshots: html browser axe
	$(PY) -m pytest tests/test_site.py -k test_page --screenshots

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
	  v=3.$${env#colab3}; [ $$env != newest ] || v=3.13; \
	  py=$$($(call find_python,$$v)); \
	  $$py -m venv _build/piptools-$$env; \
	  _build/piptools-$$env/bin/pip install -q pip-tools==7.4.1; done
	_build/piptools-newest/bin/pip-compile -q --generate-hashes \
	  --strip-extras --allow-unsafe -o requirements-newest.txt \
	  requirements-newest.in
	for env in $(COLAB); do $(PY) -m tools.build.lock_colab \
	  _build/piptools-$$env/bin/pip-compile $${env#colab}; done

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) $(COMPAT:%=.venv-%) *.egg-info
