"""The command line's filter options, derived from the registry (``FILTERS``).

``@filter_options`` gives a click command ``--filter QUERYSTRING`` (a dashboard link's
query, read by the URL round trip's own parser, so a view shared by URL can be exported
or reported from the command line) and one option per filter (``--country``,
``--start`` ...), which override the query's value of that filter. The command receives
the result as its ``spec`` argument.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import click

from incidents.filters.spec import FILTERS, Filter, FilterSpec
from incidents.filters.values import Choice, Count

QUERY_OPTION = "--filter"


def _parameter(spec_filter: Filter) -> str:
    return f"filter_{spec_filter.name}"


def _option(spec_filter: Filter) -> Callable[[Any], Any]:
    kind = spec_filter.kind
    settings: dict[str, Any] = {
        "help": f"{spec_filter.help} URL key: {spec_filter.url_key}.",
        "default": kind.default if kind.is_flag else None,
    }
    if kind.is_flag:
        settings["is_flag"] = True
    else:
        settings["multiple"] = kind.repeatable
        if isinstance(kind, Choice):
            settings["type"] = click.Choice(kind.choices)
        else:
            settings["metavar"] = spec_filter.metavar
            settings["type"] = int if isinstance(kind, Count) else str
    return click.option(*spec_filter.flags, _parameter(spec_filter), **settings)


def spec_from_options(query: str, given: dict[str, Any]) -> FilterSpec:
    """The spec of ``query`` with each filter given as an option (not at its default)
    replacing the query's value; click's BadParameter names the culprit."""
    try:
        spec = FilterSpec.from_query_string(query or "")
    except (ValueError, TypeError) as error:
        raise click.BadParameter(str(error), param_hint=QUERY_OPTION) from error
    changes: dict[str, Any] = {}
    for spec_filter in FILTERS:
        value = given.get(spec_filter.name)
        if not spec_filter.kind.is_set(value):
            continue
        try:
            changes[spec_filter.name] = spec_filter.kind.normalise(value, spec_filter.name)
        except (ValueError, TypeError) as error:
            raise click.BadParameter(str(error), param_hint=spec_filter.flag) from error
    return dataclasses.replace(spec, **changes) if changes else spec


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--filter`` and every filter's option to a click command; it gets ``spec``."""

    @functools.wraps(command)
    def with_spec(*args: Any, **kwargs: Any) -> Any:
        query = kwargs.pop("filter_query")
        given = {f.name: kwargs.pop(_parameter(f)) for f in FILTERS}
        return command(*args, spec=spec_from_options(query, given), **kwargs)

    decorated: Callable[..., Any] = with_spec
    for spec_filter in reversed(FILTERS):
        decorated = _option(spec_filter)(decorated)
    return click.option(
        QUERY_OPTION, "filter_query", default="", metavar="QUERYSTRING",
        help="The filters of a dashboard link: its query, e.g. "
             "'countries=Mali&preset=last_90' (the options below override it).",
    )(decorated)
