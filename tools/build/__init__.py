"""The build around Sphinx, its caches, and the maintainers' tools."""
