"""The event store: one DuckDB file (`database`), its table codecs (`codecs`), atomic writes
(`atomic`).  What goes into it comes through `strikes.ingest`."""
