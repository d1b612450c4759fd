"""Streamlit pages and widgets of the dashboard (the only code besides dashboard.py that imports streamlit)."""
