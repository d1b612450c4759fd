"""Jinja template texts are compiled once per process (incidents.maps.compile_once)."""

from __future__ import annotations

from jinja2 import Environment, Template

import incidents.maps  # noqa: F401 - installs compile_once, as every map build does
from incidents.maps import compile_once


def test_a_text_seen_before_is_not_compiled_again_and_renders_the_same():
    text = "{% for x in items %}<{{ x }}>{% endfor %} test_a_text_seen_before"
    first = Template(text).render(items=[1, 2])
    hits = compile_once._compiled.cache_info().hits
    second = Template(text)
    assert compile_once._compiled.cache_info().hits == hits + 1
    assert second.render(items=[1, 2]) == first == "<1><2> test_a_text_seen_before"
    assert second.render(items=["a"]) == "<a> test_a_text_seen_before"


def test_code_kept_for_one_environment_never_serves_another():
    text = "{{ value }} test_code_kept_for_one_environment"
    escaping = Environment(autoescape=True).from_string(text)
    plain = Environment(autoescape=False).from_string(text)
    assert escaping.render(value="<b>") == "&lt;b&gt; test_code_kept_for_one_environment"
    assert plain.render(value="<b>") == "<b> test_code_kept_for_one_environment"


def test_templates_from_kept_code_keep_their_own_state():
    text = "{% set n = n + 1 %}{{ n }} test_templates_keep_their_own_state"
    assert Template(text).render(n=1) == "2 test_templates_keep_their_own_state"
    assert Template(text).render(n=10) == "11 test_templates_keep_their_own_state"


def test_large_texts_are_compiled_each_time_not_kept():
    text = "x" * (compile_once.LARGEST_KEPT + 1) + "{{ 1 + 1 }}"
    before = compile_once._compiled.cache_info()
    assert Template(text).render().endswith("2")
    after = compile_once._compiled.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)
