"""The built book in a real browser: headless Chromium driven by Playwright.

Serves _build/html on 127.0.0.1 and loads every page of the table of
contents. Needs the site (`make html`) and, for the tests marked
`browser`, Debian's chromium package (`make browser`). With --screenshots
(`make screenshots`), a screenshot of each page at each width is saved in
_build/screenshots/.
"""
import gzip
import html
import re
from urllib.parse import unquote, urljoin, urlparse

import pytest
import yaml

from tests.utils import (READER, ROOT, SITE, SPEC_EQUATIONS, SPEC_FIGURES,
                         SPEC_SECTIONS, Images, code_links, public_names,
                         serve, site_problem)
from tools.sphinx import reader_notebooks as reader
from tools.library import toc

SHOTS = ROOT / '_build' / 'screenshots'
AXE = ROOT / '_build' / 'axe' / 'axe.min.js'
MAX_PAGE_BYTES = 1_500_000
CONFIG = yaml.safe_load((ROOT / '_config.yml').read_text())


PAGES = toc.docnames(ROOT)
NOTEBOOK_PAGES = [p for p in PAGES if (ROOT / f'{p}.ipynb').exists()]


@pytest.fixture(scope='module')
def site():
    if not (SITE / 'index.html').exists():
        pytest.fail('the site is not built: run `make html` first')
    with serve(SITE) as url:
        yield url


def load(browser, url, width=1280):
    """Open url; return the page and what went wrong or was loaded.

    At a phone's width (below 576 px) the page is a phone's: touch, and
    mobile layout rules.
    """
    phone = width < 576
    page = browser.new_page(viewport={'width': width, 'height': 900},
                            has_touch=phone, is_mobile=phone)
    problems, responses = [], {}
    page.on('console', lambda m: problems.append(f'console {m.type}: {m.text}')
            if m.type in ('error', 'warning') else None)
    page.on('pageerror', lambda e: problems.append(f'page error: {e}'))
    page.on('requestfailed', lambda r: problems.append(f'failed: {r.url}'))

    def on_response(response):
        if response.status >= 400:
            problems.append(f'HTTP {response.status}: {response.url}')
        else:
            responses[response.url] = response.body()
    page.on('response', on_response)
    page.goto(url, wait_until='networkidle')
    page.evaluate('window.MathJax ? MathJax.startup.promise : null')
    page.wait_for_load_state('networkidle')
    return page, problems, responses


# A phone's width, and a laptop's.
WIDTHS = {'phone': 390, 'laptop': 1280}
MIN_TEXT_PX = 9  # the smallest text a figure may show, in CSS pixels


@pytest.mark.browser
@pytest.mark.parametrize('width', WIDTHS.values(), ids=WIDTHS)
@pytest.mark.parametrize('name', PAGES)
def test_page(site, browser, axe, name, width, pytestconfig):
    page, problems, responses = load(browser, f'{site}{name}.html', width)
    try:
        assert problems == []
        # MathJax typeset every formula: none left as TeX, no error boxes.
        assert page.locator('mjx-merror').count() == 0
        untypeset = page.evaluate('''[...document.querySelectorAll(".math")]
            .filter(e => !e.querySelector("mjx-container")).length''')
        assert untypeset == 0
        text = page.inner_text('article')
        assert '$$' not in text and '\\begin{' not in text
        # Every figure and plot is there and has loaded.
        broken = page.evaluate('''[...document.images]
            .filter(i => !i.complete || i.naturalWidth === 0)
            .map(i => i.src)''')
        assert broken == []
        check_links(page, site, name)
        check_weight(responses, site, name)
        # MathJax (about 1 MB) loads where there is math, and only there.
        has_math = page.evaluate('document.querySelector(".math") !== null')
        assert has_math == any('/mathjax/' in url for url in responses)
        check_sidebar(page, width)
        check_back_to_top(page, width)
        check_keyboard(page)
        # With every solution and its Going further part unfolded, so
        # that theirs are checked too.
        page.evaluate('''[...document.querySelectorAll(
                ".solution.toggle-hidden .toggle-button, "
                + ".d2l-going-further.toggle-hidden .toggle-button")]
            .forEach(b => b.click())''')
        page.wait_for_timeout(100)  # the figures' ResizeObserver
        check_fold_names(page)
        if width >= 1280:
            # No code block scrolls sideways; the longest line of any that
            # does. (On a phone, 79 columns of code do not fit: they scroll.)
            wide = page.evaluate('''[...document.querySelectorAll(
                    "article pre")]
                .filter(e => e.scrollWidth > e.clientWidth)
                .map(e => e.textContent.split("\\n")
                     .reduce((a, b) => b.length > a.length ? b : a))''')
            assert wide == [], f'{name}: code blocks wider than the page'
            # And each has room for 79 columns (PEP 8), whatever its lines.
            narrow = page.evaluate('''[...document.querySelectorAll(
                    "article pre")].filter(e => {
                    const s = getComputedStyle(e), line = document
                        .createElement("span");
                    line.style.font = s.font;
                    line.style.whiteSpace = "pre";
                    line.textContent = "m".repeat(79);
                    e.append(line);
                    const w = line.getBoundingClientRect().width;
                    line.remove();
                    return w > e.clientWidth - parseFloat(s.paddingLeft)
                        - parseFloat(s.paddingRight);
                }).map(e => e.textContent.slice(0, 40))''')
            assert narrow == [], f'{name}: code blocks under 79 columns'
        check_fits(page, name, width)
        check_figure_text(page, site, width)
        # Colours measured as they settle, not halfway through the theme's
        # transitions, nor the back-to-top button's fading in (the Tab
        # key's tour scrolled the page).
        page.add_style_tag(content='*, *::before, *::after { transition: '
                           'none !important; animation: none !important }')
        page.evaluate('window.scrollTo(0, 0)')
        page.locator('#pst-back-to-top').wait_for(state='hidden')
        # Every rule in light mode; in dark mode only the colours change,
        # and they do not depend on the width.
        themes = [('light', None)]
        if width >= 1280:
            themes.append(('dark', ['color-contrast']))
        for theme, rules in themes:
            page.evaluate(f'document.documentElement.dataset.theme = '
                          f'"{theme}"')
            assert axe_violations(page, axe, rules) == [], f'{name}, {theme}'
        if pytestconfig.getoption('screenshots'):
            SHOTS.mkdir(parents=True, exist_ok=True)
            shot = f"{name.replace('/', '_')}-{width}.jpeg"
            page.screenshot(path=str(SHOTS / shot), full_page=True,
                            type='jpeg', quality=80)
    finally:
        page.close()


@pytest.fixture(scope='module')
def axe():
    """axe-core's script (`make axe` fetches it)."""
    if not AXE.exists():
        pytest.fail(f'{AXE.relative_to(ROOT)} is missing: run `make axe`')
    return AXE.read_text()


def axe_violations(page, axe, rules=None):
    """axe-core's serious and critical findings on the page, in brief: by
    all its rules, or by those named (a theme changes only colours)."""
    if not page.evaluate('window.axe !== undefined'):
        page.add_script_tag(content=axe)
    return page.evaluate('''rules => axe.run(rules ? {runOnly: rules} : {})
        .then(r => r.violations
        .filter(v => ["serious", "critical"].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.map(n => n.target).join(", ")}`))''',
        rules)


def check_fits(page, name, width):
    """Nothing makes the page scroll sideways; every display equation fits
    its column or, on a phone, at least shows a scrollbar."""
    sideways = page.evaluate(
        'document.documentElement.scrollWidth - window.innerWidth')
    assert sideways <= 0, f'{name} scrolls sideways by {sideways} px'
    # What scrolls sideways: equations, and tables (which may, with a bar).
    scrolling = page.evaluate('''[...document.querySelectorAll(
            "div.math, .pst-scrollable-table-container")]
        .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
        .map(e => [e.matches("div.math"), {id: e.closest("[id]")?.id,
                   over: e.scrollWidth - e.clientWidth,
                   bar: e.offsetHeight - e.clientHeight}])''')
    wider = [w for is_math, w in scrolling if is_math]
    if width >= 1280:
        assert wider == [], f'{name}: equations wider than the column'
    else:
        assert [w for w in wider if w['bar'] < 4] == [], (
            f'{name}: equations scroll with no scrollbar')
    tables = [w['id'] for is_math, w in scrolling
              if not is_math and w['bar'] < 4]
    assert tables == [], f'{name}: tables scroll with no scrollbar'
    # An equation broken into lines is broken between its terms: not inside
    # an aligned derivation's cells (which scrolls instead), nor inside
    # brackets, which each line opens and closes.
    lines = page.evaluate('''[...document.querySelectorAll(
            'mjx-container[display="true"]')].filter(e => e.offsetParent)
        .flatMap(e => [...e.querySelectorAll("mjx-linebox")].map(line => [
            e.closest("[id]")?.id, line.textContent,
            line.closest("mjx-mtd") !== null]))''')
    assert [(i, text) for i, text, in_cell in lines if in_cell] == [], (
        f'{name}: equations broken inside a table cell')
    assert [(i, text) for i, text, _ in lines if not balanced(text)] == [], (
        f'{name}: equations broken inside brackets')
    # A formula in the text, which cannot scroll, fits its paragraph.
    clipped = page.evaluate('''[...document.querySelectorAll(
            'mjx-container:not([display="true"])')]
        .filter(e => e.offsetParent && !e.closest("div.math"))
        .filter(e => e.getBoundingClientRect().width >
                     e.closest("p, li, td, dd").clientWidth + 1)
        .map(e => e.textContent)''')
    assert clipped == [], f'{name}: formulas in the text wider than it'


def balanced(text):
    """Whether every bracket in text closes, and closes one it opened."""
    pairs = {')': '(', ']': '[', '}': '{'}
    opened = []
    for c in text:
        if c in '([{':
            opened.append(c)
        elif c in pairs and (not opened or opened.pop() != pairs[c]):
            return False
    return opened == []


def check_fold_names(page):
    """Each fold's button says, to a screen reader, which part it opens:
    its name is the exercise its solution answers, and no two are alike."""
    from playwright.sync_api import expect
    buttons = page.locator('.admonition.toggle > .admonition-title '
                           '> .toggle-button')
    folds = page.evaluate('''[...document.querySelectorAll(
            ".admonition.toggle > .admonition-title > .toggle-button")]
        .map(b => [b.closest(".solution").querySelector(
                       ".admonition-title a").textContent.trim(),
                   b.closest(".d2l-going-further") !== null])''')
    names = []
    for i, (exercise, further) in enumerate(folds):
        name = ('Going further in the solution to ' if further
                else 'Solution to ') + exercise
        expect(buttons.nth(i)).to_have_accessible_name(name)
        names.append(name)
    assert len(set(names)) == len(names)


def check_keyboard(page):
    """No formula is a stop of the Tab key, and every stop shows focus."""
    assert page.evaluate('''[...document.querySelectorAll("mjx-container")]
        .filter(e => e.tabIndex >= 0).length''') == 0
    # Each element the Tab key stops at, focused as the key focuses it.
    unseen = page.evaluate('''[...document.querySelectorAll(
            "a[href], button, input, select, textarea, summary, [tabindex]")]
        .filter(e => e.tabIndex >= 0 && !e.disabled && e.checkVisibility({
            visibilityProperty: true}))
        .filter(e => {
            e.focus({focusVisible: true});
            if (document.activeElement !== e) return false;
            // A ring on the element, or on what it holds (the theme rings
            // the sidebar's expand icons, not their <summary>).
            return ![e, ...e.querySelectorAll("*")].some(x => {
                const s = getComputedStyle(x);
                return (s.outlineStyle !== "none" &&
                        parseFloat(s.outlineWidth) > 0) ||
                       s.boxShadow !== "none";
            });
        })
        .map(e => e.outerHTML.slice(0, 120))''')
    assert unseen == [], unseen


def check_back_to_top(page, width):
    """On a phone the theme's "Back to top" button, once shown, is a small
    named arrow in the corner, not a pill across the lines being read."""
    button = page.locator('#pst-back-to-top')
    if width >= 576 or button.count() == 0:
        return
    button.evaluate('b => { b.style.display = "block"; }')  # as on scroll
    box = page.evaluate("""(() => {
        const r = document.querySelector("#pst-back-to-top")
            .getBoundingClientRect();
        return [r.left, r.right, r.top, r.bottom, r.width,
                innerWidth, innerHeight];
    })()""")
    left, right, top, bottom, size, screen_width, screen_height = box
    assert size <= 48 and right <= screen_width, box
    assert left >= screen_width - 64 and bottom >= screen_height - 64, box
    from playwright.sync_api import expect
    expect(page.get_by_role('button', name='Back to top')).to_be_visible()
    button.evaluate('b => { b.style.display = ""; }')


def check_sidebar(page, width, ways=('touch',)):
    """The sidebars open and close with their buttons (on a phone, where
    each is a dialog with a "Close" button, in each of the ways named,
    focus going back to the toggle; on a laptop the primary one by click),
    and no tooltip is left over the search button."""
    from playwright.sync_api import expect
    if width < 576:
        assert page.evaluate('''[...document.querySelectorAll("dialog")]
            .filter(d => !d.getAttribute("aria-label"))
            .map(d => d.id)''') == [], 'dialogs without a name'
        for side, what in ('primary', 'navigation'), ('secondary', 'contents'):
            toggle = page.locator(f'.bd-header-article .{side}-toggle')
            dialog = page.locator(f'dialog#pst-{side}-sidebar-modal')
            close = dialog.get_by_role('button', name=f'Close {what}')
            if toggle.count() == 0:  # a page with no contents
                continue
            for way in ways:
                press(toggle, way)
                dialog.wait_for(state='visible', timeout=5000)
                if way == 'keyboard':  # the dialog's first stop
                    expect(close).to_be_focused()
                press(close, way)
                dialog.wait_for(state='hidden', timeout=5000)
                expect(toggle).to_be_focused()
            if side == 'secondary':  # an entry leads there, and closes it
                press(toggle, 'touch')
                dialog.wait_for(state='visible', timeout=5000)
                entry = dialog.locator('a[href^="#"]:visible').last
                press(entry if entry.count() else close, 'touch')
                dialog.wait_for(state='hidden', timeout=5000)
    else:  # a column that collapses, and comes back
        toggle = page.locator('.bd-header-article .primary-toggle')
        for hidden in ('true', 'false'):
            toggle.click()
            page.wait_for_function(
                'document.querySelector("#pst-primary-sidebar").classList'
                f'.contains("pst-sidebar-hidden") === {hidden}',
                timeout=5000)
        page.locator('#pst-primary-sidebar').wait_for(state='visible',
                                                      timeout=5000)
    page.mouse.move(0, 0)
    covering = page.evaluate('''(() => {
        const search = [...document.querySelectorAll(".search-button")]
            .find(b => b.getBoundingClientRect().width > 0);
        if (!search) return [];
        const s = search.getBoundingClientRect();
        return [...document.querySelectorAll(".tooltip.show")].filter(t => {
            const r = t.getBoundingClientRect();
            return r.left < s.right && s.left < r.right &&
                   r.top < s.bottom && s.top < r.bottom;
        }).map(t => t.textContent);
    })()''')
    assert covering == [], f'tooltips over the search button: {covering}'


SIDEBARS_PAGE = 'chapter_linear-networks/linear-regression'


@pytest.mark.browser
def test_the_sidebars_open_and_close_every_way_on_a_phone(site, browser):
    # Every page has the same buttons, from the theme's template: each page
    # is checked by touch (test_page), one by every way a reader has.
    # (Safari's clicks do not focus the button they press.)
    page, problems, _ = load(browser, f'{site}{SIDEBARS_PAGE}.html',
                             WIDTHS['phone'])
    try:
        for side in 'primary', 'secondary':
            assert page.locator(
                f'.bd-header-article .{side}-toggle').count() == 1, side
        check_sidebar(page, WIDTHS['phone'],
                      ways=('touch', 'click', 'keyboard', 'unfocused click'))
        assert problems == []
    finally:
        page.close()


def press(button, way):
    """Press a button by touch, mouse click, keyboard or a click event that
    does not focus it."""
    if way == 'touch':
        button.tap()
    elif way == 'click':
        button.click()
    elif way == 'unfocused click':
        button.evaluate('b => { document.activeElement?.blur(); b.click() }')
    else:
        button.focus()
        button.page.keyboard.press('Enter')


def smallest_text(svg):
    """The smallest text of a matplotlib or hand-drawn SVG, as a fraction of
    its width (matplotlib draws a glyph of size s pt at scale(s/100))."""
    sizes = [100 * float(s) for s in
             re.findall(r'scale\(([\d.]+) -[\d.]+\)', svg)]
    sizes += [float(s) for s in
              re.findall(r'font-size[:=]\s*"?([\d.]+)', svg)]
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)',
                            svg).group(1))
    return min(sizes) / width if sizes else None


def check_figure_text(page, site, width):
    """Every figure's smallest text is at least MIN_TEXT_PX as shown, or the
    figure has an "Enlarge" button that shows it where it is: at the size it
    was drawn, in a box that scrolls sideways with a scrollbar (the page
    does not); pressed again, it fits the page again."""
    from playwright.sync_api import expect
    way = 'touch' if width < 576 else 'click'
    for img in page.locator('article img').all():
        src, shown, box = img.evaluate('''i => [i.src, i.offsetParent ?
            i.getBoundingClientRect().width : 0,
            i.closest(".d2l-zoom")?.id]''')
        path = SITE / unquote(urlparse(src).path[len(urlparse(site).path):])
        if not shown or path.suffix != '.svg':
            continue
        fraction = smallest_text(path.read_text())
        if fraction is None or fraction * shown >= MIN_TEXT_PX:
            continue
        assert box, f'{path.name}: text {fraction * shown:.1f} px'
        button = page.locator(f'button[aria-controls="{box}"]')
        expect(button).to_have_accessible_name('Enlarge')
        press(button, way)
        expect(button).to_have_attribute('aria-pressed', 'true')
        enlarged = img.evaluate('i => i.getBoundingClientRect().width')
        assert fraction * enlarged >= MIN_TEXT_PX, path.name
        over, bar = page.locator(f'#{box}').evaluate('''b => [
            b.scrollWidth - b.clientWidth, b.offsetHeight - b.clientHeight]''')
        assert over <= 1 or bar >= 4, f'{path.name} scrolls with no scrollbar'
        assert page.evaluate(
            'document.documentElement.scrollWidth - window.innerWidth') <= 0
        press(button, way)
        expect(button).to_have_attribute('aria-pressed', 'false')
        assert img.evaluate('i => i.getBoundingClientRect().width') == shown


@pytest.mark.browser
def test_d2l_names_in_the_code_link_to_the_api_page(site, browser):
    # sphinx-codeautolink: each d2l.X in a code cell links to its entry.
    # (test_page loads each page; the links are in its HTML.)
    linked = {}
    for page, hrefs in code_links(SITE).items():
        if page.startswith('chapter_linear-networks/'):
            for href in hrefs:
                linked[href.split('#')[1]] = urljoin(f'{site}{page}', href)
    for entry in ('d2l.synthetic_data', 'd2l.sgd', 'd2l.Timer',
                  'd2l.load_data_fashion_mnist', 'd2l.train_ch3',
                  'd2l.plot'):
        assert entry in linked, f'no code links {entry}'
    api, problems, _ = load(browser, next(iter(linked.values())))
    try:
        assert problems == []
        for entry, url in sorted(linked.items()):  # every one of them
            assert url.split('#')[0] == api.url.split('#')[0], url
            signature = api.locator(f'dt[id="{entry}"]')
            assert signature.count() == 1, entry
            text = signature.locator('xpath=following-sibling::dd[1]')
            if entry.count('.') == 1:  # a method's class says where
                assert 'Defined in' in text.inner_text(), entry
    finally:
        api.close()


def test_the_api_page_has_an_entry_for_every_public_name():
    html = chapter_html('chapter_appendix/api')
    entries = set(re.findall(r'<dt class="sig[^"]*" id="d2l\.(\w+)">', html))
    assert entries == public_names(ROOT / 'd2l.py')
    # each says where the book defines it, with a link there
    assert html.count('Defined in') == len(entries)
    assert 'Section 3.6' in html and 'Tools from Earlier Chapters' in html


def check_links(page, site, name):
    """Every link within the site leads to a page, and to an anchor on it."""
    hrefs = page.evaluate('[...document.querySelectorAll("a[href]")]'
                          '.map(a => a.getAttribute("href"))')
    base = f'{site}{name}.html'
    for href in hrefs:
        url = urljoin(base, href)
        if not url.startswith(site) or href == '#':
            continue
        assert site_problem(SITE, url, site) is None, f'{name}: {href}'


def check_weight(responses, site, name):
    """The page with its figures, and everything a first visit loads."""
    own = sum(len(body) for url, body in responses.items()
              if '/_static/' not in url)
    assert own <= MAX_PAGE_BYTES, f'{name}: page and figures {own} bytes'
    # Static hosts (GitHub Pages, Read the Docs) serve text gzipped.
    transferred = sum(len(gzip.compress(body, 6))
                      for body in responses.values())
    assert transferred <= MAX_PAGE_BYTES, f'{name}: first visit {transferred}'


def test_the_book_fails_a_cell_that_shows_more_than_a_page_may_weigh():
    # A cell that printed 50 MB built green, and check_weight then timed
    # out rather than naming it: tools/sphinx/outputs.py fails the build,
    # naming the cell, below the weight one page may have.
    sphinx = CONFIG['sphinx']
    assert 'tools.sphinx.outputs' in sphinx['local_extensions']
    assert 0 < sphinx['config']['d2l_max_cell_output'] < MAX_PAGE_BYTES


def chapter_html(name):
    return (SITE / f'{name}.html').read_text()


# What docutils makes an image's alt text when none is given: its path.
IMAGE_FILE = re.compile(r'\S+\.(?:svg|png|jpe?g|gif|webp)\b', re.I)


def test_every_page_has_one_viewport_tag():
    # A phone reads the page's width from it; the theme's layouts and
    # docutils wrote three (tools/sphinx/page_scripts.py keeps one).
    names = PAGES + ['search', 'genindex', 'py-modindex']
    counts = {name: (SITE / f'{name}.html').read_text(encoding='utf-8')
              .count('<meta name="viewport"') for name in names}
    assert counts == dict.fromkeys(names, 1)


@pytest.mark.parametrize('name', PAGES)
def test_every_image_says_what_it_shows(name):
    if not SITE.exists():
        pytest.fail('the site is not built: run `make html` first')
    for image in Images(chapter_html(name)).found:
        alt = image.get('alt', '').strip()
        assert alt and not IMAGE_FILE.search(alt), image


def test_a_figures_alt_text_is_its_number_and_caption():
    if not SITE.exists():
        pytest.fail('the site is not built: run `make html` first')
    figures = []
    for name in PAGES:
        for alt, number, caption in re.findall(
                r'<figure\b[^>]*>\s*<img alt="([^"]*)".*?'
                r'caption-number">Fig\. ([\d.]+) </span>'
                r'<span class="caption-text">(.*?)</span>',
                chapter_html(name), re.S):
            text = html.unescape(re.sub(r'<[^>]+>', '', caption))
            assert html.unescape(alt) == f'Figure {number}: {text}'
            figures.append(number)
    assert sorted(figures) == sorted(SPEC_FIGURES)


def test_equation_and_figure_numbers_follow_the_spec():
    if not SITE.exists():
        pytest.fail('the site is not built: run `make html` first')
    sections = [p for p in PAGES if p.startswith('chapter_linear-networks/')
                and not p.endswith('index')]
    equations, figures, titles = [], [], []
    for name in sections:
        html = chapter_html(name)
        equations += re.findall(r'class="eqno">\(([\d.]+)\)', html)
        figures += re.findall(r'caption-number">Fig\. ([\d.]+)', html)
        titles.append(re.search(r'<h1>.*?section-number">([\d.]+)\. ', html,
                                re.S).group(1))
    assert titles == SPEC_SECTIONS
    assert equations == SPEC_EQUATIONS
    assert figures == SPEC_FIGURES


@pytest.mark.parametrize('name', NOTEBOOK_PAGES)
def test_launch_and_download_buttons_open_the_reader_notebook(name):
    html = chapter_html(name)
    repo = urlparse(CONFIG['repository']['url']).path.strip('/')
    branch = reader.BRANCH  # where the workflow publishes them
    assert (f'https://mybinder.org/v2/gh/{repo}/{branch}'
            f'?urlpath=lab/tree/{name}.ipynb') in html
    assert (f'https://colab.research.google.com/github/{repo}/blob/'
            f'{branch}/{name}.ipynb') in html
    download = re.findall(r'href="([^":]+\.ipynb)"', html)
    assert download, 'no .ipynb download button'
    for href in download:
        target = (SITE / name).parent / href
        assert target.resolve() == (READER / f'{name}.ipynb').resolve()
        assert target.exists()


@pytest.mark.browser
def test_a_solution_stays_folded_until_the_reader_asks_for_it(site,
                                                             browser):
    url = f'{site}chapter_linear-networks/linear-regression-concise.html'
    page, problems, _ = load(browser, url)
    try:
        solutions = page.locator('div.solution')
        first, second = (solutions.nth(i).locator('.solution-content')
                         for i in (0, 1))
        assert solutions.first.is_visible() and not first.is_visible()
        # Its title unfolds it; so does the "Solution" link of its exercise.
        # (The first title in it is its own; the Answer's comes next.)
        solutions.first.locator('.admonition-title').first.click()
        first.wait_for(state='visible', timeout=5000)
        assert not second.is_visible()
        page.locator('.d2l-solution-link a').nth(1).click()
        second.wait_for(state='visible', timeout=5000)
        target = solutions.nth(2).get_attribute('id')
        assert problems == []
    finally:
        page.close()
    # A link from elsewhere (another page, the PDF) unfolds it too.
    page, problems, _ = load(browser, f'{url}#{target}')
    try:
        page.locator(f'[id="{target}"] .solution-content').wait_for(
            state='visible', timeout=5000)
        assert problems == []
    finally:
        page.close()


@pytest.mark.browser
def test_going_further_stays_folded_in_an_open_solution(site, browser):
    url = f'{site}chapter_linear-networks/linear-regression-scratch.html'
    page, problems, _ = load(browser, url)
    try:
        solution = page.locator('div.solution',
                                has=page.locator('.d2l-going-further'))
        solution = solution.first
        solution.locator('.admonition-title').first.click()
        answer = solution.locator('.d2l-answer')
        answer.wait_for(state='visible', timeout=5000)
        fold = solution.locator('.d2l-going-further')
        title = fold.locator('.admonition-title')
        inside = fold.locator('p:not(.admonition-title), div.cell').first
        assert title.is_visible() and not inside.is_visible()
        title.click()
        inside.wait_for(state='visible', timeout=5000)
        assert problems == []
    finally:
        page.close()


# What is typed in a search field: where it starts, and where the
# magnifier before it ends (px), in each search field shown.
SEARCH_FIELDS = '''[...document.querySelectorAll("form.bd-search")]
    .filter(f => f.checkVisibility())
    .map(f => [f.querySelector("input"), f.querySelector(".fa-solid")])
    .map(([input, icon]) => [input.getBoundingClientRect().left +
        parseFloat(getComputedStyle(input).paddingLeft),
        icon.getBoundingClientRect().right])'''

# Each search result's snippet, and the text of the article it links to
# (as Sphinx's search reads a page: no headerlinks, scripts or styles).
SNIPPETS = '''Promise.all([...document.querySelectorAll(
        "#search-results li")].map(async li => {
    const link = li.querySelector("a");
    const page = new DOMParser().parseFromString(
        await (await fetch(link.href)).text(), "text/html");
    page.querySelectorAll(".headerlink, script, style")
        .forEach(e => e.remove());
    return [li.querySelector(".context").textContent,
            page.querySelector("article").textContent];
}))'''


@pytest.mark.browser
@pytest.mark.parametrize('width', WIDTHS.values(), ids=WIDTHS)
def test_search_shows_what_is_typed_and_quotes_the_articles(site, browser,
                                                            width):
    """The magnifier of a search field (the search page's, the Ctrl+K
    dialog's) stands clear of what is typed, and each result quotes the
    article it found, not the page's buttons or contents list."""
    page, problems, _ = load(browser, f'{site}search.html?q=softmax', width)
    try:
        page.get_by_text('Search finished').wait_for(timeout=10000)
        fields = page.evaluate(SEARCH_FIELDS)
        assert len(fields) == 1
        assert all(icon <= text for text, icon in fields), fields
        results = page.evaluate(SNIPPETS)
        assert len(results) > 1
        for snippet, article in results:
            quoted = ' '.join(re.sub(r'^\.\.\.|\.\.\.$', '',
                                     snippet.strip()).split())
            assert quoted in ' '.join(article.split()), snippet
        assert problems == []
    finally:
        page.close()
    url = f'{site}chapter_linear-networks/softmax-regression.html'
    page, problems, _ = load(browser, url, width)
    try:
        page.keyboard.press('Control+k')
        page.locator('#pst-search-dialog').wait_for(state='visible')
        page.keyboard.type('gradient')
        fields = page.evaluate(SEARCH_FIELDS)
        assert len(fields) == 1
        assert all(icon <= text for text, icon in fields), fields
        assert problems == []
    finally:
        page.close()


def test_the_pdf_link_leads_to_a_pdf(tmp_path):
    # Built with the PDF there, the front page links to its copy in the
    # site; without it, to the published site's.
    from types import SimpleNamespace

    from tools.sphinx import pdf_link
    html = tmp_path / '_build' / 'html'
    html.mkdir(parents=True)
    config = SimpleNamespace(
        latex_documents=[('index', 'd2l-linear-networks.tex')],
        reader_site_url='https://example.org/book/', html_baseurl='')
    env = SimpleNamespace(config=config, docname='chapter_x/page',
                          app=SimpleNamespace(outdir=str(html),
                                              config=config))
    inliner = SimpleNamespace(document=SimpleNamespace(
        settings=SimpleNamespace(env=env)))

    def link():
        nodes, _ = pdf_link.pdf_role('pdf', '', 'PDF', 1, inliner)
        return nodes[0]['refuri']
    assert link() == 'https://example.org/book/d2l-linear-networks.pdf'
    (tmp_path / '_build' / 'latex').mkdir()
    (tmp_path / '_build' / 'latex' / 'd2l-linear-networks.pdf').write_text(
        '%PDF')
    assert link() == '../d2l-linear-networks.pdf'
    # ... and the site holds that copy once built.
    app = SimpleNamespace(outdir=str(html), config=config,
                          builder=SimpleNamespace(format='html'))
    pdf_link.copy_pdf(app, None)
    assert (html / 'd2l-linear-networks.pdf').read_text() == '%PDF'
