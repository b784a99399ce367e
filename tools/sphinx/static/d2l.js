/* The book's fixes to its theme (sphinx-book-theme 1.3.0 with
   pydata-sphinx-theme 0.17.1) for phones, keyboards and screen readers,
   and its help for the exercises' solutions and the equations.
   tests/test_site.py checks each on every page at 390 and 1280 px. */

/* Sidebar toggles. Both themes bind their handlers to
   document.querySelector(".primary-toggle") (and ".secondary-toggle"): the
   first such button, a hidden one in #pst-header, not the one the article
   header shows, so on a phone the sidebars never opened
   (pydata/pydata-sphinx-theme#2451, executablebooks/sphinx-book-theme#988).
   Pass the shown buttons' clicks on to the bound ones, whose handlers then
   open the sidebar (a dialog on narrow screens, a collapse on wide ones),
   and keep a toggle's tooltip from staying over the search button. Does
   nothing more once the themes bind the shown buttons. */
(() => {
  const shown = ".bd-header-article .sidebar-toggle";
  const quiet = new Set(); // toggles whose tooltip waits
  document.addEventListener("click", (event) => {
    const button = event.target.closest?.(shown);
    if (!button) return;
    quiet.add(button);
    window.bootstrap?.Tooltip.getInstance(button)?.hide();
    const side = button.matches(".primary-toggle") ? "primary" : "secondary";
    const bound = document.querySelector(`.${side}-toggle`);
    if (bound && bound !== button) bound.click();
  }, true); // before the themes' own handlers
  document.addEventListener("show.bs.tooltip", (event) => {
    if (quiet.has(event.target)) event.preventDefault();
  });
  for (const type of ["mouseout", "focusout"]) {
    document.addEventListener(type, (event) => {
      const button = event.target.closest?.(shown);
      if (quiet.has(button)) setTimeout(() => {
        if (!button.matches(":hover") && button !== document.activeElement
            && !document.querySelector("dialog[open]")) quiet.delete(button);
      });
    });
  }
})();

/* Closing a sidebar. On a narrow screen pydata-sphinx-theme opens each
   as a modal dialog over its own toggle, which only Escape or a tap beside
   it closes. A "Close" button at its top, where the toggle was, closes it
   too, and focus goes back to the toggle whichever way it closed. (The
   theme moves the sidebar's content into the dialog and back, the button
   with it; d2l.css shows the button only in the dialog.) */
document.addEventListener("DOMContentLoaded", () => {
  const sides = {primary: "navigation", secondary: "contents"};
  for (const [side, what] of Object.entries(sides)) {
    const sidebar = document.getElementById(`pst-${side}-sidebar`);
    const dialog = document.getElementById(`pst-${side}-sidebar-modal`);
    const toggle = document.querySelector(
      `.bd-header-article .${side}-toggle`);
    if (!sidebar || !dialog) continue;
    dialog.setAttribute("aria-label",
                        what[0].toUpperCase() + what.slice(1));
    const close = document.createElement("button");
    close.type = "button";
    close.className = `btn d2l-close-sidebar d2l-close-${side}`;
    close.setAttribute("aria-label", `Close ${what}`);
    close.innerHTML = '<i class="fa-solid fa-xmark" aria-hidden="true"></i>'
      + " Close";
    close.addEventListener("click", () => dialog.close());
    sidebar.prepend(close);
    // An entry of the page's contents closes it too: the reader has chosen
    // where to go, and the dialog would cover it.
    dialog.addEventListener("click", (event) => {
      if (event.target.closest('a[href^="#"]') && dialog.open) dialog.close();
    });
    // After the theme's own handler, which focuses what had focus when
    // the dialog opened: nothing, where a tap does not focus a button.
    dialog.addEventListener("close", () => setTimeout(() => {
      if (!dialog.open) toggle?.focus();
    }));
  }
  document.getElementById("pst-search-dialog")
    ?.setAttribute("aria-label", "Search");
});

/* Search results. Sphinx's search quotes each page's [role=main], which
   in this theme holds the page's buttons, contents and links to the next
   pages besides its article: the snippet under "3.4. Softmax Regression"
   read "….pdf Softmax Regression Contents…". Quote the article alone.
   (Search, from Sphinx's searchtools.js, is on the search page only.) */
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (html, anchor) => {
    const page = new DOMParser().parseFromString(html, "text/html");
    const main = page.querySelector('[role="main"]');
    const article = main?.querySelector("article");
    if (!article) return htmlToText(html, anchor);
    main.removeAttribute("role");
    article.setAttribute("role", "main");
    return htmlToText(page.documentElement.outerHTML, anchor);
  };
});

/* Names and roles for screen readers, as axe-core asks: the sidebar's
   expand buttons hold only an icon (summary-name); its logo lies outside
   any landmark (region); a button's name must contain the text it shows
   (label-content-name-mismatch: the search field shows "Search Ctrl+K",
   the colour-mode icons carry titles); and the references are a "list"
   whose entries are not list items (aria-required-children). */
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".search-button-field")) {
    button.removeAttribute("aria-label"); // named by its text
  }
  const lists = document.querySelectorAll('.citation-list[role="list"]');
  for (const list of lists) {
    list.removeAttribute("role");
    for (const entry of list.querySelectorAll("[role=doc-biblioentry]")) {
      entry.removeAttribute("role");
    }
  }
  for (const summary of document.querySelectorAll(".bd-sidenav summary")) {
    const page = summary.closest("li")?.querySelector(":scope > a");
    if (page) {
      summary.setAttribute("aria-label",
                           `Pages under ${page.textContent.trim()}`);
    }
  }
  document.getElementById("pst-primary-sidebar")
    ?.setAttribute("role", "complementary");
});

/* sphinx-togglebutton names every fold's button "Toggle hidden content",
   so a screen reader's list of buttons reads the same name a dozen times.
   Each is named after its fold's title, a Going further part's after
   its solution's too ("Going further in the solution to ..."); whether it
   is open, the button's aria-expanded says. (The buttons exist by now:
   togglebutton.js, loaded before this file, adds them on
   DOMContentLoaded too. test_solutions looks for a solution's title in
   every file of a site without solutions: this comment names none.) */
document.addEventListener("DOMContentLoaded", () => {
  const titleOf = (box) => box?.querySelector(":scope > .admonition-title")
    ?.textContent.replace(/\s+/g, " ").trim();
  for (const button of document.querySelectorAll(
      ".admonition.toggle > .admonition-title > .toggle-button")) {
    const box = button.closest(".admonition");
    let name = titleOf(box);
    const solution = titleOf(box.parentElement.closest(".solution"));
    if (solution) {
      name += ` in the ${solution[0].toLowerCase()}${solution.slice(1)}`;
    }
    if (name) button.setAttribute("aria-label", name);
  }
});

/* The colour-mode button's icons carry titles (Font Awesome turns each
   <i> into an <svg> with a <title>, some time after the page loads), which
   axe-core counts as text that the button's name, "Color mode", lacks.
   Hide them from screen readers, whenever they appear: the name says what
   the button does. */
document.addEventListener("DOMContentLoaded", () => {
  const hide = (button) => {
    for (const icon of button.querySelectorAll("i, svg")) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("title");
      icon.querySelector("title")?.remove();
    }
  };
  for (const button of document.querySelectorAll(".theme-switch-button")) {
    hide(button);
    new MutationObserver(() => hide(button)).observe(button,
                                                     {childList: true});
  }
});

/* A region that scrolls sideways (a code block or an output on a phone)
   must be reachable by keyboard, to scroll it with the arrow keys.
   pydata-sphinx-theme makes those it finds when the page loads Tab stops;
   a solution's are found when it is unfolded. */
function focusScrollers(root) {
  for (const e of root.querySelectorAll("pre, .cell_output, div.math")) {
    // (-1 is what hidden content got when the page loaded)
    if (e.scrollWidth > e.clientWidth && e.tabIndex < 0) {
      e.setAttribute("tabindex", "0");
    }
  }
}
document.addEventListener("click", (event) => {
  const toggle = event.target.closest?.(".toggle-button, .admonition-title");
  const box = toggle?.closest(".admonition");
  if (box) requestAnimationFrame(() => focusScrollers(box));
});

/* A link to a folded solution ("Solution" under an exercise, or from
   another page) unfolds it: the reader asked to see it. */
(() => {
  function unfold(hash) {
    const id = decodeURIComponent(hash.slice(1));
    const target = id && document.getElementById(id);
    const folded = target && target.closest(".toggle-hidden");
    if (folded) {
      document.getElementById(`button-${folded.id}`)?.click();
      requestAnimationFrame(() => focusScrollers(folded));
    }
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.('a[href^="#"]');
    if (link) unfold(link.hash);
  });
  window.addEventListener("hashchange", () => unfold(location.hash));
  // After sphinx-togglebutton has folded the solutions (DOMContentLoaded).
  window.addEventListener("load", () => unfold(location.hash));
})();

/* MathJax breaks long equations into lines to fit the width it measured
   when the page loaded; measure again when the width changes (a phone
   turned upright, a window narrowed). */
(() => {
  let width = window.innerWidth;
  let timer;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const mathjax = window.MathJax;
      if (window.innerWidth === width || !mathjax?.startup?.document) return;
      width = window.innerWidth;
      mathjax.startup.document.rerenderPromise(
        mathjax._.core.MathItem.STATE.METRICS)
        .then(() => focusScrollers(document));
    }, 250);
  });
})();

/* A figure shown smaller than it was drawn (on a phone, a wide plot or the
   grid of Fashion-MNIST images, whose labels are then a few pixels high)
   gets an "Enlarge" button: pressed, it shows the figure at the size it
   was drawn, in a box that scrolls sideways (a Tab stop, to scroll it by
   keyboard); pressed again, fitted to the page. Checked whenever a
   figure's size changes: the page is narrowed, a solution unfolded. */
window.addEventListener("load", () => {
  let count = 0;
  const enlargeable = (img) => {
    const box = document.createElement("div");
    box.className = "d2l-zoom";
    box.id = `d2l-zoom-${++count}`;
    img.replaceWith(box);
    box.append(img);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm d2l-enlarge";
    button.setAttribute("aria-controls", box.id);
    button.setAttribute("aria-pressed", "false");
    button.innerHTML = '<i class="fa-solid fa-magnifying-glass-plus" ' +
      'aria-hidden="true"></i> Enlarge';
    button.addEventListener("click", () => enlarge(img, !enlarged(img)));
    box.before(button);
    return box;
  };
  const enlarged = (img) => img.parentElement.matches(".d2l-enlarged");
  const enlarge = (img, on) => {
    const box = img.parentElement;
    box.classList.toggle("d2l-enlarged", on);
    box.previousElementSibling.setAttribute("aria-pressed", String(on));
    img.style.width = on ? `${img.naturalWidth}px` : "";
    if (on) box.tabIndex = 0;
    else box.removeAttribute("tabindex");
  };
  const watch = new ResizeObserver((entries) => {
    for (const {target} of entries) {
      const img = target.matches("img") ? target : target.querySelector("img");
      const box = img.parentElement.matches(".d2l-zoom")
        ? img.parentElement : null;
      const shown = (enlarged(img) ? box : img).getBoundingClientRect().width;
      const small = shown > 0 && shown < img.naturalWidth - 1;
      if (small && !box) watch.observe(enlargeable(img));
      if (!box) continue;
      if (!small && enlarged(img)) enlarge(img, false);
      box.previousElementSibling.hidden = !small;
    }
  });
  for (const img of document.querySelectorAll("article img")) {
    watch.observe(img);
  }
});

/* Display equations that are wider than their column (on a phone).
   MathJax 4 breaks them into lines (displayOverflow: linebreak,
   _config.yml), but anywhere: inside an aligned derivation's cells,
   right after "exp(", before the closing full stop. So, measured before
   it is drawn (when the page loads, and when its width changes), an
   equation that is
   - at most 30% too wide is drawn that much smaller, on one line;
   - an aligned derivation (a table) is not broken: it scrolls sideways,
     with the scrollbar d2l.css shows;
   - else broken into lines, but only between the terms of its top row:
     not inside brackets, fractions or sums, nor before its full stop.
   tests/test_site.py checks each line's brackets. */
if (window.MathJax) {
  const SHRINK = 1.3;  // the most an equation is made smaller to fit
  const config = window.MathJax;
  // Those that scroll become Tab stops once drawn. (Not through MathJax's
  // startup.pageReady: with that replaced, a script that awaited
  // MathJax.startup.promise just after the page loaded lost its page, for
  // about one load in five on a busy machine; the browser tests did.)
  window.addEventListener("load", () => window.MathJax.startup?.promise
    .then(() => focusScrollers(document)));

  const opens = "([{\u27e8\u2308\u230a", closes = ")]}\u27e9\u2309\u230b";
  const bars = "|\u2016";  // open or close, as they come
  const isBreakable = (node) => node.isKind("mo") || node.isKind("mspace");
  const keep = (node) => node.walkTree((n) => {
    if (isBreakable(n)) n.attributes.set("linebreak", "nobreak");
  });
  const tex = (config.tex ??= {});
  tex.postFilters = [...(tex.postFilters ?? []), ({data: {root}}) => {
    const row = root.childNodes[0]?.childNodes ?? [];
    const awaited = [];  // the closing brackets awaited, innermost last
    for (const child of row) {
      const text = child.isEmbellished ? child.coreMO().getText() : "";
      const bracket = text.length === 1 && (opens + closes + bars)
        .includes(text);
      if (bracket && closes.includes(text)) {
        // It closes its own, and any bar left open inside: the \u2016 of
        // D(P\u2016Q), the | of P(y | x).
        const at = awaited.lastIndexOf(text);
        if (at >= 0) awaited.length = at;
      } else if (bracket && text === awaited.at(-1)) {
        awaited.pop();
      } else if (bracket) {
        awaited.push(bars.includes(text) ? text
          : closes[opens.indexOf(text)]);
      }
      if (awaited.length || bracket || text === "\u2061" /* exp( */ ||
          !isBreakable(child)) keep(child);
    }
    if (row.at(-1)?.isEmbellished) keep(row.at(-1));  // the full stop
  }];

  const scales = new WeakMap();  // each equation's scale, as first set
  const output = (config.output ??= {});
  output.preFilters = [...(output.preFilters ?? []), ({math, document}) => {
    if (!math.display) return;
    const {root, metrics} = math;
    const jax = document.outputJax;
    if (!scales.has(math)) scales.set(math, metrics.scale);
    metrics.scale = scales.get(math);
    // Its width on one line, with nothing squeezed: MathJax squeezes a
    // table's columns to the width it last broke lines to.
    root.attributes.unset("maxwidth");
    root.attributes.set("overflow", "overflow");
    jax.containerWidth = 1e6;
    const width = jax.getBBox(math, document).w * metrics.em *
      jax.options.scale * metrics.scale;
    root.attributes.unset("overflow");
    const room = metrics.containerWidth - 8;  // less MathJax's padding
    let table = false;
    root.walkTree((node) => { table ||= node.isKind("mtable"); });
    if (width > room * SHRINK && !table) return;  // to be broken
    if (width > room && width <= room * SHRINK) {
      metrics.scale *= room / width;
    }
    // On one line. (MathJax breaks lines at less than the width it is
    // given; and its "scroll" mode still squeezes a table's columns.)
    root.attributes.set("maxwidth", "1000em");
  }];
}
