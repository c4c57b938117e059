"""Pure rendering for the dashboard: charts, theme, highlighting, headline metrics, map rows and
filters.  Nothing here imports streamlit, so it runs (and is measured) without a page."""
