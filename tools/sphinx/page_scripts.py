"""Sphinx extension: the scripts of each page, each once, MathJax only
where there is math; and one viewport meta tag.

* With Jupyter Book 1.0.4 and sphinx-thebe 0.3.1 every page declared
  sphinx-thebe's inline configuration twice, and the second declaration is
  a JavaScript error ("Identifier 'THEBE_JS_URL' has already been
  declared"). Dropping exact repeats from a page's script list fixes that
  whatever adds them, and leaves distinct scripts alone.
* Sphinx loads MathJax (about 1 MB) on a page whose table of contents lists
  pages with math, though the page itself has none (the front page, the
  chapter's index). The page's own record of math decides here.
* Every page had three <meta name="viewport"> tags: Sphinx's basic layout
  writes one, docutils' HTML5 writer adds one to the page's meta tags and
  pydata-sphinx-theme's layout a third. The first is kept; the others go
  from the page as rendered, since two of them are in templates.
"""
import re

VIEWPORT = re.compile(r'[ \t]*<meta name="viewport"[^>]*>\n?')


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


def _is_mathjax(script, path):
    name = getattr(script, 'filename', script) or ''
    body = getattr(script, 'attributes', {}).get('body', '')
    return name == path or body.startswith('window.MathJax =')


def _drop_mathjax_without_math(app, pagename, templatename, context,
                               doctree):
    # Not MathDomain.has_equations: it counts the pages of the toctree too.
    has_math = app.env.get_domain('math').data['has_equations']
    if doctree is None or has_math.get(pagename):
        return
    path = app.config.mathjax_path
    if '://' not in path:
        path = f'_static/{path}'  # as Sphinx's add_js_file stores it
    context['script_files'] = [s for s in context.get('script_files', [])
                               if not _is_mathjax(s, path)]


def one_viewport(page):
    """page (HTML) with its first viewport meta tag only."""
    first = VIEWPORT.search(page)
    if first is None:
        return page
    return page[:first.end()] + VIEWPORT.sub('', page[first.end():])


def _render_one_viewport(app):
    templates = getattr(app.builder, 'templates', None)
    if app.builder.format != 'html' or templates is None:
        return
    render = templates.render

    def render_page(template, context):
        return one_viewport(render(template, context))
    templates.render = render_page


def setup(app):
    app.connect('builder-inited', _render_one_viewport)
    # After sphinx.ext.mathjax adds its scripts (priority 500).
    app.connect('html-page-context', _drop_mathjax_without_math,
                priority=600)
    app.connect('html-page-context', _drop_repeated_scripts, priority=900)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
