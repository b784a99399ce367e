"""What make runs around Sphinx: the build, its caches and measurements."""
