"""Saving candidates to the store, with the article kept as provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from incidents import model
from incidents.extract.candidate import Candidate, candidates_frame

REVIEWED = "reviewed"


def reviewed_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record an analyst approved: status ok, reason 'reviewed', provenance untouched."""
    out = dict(record)
    out["status"] = str(model.Status.OK)
    out["status_reason"] = REVIEWED
    return out


def save_records(records: list[dict[str, Any]], store_path: str | Path | None, *, source_name: str) -> Any:
    """Import canonical records into the store in one atomic import; returns its summary."""
    from incidents.store import open_store

    frame = model.conform(pd.DataFrame(records)) if records else model.empty_frame()
    return open_store(store_path).import_records(frame, source_name=source_name)


def save_candidates(candidates: list[Candidate], store_path: str | Path | None, *, source_name: str) -> Any:
    """Import unreviewed candidates as they are (their status says whether they need review)."""
    from incidents.store import open_store

    return open_store(store_path).import_records(candidates_frame(candidates), source_name=source_name)
