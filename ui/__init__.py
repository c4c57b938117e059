"""The dashboard's Python side.

`ui.render` holds the pure rendering (no streamlit import, unit-tested on plain frames): `theme`
(colours, labels, number and date formats), `charts` (frames -> plotly figures), `maps` (frames
-> pydeck decks and map rows), `highlight` (escaped HTML with highlighted spans), `metrics`
(headline figures), `filters` (the sidebar's filter model and its URL form).

The Streamlit modules sit here: `data` (cached loaders keyed on the store's version), `sidebar`
(the one sidebar of filters, synced with the URL), `components` and `tables` (shared page
pieces), `page` (the page frame), `auth` (the sign-in gate).
"""
