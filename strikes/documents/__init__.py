"""Documents -> articles and sentences: decode bytes, extract HTML text, strip boilerplate, read
metadata, split sentences, group near-duplicates (`articles` runs them in order; `uploads` turns
the dashboard's uploads, pasted text and fetched pages into documents)."""
