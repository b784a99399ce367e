"""Build helpers of the book: run them from the repository root as
``python -m tools.NAME`` (the Makefile does)."""
