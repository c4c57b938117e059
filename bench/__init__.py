"""The benchmark (`python -m bench`) and its synthetic corpus generator (`bench.corpus`).

Outside the `strikes` package: it measures the pipeline, the store and the dashboard's pure
rendering (`ui.render.maps`) together, and nothing in `strikes` imports it.
"""
