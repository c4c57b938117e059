"""Streamlit-side helpers of the dashboard.

Pure modules (no streamlit import, unit-tested on plain frames): `theme` (colours, labels,
number and date formats), `charts` (frames -> plotly figures), `maps` (frames -> pydeck decks,
Natural Earth TopoJSON decoding), `highlight` (escaped HTML with highlighted spans),
`metrics` (headline figures), `filters` (the sidebar's filter model and its URL form).

Streamlit modules: `data` (cached loaders keyed on the store's version), `sidebar` (the one
sidebar of filters, synced with the URL), `components` (shared page pieces).
"""
