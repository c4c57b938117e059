# Shortcuts.  CI runs the README's test command (.ci/run); neither target below is part of it.

FUZZ_SECONDS ?= 60
SESSIONS ?= 20
DURATION ?= 60

.PHONY: test lint fuzz load

test:
	python -m pytest

lint:
	ruff check . && ruff format --check .

# Coverage-guided fuzzing of the text pipeline (atheris); findings land in ./crash-* files.
fuzz:
	python tools/fuzz_pipeline.py -max_total_time=$(FUZZ_SECONDS)

# SESSIONS concurrent dashboard sessions for DURATION seconds against a local streamlit run.
load:
	python tools/load_test.py --sessions $(SESSIONS) --duration $(DURATION)
