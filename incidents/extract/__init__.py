"""News text -> candidate incidents in the canonical schema, with evidence spans.

    from incidents.extract import extract_incidents
    candidates = extract_incidents(article_text, published="2024-12-08", url=None)
    candidates[0].record            # canonical columns (incidents.model)
    candidates[0].evidence["location"].spans
    candidates_frame(candidates)    # a conformed records frame, ready for the store

See README.md in this package for the rules and conventions.
"""

from incidents.extract.candidate import Candidate, Evidence, candidates_frame
from incidents.extract.language import detect_language, warm_up
from incidents.extract.pipeline import extract_incidents

__all__ = ["Candidate", "Evidence", "candidates_frame", "detect_language", "extract_incidents", "warm_up"]
