"""The reader notebooks that the launch and download buttons open.

`make html` writes them to _build/html/notebooks (the extension
tools/sphinx/reader_notebooks.py). These tests read them as files, and then
open each in JupyterLab, in the browser that the site test drives.
"""
import base64
import html
import io
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest
import yaml

from tests.utils import (READER, ROOT, SITE, SPEC_EQUATIONS, SPEC_FIGURES,
                         Images, myst_left, read_notebook, site_problem)
from tools.sphinx import reader_notebooks as reader
from tools.library import toc

CONFIG = yaml.safe_load((ROOT / '_config.yml').read_text())
PAGES = [p for p in toc.docnames(ROOT) if (ROOT / f'{p}.ipynb').exists()]
SECTIONS = [p for p in PAGES if p.startswith('chapter_linear-networks/')]
LINK = re.compile(r'\[([^\]]*)\]\((https?://[^)\s]+)\)')
INSTALL = re.compile(r"'git\+https://github\.com/[\w.-]+/[\w.-]+(@\w+)?'")


def site_url():
    """Where the reader notebooks' links lead: the build's own rule."""
    env = {name: '' for name in ('reader_repository', 'reader_commit',
                                 'reader_site_url')}
    config = SimpleNamespace(
        html_baseurl='', **env, html_theme_options={
            'repository_url': CONFIG['repository']['url']})
    return reader.site_url(config)


def edition(name):
    path = READER / f'{name}.ipynb'
    if not path.exists():
        pytest.fail(f'no reader notebook {path}: run `make html` first')
    return read_notebook(path)


def markdown(nb):
    return [''.join(c['source']) for c in nb['cells']
            if c['cell_type'] == 'markdown']


def is_plot(output):
    return any(m.startswith('image/') for m in output.get('data', {}))


def plots(name):
    """(source output, reader output, the cell's alt text) of each plot."""
    source = read_notebook(ROOT / f'{name}.ipynb')
    for theirs, mine in zip(source['cells'], edition(name)['cells']):
        alt = theirs['metadata'].get('mystnb', {}).get('image', {}).get('alt')
        for before, after in zip(theirs.get('outputs', []),
                                 mine.get('outputs', [])):
            if is_plot(before):
                yield before, after, alt


def png_size(png):
    assert png.startswith(b'\x89PNG\r\n\x1a\n')
    return (int.from_bytes(png[16:20], 'big'),
            int.from_bytes(png[20:24], 'big'))


def test_every_notebook_page_has_a_reader_edition():
    written = sorted(p.relative_to(READER).with_suffix('').as_posix()
                     for p in READER.rglob('*.ipynb'))
    assert written == sorted(PAGES)


def test_the_myst_check_finds_what_the_sources_hold():
    # Each source opens with a label line, and most hold roles, figures
    # and labelled equations: the check below would fail on them.
    found = {name: myst_left('\n'.join(markdown(read_notebook(
        ROOT / f'{name}.ipynb')))) for name in PAGES}
    assert all(found.values())
    kinds = {kind for left in found.values() for kind, _ in left}
    assert kinds == {'role', 'label line', 'directive fence',
                     'labelled equation'}


@pytest.mark.parametrize('name', PAGES)
def test_no_myst_is_left(name):
    left = [item for text in markdown(edition(name))
            for item in myst_left(text)]
    assert left == []


@pytest.mark.parametrize('name', PAGES)
def test_code_and_outputs_are_the_sources(name):
    source, ours = read_notebook(ROOT / f'{name}.ipynb'), edition(name)
    assert [c['cell_type'] for c in ours['cells']] == [
        c['cell_type'] for c in source['cells']]
    for theirs, mine in zip(source['cells'], ours['cells']):
        if theirs['cell_type'] != 'code':
            continue
        # The set-up cell may name another repository and a commit.
        text = INSTALL.sub("'D2L'", ''.join(mine['source']))
        assert text == INSTALL.sub("'D2L'", ''.join(theirs['source']))
        # Plots change form (see the next test); all else is as it was.
        assert [without_plot(o) for o in mine['outputs']] == [
            without_plot(o) for o in theirs['outputs']]
        assert mine.get('execution_count') == theirs.get('execution_count')
    assert ours['metadata'] == source['metadata']


def without_plot(output):
    return ({k: v for k, v in output.items() if k not in ('data', 'metadata')}
            if is_plot(output) else output)


def test_plots_are_png_and_html_with_the_cells_alt_text():
    # JupyterLab shows no SVG output of a notebook the reader did not run,
    # and the HTML <img> carries the alt text to JupyterLab and nbconvert.
    found = [p for name in PAGES for p in plots(name)]
    assert found, 'no plots found'
    for before, after, alt in found:
        assert isinstance(alt, str) and alt, before['data']['text/plain']
        data, metadata = after['data'], after['metadata']
        assert sorted(data) == ['image/png', 'text/html', 'text/plain']
        assert data['text/plain'] == alt
        # As large on the page as the SVG (points to CSS pixels), and
        # drawn at twice that, for high-density screens.
        svg = ''.join(before['data']['image/svg+xml'])
        size = [round(float(n) * 4 / 3) for n in re.search(
            r'<svg[^>]*width="([\d.]+)pt"[^>]*height="([\d.]+)pt"',
            svg).groups()]
        assert [metadata['image/png'][k] for k in ('width', 'height')] \
            == size
        drawn = png_size(base64.b64decode(data['image/png']))
        assert all(abs(d - 2 * n) <= 1 for d, n in zip(drawn, size))
        (image,) = Images(data['text/html']).found
        assert image == {'src': f'data:image/png;base64,{data["image/png"]}',
                         'width': str(size[0]), 'height': str(size[1]),
                         'alt': alt}


def test_a_plot_without_alt_text_stops_the_build():
    cell = {'cell_type': 'code', 'metadata': {}, 'source': 'plot()',
            'outputs': [{'output_type': 'display_data', 'metadata': {},
                         'data': {'image/svg+xml': '<svg/>',
                                  'text/plain': '<Figure>'}}]}
    with pytest.raises(Exception, match='the plot of that cell has no alt '
                       r'text: give the cell the metadata "mystnb"'):
        reader.png_plots(cell, 'that cell')


def test_unsmoothed_bitmaps_stay_sharp_in_the_png():
    # imshow(interpolation='none') embeds the bitmap itself and asks for
    # `image-rendering: pixelated`, which rsvg-convert ignores: a 2 x 2
    # checkerboard drawn 60 points wide would be a grey blur.
    from PIL import Image
    checker = Image.new('L', (2, 2))
    checker.putdata([0, 255, 255, 0])
    data = io.BytesIO()
    checker.save(data, format='PNG')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink='
           '"http://www.w3.org/1999/xlink" width="60pt" height="60pt" '
           'viewBox="0 0 60 60"><image xlink:href="data:image/png;base64,'
           f'{base64.b64encode(data.getvalue()).decode()}" id="i" '
           'transform="matrix(30 0 0 30 0 0)" style="image-rendering:'
           'crisp-edges;image-rendering:pixelated" width="2" height="2"/>'
           '</svg>')
    png = reader.svg_to_png(reader.sharpened(svg, 2), 2)
    pixels = Image.open(io.BytesIO(png)).convert('L').tobytes()
    grey = [p for p in pixels if 8 < p < 247]
    assert len(pixels) == 160 * 160 and len(grey) < len(pixels) / 40


@pytest.mark.parametrize('name', PAGES)
def test_nbconvert_gives_every_image_alt_text(name):
    from nbconvert import HTMLExporter
    page, _ = HTMLExporter().from_filename(str(READER / f'{name}.ipynb'))
    assert 'No description has been provided' not in page
    alts = [image.get('alt') for image in Images(page).found]
    assert all(alts)
    assert len(alts) == sum(
        text.count('](attachment:') for text in markdown(edition(name))) \
        + len(list(plots(name)))


@pytest.mark.parametrize('name', PAGES)
def test_the_set_up_cell_stays_first_and_hidden(name):
    nb = edition(name)
    hidden = [i for i, c in enumerate(nb['cells'])
              if 'remove-cell' in c['metadata'].get('tags', [])]
    assert hidden in ([], [0])
    for i in hidden:
        metadata = nb['cells'][i]['metadata']
        assert metadata['jupyter']['source_hidden'] is True
        assert metadata['cellView'] == 'form'  # Colab's hidden code
        # Quiet when it works, so anything it prints is pip failing.
        assert 'outputs_hidden' not in metadata['jupyter']


def test_the_numbers_are_the_sites():
    tags, figures, alts = [], [], []
    for name in SECTIONS:
        text = '\n'.join(markdown(edition(name)))
        tags += re.findall(r'\\tag\{([\d.]+)\}\$\$', text)
        figures += re.findall(r'^\*\*Fig\. ([\d.]+)\*\*', text, re.M)
        # The alt text, what a screen reader says, is number and caption.
        for number, alt, legend in re.findall(
                r'!\[Figure ([\d.]+): ([^\]]+)\]\(attachment:\S+\)\n\n'
                r'\*\*Fig\. \1\*\* (.+)', text):
            assert alt == re.sub(r'[*_`]', '', legend)
            alts.append(number)
    assert tags == SPEC_EQUATIONS
    assert figures == alts == SPEC_FIGURES


@pytest.mark.parametrize('name', PAGES)
def test_figures_have_the_sites_alt_text(name):
    site = re.findall(r'<figure\b[^>]*>\s*<img alt="([^"]*)"',
                      (SITE / f'{name}.html').read_text())
    ours = [alt for text in markdown(edition(name))
            for alt in re.findall(r'!\[([^\]]*)\]\(attachment:', text)]
    assert ours == [html.unescape(alt) for alt in site]


@pytest.mark.parametrize('name', PAGES)
def test_links_into_the_book_lead_to_its_pages_and_anchors(name):
    base = site_url()
    links = [(text, url) for cell in markdown(edition(name))
             for text, url in LINK.findall(cell) if url.startswith(base)]
    for text, url in links:
        assert site_problem(SITE, url, base) is None, (text, url)
        number = re.fullmatch(r'Section ([\d.]+)', text)
        if number:  # the page it leads to has that number
            page = (SITE / url[len(base):].split('#')[0]).read_text()
            assert f'section-number">{number.group(1)}. ' in page, url


@pytest.mark.parametrize('name', PAGES)
def test_every_reference_is_a_link_into_the_book(name):
    roles = sum(len(re.findall(r'\{[a-z:]+\}`', text)) for text in markdown(
        read_notebook(ROOT / f'{name}.ipynb')))
    links = sum(len([u for _, u in LINK.findall(text)
                     if u.startswith(site_url())])
                for text in markdown(edition(name)))
    assert links == roles


def test_references_read_as_on_the_site():
    text = '\n'.join(markdown(edition(
        'chapter_linear-networks/image-classification-dataset')))
    assert '[LeCun et al., 1998](' in text
    assert f'({site_url()}references.html#' in text
    section = '\n'.join(markdown(edition(
        'chapter_linear-networks/linear-regression-concise')))
    assert re.search(r'\[Section 3\.2\]\(\S+linear-regression-scratch\.html'
                     r'#sec-linear-scratch\)', section)
    assert re.search(r'\[\(3\.1\.5\)\]\(\S+linear-regression\.html'
                     r'#equation-eq-squared-loss\)', section)


@pytest.mark.parametrize('name', PAGES)
def test_figures_are_attached_to_their_cells(name):
    for cell in edition(name)['cells']:
        text = ''.join(cell['source'])
        for image in re.findall(r'!\[[^\]]*\]\(([^)]+)\)', text):
            assert image.startswith('attachment:'), image
            name = image[len('attachment:'):]
            (mime, data), = cell['attachments'][name].items()
            # PNG, the format every front end shows, at the SVG's own size.
            assert mime == 'image/png'
            png = base64.b64decode(data)
            assert png.startswith(b'\x89PNG\r\n\x1a\n')
            size = (int.from_bytes(png[16:20], 'big'),
                    int.from_bytes(png[20:24], 'big'))
            svg = (ROOT / 'img' / name).with_suffix('.svg').read_text()
            assert size == tuple(int(n) for n in re.search(
                r'<svg[^>]*width="(\d+)"[^>]*height="(\d+)"', svg).groups())


def bare_converter():
    """A converter of a page, for what needs nothing of the build."""
    converter = reader.Converter.__new__(reader.Converter)
    converter.docname = 'chapter_x/page'
    return converter


def test_an_answer_is_a_quotation_and_going_further_a_collapsed_heading():
    converter = bare_converter()
    cell = converter.markdown_cell({
        'cell_type': 'markdown', 'metadata': {}, 'source':
        ':::{admonition} Answer\n:class: d2l-answer\nYes: the mean.\n\n'
        'As $x$ shows.\n:::\n\nThe detail.'})
    assert cell['source'] == ('> **Answer.** Yes: the mean.\n>\n'
                              '> As $x$ shows.\n\nThe detail.')
    cell = converter.markdown_cell({'cell_type': 'markdown', 'metadata': {},
                                    'source': ':::{going-further}\n:::\n'})
    assert cell['source'] == '#### Going further'
    assert cell['metadata'] == reader.COLLAPSED
    assert cell['metadata']['jp-MarkdownHeadingCollapsed'] is True


@pytest.mark.parametrize('source, message', [
    ('Text.\n\n:::{going-further}\n:::', 'a markdown cell of its own'),
    (':::{going-further}\nSome text.\n:::', 'takes no argument and no text'),
    (':::{admonition}\nNo title.\n:::', 'needs a title and a text'),
    (':::{margin}\nAside.\n:::', r'a \{margin\} block has no plain-'
     r'Markdown form: convert it in tools/sphinx/reader_notebooks.py'),
])
def test_a_directive_without_a_plain_form_stops_the_build(source, message):
    from sphinx.errors import ExtensionError
    with pytest.raises(ExtensionError, match='reader notebook of '
                       f'chapter_x/page: .*{message}'):
        bare_converter().markdown_cell(
            {'cell_type': 'markdown', 'metadata': {}, 'source': source})


def test_the_set_up_cell_installs_the_commit_built():
    nb = read_notebook(ROOT / f'{SECTIONS[1]}.ipynb')
    cell = reader.install_line(nb['cells'][0], 'd2l-linear-networks/book',
                               'someone/fork', '0123abc')
    assert "'git+https://github.com/someone/fork@0123abc'" in cell['source']
    assert cell['source'].count('git+') == 1
    with pytest.raises(Exception, match='exactly once'):
        reader.install_line(nb['cells'][0], 'other/repo', 'x/y', '')


def test_the_binder_files_are_published_beside_the_notebooks():
    for name in ('binder/requirements.txt', 'binder/postBuild',
                 'binder/apt.txt', 'binder/runtime.txt', 'd2l.py',
                 'pyproject.toml'):
        assert (READER / name).read_bytes() == (ROOT / name).read_bytes()


# ---- in JupyterLab ----------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def jupyterlab(tmp_path_factory):
    """JupyterLab on 127.0.0.1, serving a copy of the reader notebooks."""
    if not READER.is_dir():
        pytest.fail('no reader notebooks: run `make html` first')
    home = tmp_path_factory.mktemp('jupyterlab')
    shutil.copytree(READER, home / 'book')
    # Render every cell, not only those in view, so that all can be checked.
    settings = home / 'settings' / '@jupyterlab' / 'notebook-extension'
    settings.mkdir(parents=True)
    (settings / 'tracker.jupyterlab-settings').write_text(
        json.dumps({'windowingMode': 'none'}))
    port = free_port()
    env = {'HOME': str(home), 'PATH': '/usr/bin:/bin',
           'JUPYTERLAB_SETTINGS_DIR': str(home / 'settings'),
           'JUPYTER_CONFIG_DIR': str(home / 'config'),
           'JUPYTER_RUNTIME_DIR': str(home / 'runtime')}
    server = subprocess.Popen(
        [sys.executable, '-m', 'jupyterlab', '--no-browser',
         '--ip=127.0.0.1', f'--port={port}', '--allow-root',
         '--IdentityProvider.token=', '--ServerApp.terminals_enabled=False',
         f'--ServerApp.root_dir={home / "book"}', '--LabApp.news_url=None',
         '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
        env=env, stdout=subprocess.DEVNULL, stderr=open(home / 'log', 'w'))
    url = f'http://127.0.0.1:{port}/'
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f'{url}api/status', timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail((home / 'log').read_text())
                time.sleep(0.5)
        else:
            pytest.fail('JupyterLab did not start: '
                        + (home / 'log').read_text())
        yield url
    finally:
        server.terminate()
        server.wait(30)


# What a rendered cell shows of MyST that was not converted.
RENDERED_MYST = re.compile(r'\{[a-z]+(?::[a-z]+)?\}|^\([\w-]+\)=|\$\$', re.M)


# The rendered Markdown cells of the notebook in view, and its outputs.
CELLS = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell ' \
    '.jp-RenderedMarkdown'
# The buttons of its collapsed headings.
COLLAPSED = '.jp-NotebookPanel:not(.lm-mod-hidden) ' \
    '.jp-collapseHeadingButton.jp-mod-collapsed'
OUTPUTS = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'


@pytest.mark.browser
@pytest.mark.parametrize('name', PAGES)
def test_jupyterlab_shows_the_reader_notebook_as_the_site(
        jupyterlab, browser, name):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    cells = markdown(edition(name))
    tags = [t for text in cells for t in re.findall(r'\\tag\{([^}]*)\}',
                                                     text)]
    page = browser.new_page(viewport={'width': 1280, 'height': 900})

    def js(code):
        return page.evaluate(f'sel => {code}', CELLS)

    try:
        # A workspace of its own, so that no other notebook is open.
        workspace = re.sub(r'\W', '-', name)
        page.goto(f'{jupyterlab}lab/workspaces/{workspace}/tree/'
                  f'{name}.ipynb?reset')
        # Each Going further part opens collapsed, as the site folds it;
        # open them all, so that their cells are checked too.
        folded = sum(c['metadata'].get('jp-MarkdownHeadingCollapsed', False)
                     for c in edition(name)['cells'])
        page.wait_for_function(
            '([sel, n]) => document.querySelectorAll(sel).length === n',
            arg=[COLLAPSED, folded], timeout=60_000)
        page.evaluate('sel => document.querySelectorAll(sel)'
                      '.forEach(b => b.click())', COLLAPSED)
        # Cells render one by one, and MathJax typesets them after: wait
        # until every cell shows text and the typeset math stops changing.
        page.wait_for_function(
            '([sel, n]) => [...document.querySelectorAll(sel)]'
            '.filter(e => e.innerText.trim()).length === n',
            arg=[CELLS, len(cells)], timeout=60_000)
        settled, last = 0, None
        for _ in range(240):
            now = js('document.querySelectorAll(sel + " mjx-container")'
                     '.length')
            settled, last = (settled + 1 if now == last else 0), now
            if settled == 8:
                break
            time.sleep(0.125)
        for text in js('[...document.querySelectorAll(sel)]'
                       '.map(e => e.innerText)'):
            assert RENDERED_MYST.findall(text) == [], text[:300]
        # JupyterLab sets an attachment's data URL after rendering.
        broken = ('[...document.querySelectorAll(sel + " img")]'
                  '.filter(i => !i.src.startsWith("data:") || !i.complete '
                  '|| i.naturalWidth === 0).map(i => i.src.slice(0, 80))')
        try:
            page.wait_for_function(f'sel => {broken}.length === 0',
                                   arg=CELLS, timeout=10_000)
        except PlaywrightTimeout:
            pass
        assert js(broken) == []
        images = js('document.querySelectorAll(sel + " img").length')
        assert images == sum(t.count('](attachment:') for t in cells)
        # Each numbered equation shows its number, as MathJax typeset it:
        # CHTML draws each character as an mjx-c element named by its code.
        shown = js('[...document.querySelectorAll(sel + " mjx-labels")]'
                   '.map(l => [...l.querySelectorAll("mjx-c")].map(c => '
                   'String.fromCodePoint(parseInt(c.className.match('
                   '/mjx-c([0-9A-F]+)/)[1], 16))).join(""))')
        assert shown == [f'({tag})' for tag in tags]
        base = site_url()
        for href in js('[...document.querySelectorAll(sel + " a[href]")]'
                       '.map(a => a.href)'):
            if href.startswith(base):
                assert site_problem(SITE, href, base) is None, href
        check_plots(page, jupyterlab, name)
    finally:
        page.close()


def check_plots(page, jupyterlab, name):
    """Each plot is an image with its alt text, in an untrusted notebook.

    A reader who downloads a notebook, or opens it on Binder, has not run
    it, so JupyterLab has not signed it and shows only 'safe' outputs.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    with urllib.request.urlopen(f'{jupyterlab}api/contents/{name}.ipynb',
                                timeout=30) as response:
        cells = json.load(response)['content']['cells']
    assert all(c['metadata'].get('trusted') is False for c in cells
               if c['cell_type'] == 'code')
    alts = [alt for _, _, alt in plots(name)]
    shown = ('[...document.querySelectorAll(sel + " img")].map(i => '
             '[i.alt, i.src.startsWith("data:image/png;") && i.complete '
             '&& i.naturalWidth > 0])')
    try:
        page.wait_for_function(
            f'([sel, n]) => {shown}.filter(([, ok]) => ok).length === n',
            arg=[OUTPUTS, len(alts)], timeout=10_000)
    except PlaywrightTimeout:
        pass
    assert page.evaluate(f'sel => {shown}', OUTPUTS) == [
        [alt, True] for alt in alts]
    assert not page.evaluate('sel => [...document.querySelectorAll(sel)]'
                             '.some(e => e.innerText.includes("<Figure "))',
                             OUTPUTS)
