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
  for (const list of document.querySelectorAll('.citation-list[role="list"]')) {
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
    const folded = id && document.getElementById(id)?.closest(".toggle-hidden");
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
        mathjax._.core.MathItem.STATE.METRICS);
    }, 250);
  });
})();

/* A figure shown smaller than it was drawn (on a phone, a wide plot or the
   grid of Fashion-MNIST images) becomes a link to itself at full size,
   where its labels can be read and the browser can zoom. Checked whenever
   a figure's size changes: the page is narrowed, a solution unfolded. */
window.addEventListener("load", () => {
  const check = (img) => {
    const shown = img.getBoundingClientRect().width;
    if (img.closest("a") || !img.naturalWidth || shown === 0 ||
        shown >= img.naturalWidth - 1) return;
    const link = document.createElement("a");
    link.href = img.currentSrc || img.src;
    link.className = "d2l-enlarge";
    link.title = "Open the figure at full size";
    img.replaceWith(link);
    link.append(img);
  };
  const watch = new ResizeObserver((entries) => {
    for (const entry of entries) check(entry.target);
  });
  for (const img of document.querySelectorAll("article img")) {
    watch.observe(img);
  }
});
