"""Sphinx extension: write each <script> of a page once.

With Jupyter Book 1.0.4 and sphinx-thebe 0.3.1 every page declared
sphinx-thebe's inline configuration twice, and the second declaration is a
JavaScript error ("Identifier 'THEBE_JS_URL' has already been declared").
Dropping exact repeats from a page's script list fixes that whatever adds
them, and leaves distinct scripts alone.
"""


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get('script_files', []):
        # Compare what the page would get: the repeats differ in priority
        # and in an inline script's filename (None or ''), nothing else.
        attributes = getattr(script, 'attributes', {})
        key = (getattr(script, 'filename', script) or '',
               tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context['script_files'] = unique


def setup(app):
    app.connect('html-page-context', _drop_repeated_scripts, priority=900)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
