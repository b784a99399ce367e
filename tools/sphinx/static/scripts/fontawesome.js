/* Left empty on purpose: this file replaces pydata-sphinx-theme 0.17's
   scripts/fontawesome.js (1.5 MB, 540 KB compressed, more than anything
   else on a page). The theme's style sheet already brings Font Awesome's
   web fonts, which draw every <i class="fa-..."> icon; the script only
   redrew each of them as an SVG. Same icons, a third lighter first visit
   (tests/test_site.py weighs every page). Files of html_static_path
   (_config.yml) are copied after the theme's, so this one wins. */
