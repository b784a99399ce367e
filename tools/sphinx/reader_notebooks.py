"""Sphinx extension: the reader edition of every notebook, and buttons to it.

The book's notebooks are written in MyST, which only Sphinx understands:
Colab, JupyterLab, VS Code and GitHub would show {numref}`sec_softmax`,
``(label)=`` lines and figure fences as they are. So once the site is
built, this writes each notebook page again as plain Jupyter Markdown, to
``notebooks/<docname>.ipynb`` in the site, with what this build resolved:

* every cross-reference, resolved by the Sphinx domain that resolves it on
  the site ("Section 3.2", "(3.1.4)", "Fig. 3.1.1", a page's title, an
  author-year citation), as a link to the published page and anchor;
* ``\\tag{3.1.4}`` on each numbered display equation, label lines dropped;
* each figure as an image attached to its cell (it shows offline and on
  Colab, which fetches the notebook alone), with its number and caption,
  and the site's alt text;
* each plot as a PNG in an HTML ``<img>`` with the cell's alt text: an
  untrusted notebook (one the reader did not run) shows no SVG output in
  JupyterLab, and nbconvert gives an image output no alt text;
* hidden cells hidden where Jupyter front ends can hide them;
* each exercise as "**Exercise 3.2.1.**" and its text, each solution under
  a heading "Solution to Exercise 3.2.1" in the Solutions section that
  follows the exercises (or, with D2L_SOLUTIONS=0, no Solutions section);
  a solution's answer (an admonition) as a quotation that begins
  "**Answer.**", and its Going further part
  (tools/sphinx/going_further.py) under a heading of that name, which
  JupyterLab shows collapsed, as the site shows the part folded.

Code cells and their outputs are the source notebook's own, except that
the set-up cell installs the d2l of the commit the site was built from and
plots are PNG.
Beside the notebooks go the files Binder needs, so that the folder can be
published as a branch (``reader_branch``) of the repository, which the
site's Colab and Binder buttons open; its download button takes the
notebook from the site.

Where the book is published comes from ``repository.url`` in _config.yml,
or from the environment, so that a fork's workflow publishes working
buttons without an edit: D2L_REPOSITORY (owner/name), D2L_COMMIT (the
commit built) and D2L_SITE_URL (else https://OWNER.github.io/NAME/). They
are config values too, so Sphinx writes every page again when they change.
"""
import base64
import copy
import html
import io
import json
import math
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

from docutils import nodes
from PIL import Image  # matplotlib's own dependency
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util import logging

from tools.library.notebooks import ROLES, book_metadata, without_solutions
from tools.sphinx.figure_alt import figure_alt

logger = logging.getLogger(__name__)
FOLDER = 'notebooks'
BRANCH = 'notebooks'  # .github/workflows/book.yml publishes it
# What Binder needs beside the notebooks: its configuration and d2l itself.
BINDER_FILES = ('binder', 'd2l.py', 'pyproject.toml')
ROLE = re.compile(r'\{([a-z]+(?::[a-z]+)?)\}`([^`]+)`')
LABEL_LINE = re.compile(r'^\([\w-]+\)=[ \t]*\n?', re.M)
LABELLED_MATH = re.compile(r'\$\$(.+?)\$\$[ \t]*\(([\w-]+)\)', re.S)
FENCE = re.compile(r'^(```+|:::+)\{([\w-]+)\}[ \t]*(.*?)\n(.*?)^\1[ \t]*$',
                   re.S | re.M)
OPTION = re.compile(r'^:([\w-]+):[ \t]*(.*)$')
# A solution's Going further part: a heading one level below the solution's
# (### Solution to ...), so that collapsing it hides the cells up to the
# next solution. JupyterLab 4 reads the first key, the classic Notebook's
# collapsible headings the second.
GOING_FURTHER = '#### Going further'
COLLAPSED = {'jp-MarkdownHeadingCollapsed': True, 'heading_collapsed': True}
# Jupyter Book's hiding tags, as the cell metadata Jupyter front ends know:
# JupyterLab and VS Code collapse `jupyter.*_hidden`, Colab a 'form' cell.
HIDDEN = {'remove-cell': ('source', 'outputs'), 'hide-cell': ('source',),
          'remove-input': ('source',), 'hide-input': ('source',),
          'remove-output': ('outputs',), 'hide-output': ('outputs',)}
RSVG = os.environ.get('RSVG', '/usr/bin/rsvg-convert')
# Plots are drawn at twice their size, sharp on high-density screens.
PLOT_ZOOM = 2
SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?'
                      r'\bheight="([\d.]+)pt"')
# A bitmap that matplotlib embeds unsmoothed (imshow's interpolation
# 'none'): its data and its scale, in points per pixel.
PIXELATED = re.compile(
    r'(<image\b[^>]*?xlink:href="data:image/png;base64,)([^"]+)("[^>]*?'
    r'transform="matrix\(([\d.]+) [^>]*?image-rendering:pixelated[^>]*>)')


def svg_to_png(svg, zoom=1):
    """PNG bytes of an SVG (a path, or its text), drawn by rsvg-convert."""
    if not Path(RSVG).exists():
        raise ExtensionError(f'reader notebooks need {RSVG} for the SVG '
                             "figures and plots: `make html` installs "
                             "Debian's librsvg2-bin")
    path = isinstance(svg, Path)
    return subprocess.run(
        [RSVG, '--format=png', f'--zoom={zoom}'] + ([str(svg)] if path
                                                     else []),
        input=None if path else svg.encode('utf-8'), check=True,
        capture_output=True).stdout


def image(path):
    """(name, PNG bytes) of a figure: JupyterLab shows no SVG attachment."""
    if path.suffix.lower() == '.png':
        return path.name, path.read_bytes()
    if path.suffix.lower() != '.svg':
        raise ExtensionError(f'reader notebooks: figure {path.name} is '
                             'neither SVG nor PNG')
    return path.with_suffix('.png').name, svg_to_png(path)


def sharpened(svg, zoom):
    """The SVG with each unsmoothed bitmap enlarged, pixel by pixel.

    rsvg-convert ignores `image-rendering: pixelated` and smooths such a
    bitmap, so a 10 x 10 confusion matrix would become a blur; enlarged
    to at least the pixels it is drawn on, it stays a grid of squares.
    """
    def enlarge(match):
        small = Image.open(io.BytesIO(base64.b64decode(match.group(2))))
        # CSS pixels per point (4/3), times the zoom: pixels per pixel.
        factor = math.ceil(float(match.group(4)) * 4 / 3 * zoom)
        large = small.resize((small.width * factor, small.height * factor),
                             Image.NEAREST)
        data = io.BytesIO()
        large.save(data, format='PNG')
        return (match.group(1) + base64.b64encode(data.getvalue()).decode()
                + match.group(3))
    return PIXELATED.sub(enlarge, svg)


def plot(data, alt):
    """An SVG plot's output data as HTML and PNG, both with `alt`.

    JupyterLab shows an untrusted notebook's outputs of 'safe' types only,
    which include PNG and sanitized HTML but not SVG; and HTML, which
    JupyterLab, nbconvert and Colab prefer to an image, is the one output
    that carries alt text to all of them.
    """
    svg = ''.join(data['image/svg+xml'])
    size = SVG_SIZE.search(svg)
    if not size:
        raise ExtensionError('reader notebooks: a plot\'s SVG gives no '
                             'width and height in points, as matplotlib '
                             'writes them')
    # Its size on the page in CSS pixels (96 per inch, 72 points per inch).
    width, height = (round(float(n) * 4 / 3) for n in size.groups())
    png = base64.b64encode(svg_to_png(sharpened(svg, PLOT_ZOOM),
                                      PLOT_ZOOM)).decode()
    tag = (f'<img src="data:image/png;base64,{png}" width="{width}" '
           f'height="{height}" alt="{html.escape(alt)}">')
    return {'text/html': tag, 'image/png': png, 'text/plain': alt}, {
        'image/png': {'width': width, 'height': height}}


def repository(config, published=True):
    """(owner/name, commit or '') of the repository the site is built from.

    With published=False: the one _config.yml names, as the sources do.
    """
    name = config.reader_repository.strip() if published else ''
    if not name:
        url = config.html_theme_options.get('repository_url', '')
        match = re.fullmatch(r'https://github\.com/([\w.-]+/[\w.-]+?)/?',
                             url)
        if not match:
            raise ExtensionError(f'reader notebooks: repository.url {url!r} '
                                 'is not https://github.com/OWNER/NAME')
        name = match.group(1)
    return name, config.reader_commit.strip() if published else ''


def site_url(config):
    """The published site's base URL, ending in '/'."""
    url = config.reader_site_url or config.html_baseurl
    if not url:
        owner, name = repository(config)[0].split('/')
        url = (f'https://{owner}.github.io/' if name.lower() ==
               f'{owner.lower()}.github.io' else
               f'https://{owner}.github.io/{name}/')
    return url.rstrip('/') + '/'


class Converter:
    """Turns one source notebook into its reader edition."""

    def __init__(self, app, docname):
        self.app, self.env, self.docname = app, app.env, docname
        self.page_url = urljoin(site_url(app.config),
                                app.builder.get_target_uri(docname))

    def fail(self, message):
        raise ExtensionError(f'reader notebook of {self.docname}: {message}')

    # ---- cross-references ---------------------------------------------
    def resolve(self, role, text):
        """A role's text as Markdown, as Sphinx resolved it for the site."""
        if role not in ROLES:
            self.fail(f'{{{role}}} has no plain-Markdown form: add it to '
                      'ROLES in tools/library/notebooks.py')
        domain, typ = ROLES[role]
        explicit = re.fullmatch(r'(.*?)\s*<([^<>]+)>', text, re.S)
        title, target = explicit.groups() if explicit else (text, text)
        node = addnodes.pending_xref(
            '', refdomain=domain, reftype=typ, reftarget=target,
            refexplicit=bool(explicit), refdoc=self.docname, refwarn=True)
        contnode = nodes.inline(title, title)
        node += contnode
        resolved = self.env.get_domain(domain).resolve_xref(
            self.env, self.docname, self.app.builder, typ, target, node,
            contnode)
        if resolved is None:
            self.fail(f'{{{role}}}`{text}` does not resolve')
        return self.markdown(resolved)

    def markdown(self, node):
        """Inline Markdown for a resolved node: its text, its links."""
        if isinstance(node, nodes.Text):
            return str(node)
        inner = ''.join(self.markdown(child) for child in node.children)
        if isinstance(node, nodes.reference):
            # Sphinx links within a page by refid, to others by refuri.
            uri = node.get('refuri') or f'#{node["refid"]}'
            return f'[{inner}]({urljoin(self.page_url, uri)})'
        return inner

    # ---- numbers -------------------------------------------------------
    def equation_number(self, label):
        equations = self.env.get_domain('math').equations
        if label not in equations:
            self.fail(f'equation {label} has no number')
        docname, _ = equations[label]
        node_id = nodes.make_id(f'equation-{label}')
        numbers = self.env.toc_fignumbers.get(docname, {}).get(
            'displaymath', {}).get(node_id)
        if not numbers:
            self.fail(f'equation {label} has no number')
        number = '.'.join(map(str, numbers))
        return self.app.config.math_numsep.join(number.rsplit('.', 1))

    def number(self, kind, docname, node_id, option):
        """'3.1.1': a figure's or an exercise's number."""
        numbers = self.env.toc_fignumbers.get(docname, {}).get(
            kind, {}).get(node_id)
        if not numbers:
            self.fail(f'{kind} {node_id!r} has no number: give it a '
                      f':{option}:')
        return '.'.join(map(str, numbers))

    def numbered(self, kind, docname, node_id, option):
        """'Fig. 3.1.1', 'Exercise 3.2.4': a figure's or exercise's name."""
        return self.app.config.numfig_format[kind] % self.number(
            kind, docname, node_id, option)

    def figure_number(self, label):
        """'3.1.1', the number of the figure named `label`."""
        docname, node_id, _ = self.env.get_domain('std').labels.get(
            label, (None, label, None))
        return self.number('figure', docname, node_id, 'name')

    def exercise_number(self, label):
        registry = getattr(self.env, 'sphinx_exercise_registry', {})
        docname = registry.get(label, {}).get('docname')
        return self.numbered('exercise', docname, label, 'label')

    # ---- cells -----------------------------------------------------------
    def figure(self, path, body, attachments):
        options, caption = split_options(body)
        source = (Path(self.env.doc2path(self.docname)).parent / path)
        if not source.is_file():
            self.fail(f'figure {path}: no such image file')
        name, data = image(source)
        attachments[name] = {'image/png': base64.b64encode(data).decode()}
        number = (self.figure_number(options['name']) if 'name' in options
                  else '')
        # Alt text is read aloud and shown when an image cannot be: the
        # site's (tools/sphinx/figure_alt.py), in plain text.
        plain = re.sub(r'[][*_`]', '', ROLE.sub(r'\2', caption))
        alt = (re.sub(r'[][]', '', options['alt']) if 'alt' in options
               else figure_alt(number, plain))
        text = f'![{alt}](attachment:{name})'
        shown = (self.app.config.numfig_format['figure'] % number if number
                 else '')  # as the site's caption shows it: 'Fig. 3.1.1'
        legend = ' '.join(part for part in (f'**{shown}**' if shown else '',
                                            caption) if part)
        return f'{text}\n\n{legend}' if legend else text

    def fence(self, match, attachments):
        _, directive, argument, body = match.groups()
        if directive == 'figure':
            return self.figure(argument.strip(), body, attachments)
        if directive in ('exercise', 'solution-start', 'solution-end'):
            options, text = split_options(body)
            if directive == 'exercise':
                number = self.exercise_number(options.get('label', ''))
                return f'**{number}.** {text}'
            if directive == 'solution-start':
                number = self.exercise_number(argument.strip())
                return f'### Solution to {number}'
            return ''  # the end of a solution
        if directive == 'admonition':  # a title, and its text set apart
            _, text = split_options(body)
            if not argument.strip() or not text:
                self.fail('an {admonition} needs a title and a text')
            return quotation(f'**{argument.strip()}.** {text}')
        if directive == 'going-further':
            self.fail('give the {going-further} fence a markdown cell of '
                      'its own, with nothing else in it')
        self.fail(f'a {{{directive}}} block has no plain-Markdown form: '
                  'convert it in tools/sphinx/reader_notebooks.py')

    def markdown_cell(self, cell):
        text = ''.join(cell['source'])
        match = FENCE.fullmatch(text.strip())
        if match and match.group(2) == 'going-further':
            if match.group(3).strip() or match.group(4).strip():
                self.fail('{going-further} takes no argument and no text: '
                          'the cells after it are the part')
            metadata = dict(cell.get('metadata', {}), **COLLAPSED)
            return dict(cell, source=GOING_FURTHER, metadata=metadata)
        attachments = dict(cell.get('attachments', {}))
        text = FENCE.sub(lambda m: self.fence(m, attachments), text)
        text = LABEL_LINE.sub('', text)
        text = LABELLED_MATH.sub(
            lambda m: (f'$${m.group(1).rstrip()} '
                       f'\\tag{{{self.equation_number(m.group(2))}}}$$'),
            text)
        text = ROLE.sub(lambda m: self.resolve(*m.groups()), text)
        cell = dict(cell, source=text.strip('\n'))
        if attachments:
            cell['attachments'] = attachments
        return cell


def png_plots(cell, where):
    """The code cell with each SVG plot as HTML and PNG (see `plot`).

    `where` names the cell in the error for a plot without alt text.
    """
    outputs = [o for o in cell.get('outputs', [])
               if 'image/svg+xml' in o.get('data', {})]
    if not outputs:
        return cell
    alt = cell['metadata'].get('mystnb', {}).get('image', {}).get('alt')
    if not isinstance(alt, str) or not alt.strip():
        raise ExtensionError(
            f'the plot of {where} has no alt text: give the cell the '
            'metadata "mystnb": {"image": {"alt": "..."}}, a sentence that '
            'says what the plot shows')
    for output in outputs:
        output['data'], output['metadata'] = plot(output['data'],
                                                  alt.strip())
    return cell


def quotation(text):
    """Markdown text as a block quotation, set apart in every front end."""
    return '\n'.join(f'> {line}'.rstrip() for line in text.splitlines())


def split_options(body):
    """A directive's body as ({option: value}, the text after them)."""
    options, lines = {}, body.splitlines()
    while lines and OPTION.match(lines[0]):
        key, value = OPTION.match(lines.pop(0)).groups()
        options[key] = value
    return options, '\n'.join(lines).strip()


def hide(cell):
    """Carry Jupyter Book's hiding tags over to Jupyter's own metadata."""
    parts = {part for tag in cell.get('metadata', {}).get('tags', [])
             for part in HIDDEN.get(tag, ())}
    if parts:
        metadata = cell['metadata']
        jupyter = dict(metadata.get('jupyter', {}))
        for part in sorted(parts):
            jupyter[f'{part}_hidden'] = True
        metadata['jupyter'] = jupyter
        if 'source' in parts:
            metadata['cellView'] = 'form'  # Colab's collapsed code
    return cell


def install_line(cell, source_repo, repo, commit):
    """The set-up cell, installing d2l from `repo` at `commit`."""
    text = ''.join(cell['source'])
    old = f'git+https://github.com/{source_repo}'
    if text.count(f"'{old}'") != 1:
        raise ExtensionError(
            f"the set-up cell must install d2l as '{old}' exactly once, "
            'so that its reader edition can pin the commit built')
    new = f'git+https://github.com/{repo}' + (f'@{commit}' if commit else '')
    return dict(cell, source=text.replace(f"'{old}'", f"'{new}'"))


def is_setup(cell):
    return (cell['cell_type'] == 'code' and 'remove-cell' in
            cell.get('metadata', {}).get('tags', []) and
            'git+https://github.com/' in ''.join(cell['source']))


def reader_notebook(app, docname):
    """The reader edition of one source notebook, as a dict."""
    source = json.loads(Path(app.env.doc2path(docname)).read_text('utf-8'))
    if not getattr(app.config, 'd2l_solutions', True):  # SOLUTIONS=0
        source = without_solutions(source)
    converter = Converter(app, docname)
    repo, commit = repository(app.config)
    source_repo = repository(app.config, published=False)[0]
    cells = []
    for cell in copy.deepcopy(source['cells']):
        if cell['cell_type'] == 'markdown':
            cell = converter.markdown_cell(cell)
        elif is_setup(cell):
            cell = install_line(cell, source_repo, repo, commit)
        elif cell['cell_type'] == 'code':
            first = ''.join(cell['source']).partition('\n')[0]
            cell = png_plots(cell, f'the code cell of {docname} that '
                             f'begins {first!r}')
        cell = hide(cell)
        if is_setup(cell):
            # Quiet when it works; when pip fails, its message must show.
            cell['metadata']['jupyter'].pop('outputs_hidden')
        cells.append(cell)
    return dict(source, cells=cells,
                metadata=book_metadata(source['metadata']))


def notebook_pages(env):
    return sorted(d for d in env.found_docs
                  if Path(env.doc2path(d)).suffix == '.ipynb')


def write_if_changed(path, data):
    """Write bytes atomically, and only when they differ."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f'.{path.name}.tmp')
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_reader_notebooks(app, exception):
    if exception is not None or app.builder.format != 'html':
        return
    start = time.perf_counter()
    out = Path(app.outdir) / FOLDER
    root = Path(app.srcdir)
    wanted = {}
    for docname in notebook_pages(app.env):
        nb = reader_notebook(app, docname)
        wanted[f'{docname}.ipynb'] = (json.dumps(
            nb, indent=1, ensure_ascii=False) + '\n').encode('utf-8')
    for name in BINDER_FILES:
        path = root / name
        for file in ([path] if path.is_file() else
                     sorted(p for p in path.rglob('*') if p.is_file())):
            wanted[file.relative_to(root).as_posix()] = file.read_bytes()
    for name, data in wanted.items():
        write_if_changed(out / name, data)
    for path in sorted(out.rglob('*'), reverse=True):
        name = path.relative_to(out).as_posix()
        if path.is_file() and name not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
    logger.info(f'reader notebooks: {len(wanted)} files in {out} '
                f'({time.perf_counter() - start:.2f} s)')


def launch_buttons(app, pagename, templatename, context, doctree):
    """Point the Binder, Colab and .ipynb buttons at the reader edition."""
    if Path(app.env.doc2path(pagename)).suffix != '.ipynb':
        return
    launch = app.config.html_theme_options.get('launch_buttons', {})
    repo, _ = repository(app.config)
    branch, path = app.config.reader_branch, f'{pagename}.ipynb'
    ui = {'jupyterlab': 'lab/tree', 'classic': 'tree'}[
        launch.get('notebook_interface', 'classic')]
    urls = {
        'Binder': f"{launch.get('binderhub_url', '').rstrip('/')}/v2/gh/"
                  f'{repo}/{branch}?urlpath={ui}/{path}',
        'Colab': f"{launch.get('colab_url', '').rstrip('/')}/github/"
                 f'{repo}/blob/{branch}/{path}',
        '.ipynb': context['pathto'](f'{FOLDER}/{path}', 1),
    }
    found = set()
    for group in context.get('header_buttons', []):
        for button in group.get('buttons', []):
            if button.get('text') in urls and button.get('type') == 'link':
                button['url'] = urls[button['text']]
                found.add(button['text'])
    missing = {t for t in urls if t != 'Binder' or launch.get(
        'binderhub_url')} - found
    if missing:
        raise ExtensionError(f'{pagename}: no {sorted(missing)} button to '
                             'point at the reader notebook')


def setup(app):
    app.add_config_value('reader_branch', BRANCH, 'html')
    for name in ('repository', 'commit', 'site_url'):
        app.add_config_value(f'reader_{name}', os.environ.get(
            f'D2L_{name.upper()}', ''), 'html')
    app.connect('html-page-context', launch_buttons, priority=900)
    app.connect('build-finished', write_reader_notebooks)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
