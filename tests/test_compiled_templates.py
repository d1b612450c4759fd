"""Jinja templates compiled once per process, and read back from disk: the same output
as Jinja's own compilation, one file per text and environment settings, never a
wrong code object (incidents.maps.compiled_templates)."""

from __future__ import annotations

import subprocess
import sys

import jinja2
import pytest
from jinja2 import Environment, Template

import incidents.maps  # noqa: F401 - installs the in-memory layer, as every map build does
from incidents.maps import compiled_templates
from tests.conftest import PROJECT_DIR

# What compiles templates in this process without the cache (Jinja's own, or a wrapper).
ORIGINAL = compiled_templates._compile
SOURCE = ("{% macro row(x) %}<b>{{ x }}</b>{% endmacro %}"
          "{% for i in items %}\n{{ row(i) }}\n{% endfor %}")


@pytest.fixture
def kept_dir(tmp_path, monkeypatch):
    """The disk cache on, in a temporary directory, the memory emptied, counting the
    compilations Jinja really does (all undone after the test)."""
    monkeypatch.setattr(compiled_templates, "TEMPLATE_DIR", tmp_path / "templates")
    monkeypatch.setattr(compiled_templates, "_on_disk", True)
    monkeypatch.setattr(jinja2.Environment, "compile", compiled_templates.compile_once)
    compiled_templates._in_memory.cache_clear()
    compiled = []

    def counting(environment, source, *args):
        compiled.append(source)
        return ORIGINAL(environment, source, *args)

    monkeypatch.setattr(compiled_templates, "_compile", counting)
    return tmp_path / "templates", compiled


def jinja_own(environment: jinja2.Environment, source: str) -> jinja2.Template:
    """The template as Jinja itself compiles it."""
    return jinja2.Template.from_code(environment, ORIGINAL(environment, source),
                                     environment.make_globals(None))


def test_install_puts_the_cache_in_front_of_what_compiled_before(monkeypatch) -> None:
    monkeypatch.setattr(compiled_templates, "_installed", False)
    monkeypatch.setattr(compiled_templates, "_compile", compiled_templates._compile)
    monkeypatch.setattr(jinja2.Environment, "compile", ORIGINAL)
    compiled_templates.install()
    compiled_templates.install()
    assert jinja2.Environment.compile is compiled_templates.compile_once
    assert compiled_templates._compile is ORIGINAL


def test_a_kept_template_renders_as_jinja_compiles_it(kept_dir) -> None:
    folder, compiled = kept_dir
    expected = jinja_own(jinja2.Environment(), SOURCE)
    first = jinja2.Environment().from_string(SOURCE)
    assert len(compiled) == 1 and len(list(folder.iterdir())) == 1
    second = jinja2.Environment().from_string(SOURCE)
    assert len(compiled) == 1, "the second template was compiled again instead of read"
    for template in (expected, first, second):
        assert template.render(items=["<a>", 2]) == "\n<b><a></b>\n\n<b>2</b>\n"


def test_other_settings_or_text_make_another_file(kept_dir) -> None:
    folder, compiled = kept_dir
    cases = [({}, SOURCE), ({"trim_blocks": True}, SOURCE), ({"autoescape": True}, SOURCE),
             ({}, SOURCE + "!"), ({"variable_start_string": "[[",
                                  "variable_end_string": "]]"}, SOURCE)]
    rendered = {jinja2.Environment(**settings).from_string(source).render(items=["<a>", 1])
                for settings, source in cases}
    assert len(compiled) == len(cases) and len(list(folder.iterdir())) == len(cases)
    assert rendered == {jinja_own(jinja2.Environment(**settings), source).render(items=["<a>", 1])
                        for settings, source in cases}
    assert len(rendered) == len(cases), "each setting renders differently here"


def test_environments_whose_code_depends_on_more_are_not_kept(kept_dir) -> None:
    folder, compiled = kept_dir
    jinja2.Environment(autoescape=lambda name: True).from_string(SOURCE)
    jinja2.Environment(finalize=str).from_string(SOURCE)
    jinja2.Environment(extensions=["jinja2.ext.loopcontrols"]).from_string(SOURCE)
    assert len(compiled) == 3
    assert not folder.exists() or not list(folder.iterdir())


def test_an_unreadable_file_means_compiling_again(kept_dir) -> None:
    folder, compiled = kept_dir
    jinja2.Environment().from_string(SOURCE)
    (kept,) = folder.iterdir()
    kept.write_bytes(b"\x00garbage")
    compiled_templates._in_memory.cache_clear()  # as in the next process
    assert jinja2.Environment().from_string(SOURCE).render(items=[1]) == "\n<b>1</b>\n"
    assert len(compiled) == 2


def test_no_more_files_than_the_bound(kept_dir, monkeypatch) -> None:
    folder, compiled = kept_dir
    monkeypatch.setattr(compiled_templates, "MAX_KEPT", 2)
    for n in range(4):
        assert jinja2.Environment().from_string(f"{n}{{{{ x }}}}").render(x="!") == f"{n}!"
    assert len(compiled) == 4 and len(list(folder.iterdir())) == 2


def test_syntax_errors_are_raised_as_before(kept_dir) -> None:
    folder, _ = kept_dir
    with pytest.raises(jinja2.TemplateSyntaxError):
        jinja2.Environment().from_string("{% for %}")
    assert not folder.exists() or not list(folder.iterdir())


# A new interpreter importing folium after installing the cache (as serve.py does):
# how many of its templates Jinja really compiled.
FOLIUM_IMPORT = """
import sys
from pathlib import Path
from incidents.maps import compiled_templates
compiled_templates.TEMPLATE_DIR = Path(sys.argv[1])
compiled_templates.keep_on_disk()
compiled = []
original = compiled_templates._compile
compiled_templates._compile = lambda *args: compiled.append(1) or original(*args)
import folium, folium.plugins
print(len(compiled))
"""


def test_folium_classes_compile_their_templates_once(tmp_path) -> None:
    def compiled_in_new_interpreter() -> int:
        answer = subprocess.run([sys.executable, "-c", FOLIUM_IMPORT, str(tmp_path)],
                                cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
        return int(answer.stdout.split()[-1])

    assert compiled_in_new_interpreter() > 50
    assert compiled_in_new_interpreter() == 0


def test_a_text_seen_before_is_not_compiled_again_and_renders_the_same():
    text = "{% for x in items %}<{{ x }}>{% endfor %} test_a_text_seen_before"
    first = Template(text).render(items=[1, 2])
    hits = compiled_templates._in_memory.cache_info().hits
    second = Template(text)
    assert compiled_templates._in_memory.cache_info().hits == hits + 1
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
    text = "x" * (compiled_templates.LARGEST_KEPT + 1) + "{{ 1 + 1 }}"
    before = compiled_templates._in_memory.cache_info()
    assert Template(text).render().endswith("2")
    after = compiled_templates._in_memory.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)
