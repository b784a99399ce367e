"""The book's tools, by job; run them from the repository root as
``python -m tools.JOB.NAME`` (the Makefile does).

- ``library``: the book's sources as data (its notebooks and table of
  contents) and ``d2l.py``, generated from them;
- ``build``: the build around Sphinx, its caches and the packages it
  vendors, and the maintainers' measurements and copies (bench, fleet,
  locks, the original book's code for the tests);
- ``sphinx``: the Sphinx extensions that ``_config.yml`` loads, and the
  site's own CSS and JavaScript (``sphinx/static``).
"""
