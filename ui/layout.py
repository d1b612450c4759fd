"""Page layout shared by every page: the map-first spacing of the explore page.

Only sizes and spacing, never colours, so both Streamlit themes keep their own
(the browser tests check contrast in light and dark mode). No data goes in here.
"""

from __future__ import annotations

import json

import streamlit as st

from incidents.i18n import DEFAULT_LANGUAGE, section, template_pattern
from incidents.maps.escape import json_for_script
from ui.i18n import t

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


# Streamlit serves its page with lang="en" and writes its own widgets' words (the file
# uploader's button, "Skip to main content", date-field labels, data-grid tooltips) in
# English (its date fields are fixed to the en-US locale: "yyyy-mm-dd"). This script, run
# in the page, sets <html lang> and rewrites those words from the catalog's
# ``streamlit.`` section as they appear; it puts them back when the analyst returns to
# English.
LANGUAGE_SCRIPT = r"""<script>
(function (language, rules) {
  var ATTRIBUTES = ["aria-label", "aria-valuetext", "title", "placeholder"];
  var state = window.__incidentsLanguage = window.__incidentsLanguage || {touched: []};
  state.language = language;
  state.rules = rules.map(function (rule) { return [new RegExp("^" + rule[0] + "$"), rule[1]]; });
  document.documentElement.lang = language;
  function translated(text) {
    var trimmed = text.trim();
    for (var i = 0; i < state.rules.length; i++) {
      var found = trimmed.match(state.rules[i][0]);
      if (found) {
        var words = state.rules[i][1].replace(/\{(\w+)\}/g, function (_, name) { return found.groups[name]; });
        return text.replace(trimmed, words);
      }
    }
    return null;
  }
  function visit(node) {
    if (node.nodeType === 3) {
      var text = translated(node.nodeValue);
      if (text !== null && text !== node.nodeValue) {
        state.touched.push([node, null, node.nodeValue]);
        node.nodeValue = text;
      }
      return;
    }
    if (node.nodeType !== 1 || node.tagName === "SCRIPT" || node.tagName === "STYLE") return;
    ATTRIBUTES.forEach(function (name) {
      var value = node.getAttribute(name);
      var text = value && translated(value);
      if (text && text !== value) {
        state.touched.push([node, name, value]);
        node.setAttribute(name, text);
      }
    });
    for (var child = node.firstChild; child; child = child.nextSibling) visit(child);
  }
  if (!state.rules.length) {
    state.touched.forEach(function (entry) {
      if (entry[1] === null) entry[0].nodeValue = entry[2]; else entry[0].setAttribute(entry[1], entry[2]);
    });
    state.touched = [];
    return;
  }
  if (!state.observer) {
    state.observer = new MutationObserver(function (changes) {
      if (!state.rules.length) return;
      changes.forEach(function (change) {
        if (change.type === "childList") change.addedNodes.forEach(visit);
        else visit(change.target);
      });
    });
    state.observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                           attributes: true, attributeFilter: ATTRIBUTES});
  }
  visit(document.body);
})(%s, %s);
</script>"""


def _script_rules(language: str) -> list[tuple[str, str]]:
    """(JavaScript regex matching Streamlit's English words, the words in ``language``)."""
    if language == DEFAULT_LANGUAGE:
        return []
    english = section("streamlit", DEFAULT_LANGUAGE)
    return [(template_pattern(english[key], "js"), text)
            for key, text in section("streamlit", language).items() if key in english]


def apply_language(language: str) -> None:
    """The browser tab's title, ``<html lang>`` and Streamlit's own words in the chosen language."""
    st.set_page_config(page_title=t("app_title", language))
    rules = json_for_script(json.dumps(_script_rules(language), ensure_ascii=False))
    st.html(LANGUAGE_SCRIPT % (json_for_script(json.dumps(language)), rules),
            unsafe_allow_javascript=True)
