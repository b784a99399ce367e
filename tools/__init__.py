"""The book's tools, by job; run them from the repository root as
``python -m tools.JOB.NAME`` (the Makefile does).

- ``library``: the book's sources as data (its notebooks and table of
  contents) and ``d2l.py``, generated from them;
- ``build``: what ``make`` runs around Sphinx: the build, its caches, the
  packages it vendors, and the measurements (bench, fleet, locks);
- ``sphinx``: the Sphinx extensions that ``_config.yml`` loads, and the
  site's own CSS and JavaScript (``sphinx/static``).
"""
