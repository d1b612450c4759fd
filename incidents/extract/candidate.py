"""Candidate incidents: canonical fields plus, for each, its evidence and confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from incidents import model


@dataclass
class Evidence:
    """Why a field has its value: character spans into the article and a 0..1 confidence."""

    value: Any
    spans: list[tuple[int, int]] = field(default_factory=list)
    confidence: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"value": value, "spans": [list(s) for s in self.spans], "confidence": round(self.confidence, 2)}


@dataclass
class Candidate:
    """One incident proposed from an article, not yet reviewed by an analyst."""

    record: dict[str, Any]
    evidence: dict[str, Evidence]
    problems: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.problems)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every canonical column (None when empty) plus ``evidence`` and ``problems``."""
        out: dict[str, Any] = {}
        for column in model.CANONICAL_COLUMNS:
            value = self.record.get(column)
            if isinstance(value, date):
                value = value.isoformat()
            elif value is not None and pd.isna(value):
                value = None
            out[column] = value
        out["evidence"] = {name: ev.to_dict() for name, ev in self.evidence.items()}
        out["problems"] = list(self.problems)
        return out


def candidates_frame(candidates: list[Candidate]) -> pd.DataFrame:
    """Canonical records frame (``model.conform``) of the candidates, in order."""
    if not candidates:
        return model.empty_frame()
    return model.conform(pd.DataFrame([c.record for c in candidates]))
