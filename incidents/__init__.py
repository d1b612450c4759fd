"""Incident mapping core: ingest, geocode, store, filter, map and export incidents.

Nothing in this package imports Streamlit; ``dashboard.py`` is a thin shell over it
and ``python -m incidents`` is its command line.
"""

__version__ = "0.1.0"
