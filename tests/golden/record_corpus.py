"""Record the golden outputs of the generated corpus (tests/integration/test_corpus_golden.py).

    python tests/golden/record_corpus.py

Run it only when an output is meant to change, and say why in the commit.
"""

from __future__ import annotations

import gzip
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.corpus import make_documents, write_corpus  # noqa: E402
from strikes.cli.main import main  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "corpus"
N_ARTICLES, SEED = 300, 7
OUTPUTS = {
    "articles.jsonl": ["articles"],
    "events.jsonl": ["extract", "--format", "jsonl"],
    "claims.jsonl": ["extract", "--format", "jsonl", "--claims"],
}


def outputs(folder: Path) -> dict[str, str]:
    """Each command's stdout over the corpus written to `folder`."""
    write_corpus(folder, make_documents(N_ARTICLES, seed=SEED))
    out = {}
    for name, args in OUTPUTS.items():
        buf, err = io.StringIO(), io.StringIO()
        rc = main([*args, str(folder)], out=buf, err=err)
        if rc != 0:
            raise SystemExit(f"{' '.join(args)}: exit {rc}: {err.getvalue()}")
        # The folder is temporary: file names are recorded relative to it.
        out[name] = buf.getvalue().replace(str(folder), "CORPUS")
    return out


def main_record() -> None:
    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in outputs(Path(tmp)).items():
            with gzip.open(GOLDEN / f"{name}.gz", "wt", encoding="utf-8", compresslevel=9) as f:
                f.write(text)
            print(f"wrote {GOLDEN / name}.gz ({len(text)} characters)")


if __name__ == "__main__":
    main_record()
