"""Page layout shared by every page: the map-first spacing of the explore page.

Only sizes and spacing, never colours, so both Streamlit themes keep their own
(the browser tests check contrast in light and dark mode). No data goes in here.
"""

from __future__ import annotations

import streamlit as st

# Streamlit's main column keeps 6 rem above and 5 rem beside the content; the map
# should start high and use the width. The headline line wraps on a phone.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] {
  padding-top: 3.6rem; padding-bottom: 1.5rem; padding-left: 1.25rem; padding-right: 1.25rem;
  max-width: none;
}
.incidents-headline { font-size: 0.95rem; line-height: 1.5; margin: 0; }
.incidents-headline b { font-variant-numeric: tabular-nums; }
</style>"""


def apply_page_style() -> None:
    st.html(PAGE_CSS)
