"""Extraction rules as data: named phrase tables (`rules.RuleTable`) that a person can read,
each row with an id, a pattern, an example sentence and what it binds (see docs/extraction.md)."""
