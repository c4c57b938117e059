"""The import graph of strikes/, ui/, pages/, bench/ and app.py: no cycle, nothing upward.

Every import counts, also one inside a function, so a function-level import cannot hide a
cycle.  The layers, bottom up: `strikes` (never imports ui, pages, bench or streamlit),
`ui.render` (pure rendering: no streamlit, nothing else of ui), `ui`, `pages` and `app.py`;
`bench` sits beside ui and may use both packages, and nothing imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("strikes", "ui", "pages", "bench")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    found["app"] = ROOT / "app.py"
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module `name` refers to (a module, or the package holding a name)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules and third-party roots imported anywhere in the file."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from pkg import mod` imports the submodule pkg.mod when there is one.
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        for n in names:
            target = _resolve(n, modules)
            out.add(target if target is not None else n.split(".")[0])
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(p, modules) - {m} for m, p in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_graph_is_built_from_the_real_tree(graph):
    # The test must see the real modules and edges, or it could pass on an empty graph.
    assert {"strikes.pipeline", "strikes.ingest", "strikes.cli.main", "ui.data"} <= set(graph)
    assert "strikes.store.database" in graph["strikes.ingest"]
    assert "strikes.pipeline" in graph["strikes.ingest"]


def test_no_import_cycle(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_strikes_never_imports_upward(graph):
    bad = {
        m: sorted(
            t for t in targets if t.split(".")[0] in ("ui", "pages", "bench", "app", "streamlit")
        )
        for m, targets in graph.items()
        if _in(m, "strikes")
    }
    assert {m: t for m, t in bad.items() if t} == {}


def test_ui_render_is_pure(graph):
    bad = {
        m: sorted(
            t
            for t in targets
            if t == "streamlit"
            or (_in(t, "ui") and not _in(t, "ui.render"))
            or t.split(".")[0] in ("pages", "bench", "app")
        )
        for m, targets in graph.items()
        if _in(m, "ui.render")
    }
    assert {m: t for m, t in bad.items() if t} == {}


def test_nothing_imports_bench_or_pages(graph):
    bad = {
        m: sorted(t for t in targets if _in(t, "bench") or _in(t, "pages"))
        for m, targets in graph.items()
        if not (_in(m, "bench") or _in(m, "pages"))
    }
    assert {m: t for m, t in bad.items() if t} == {}


def test_only_ingest_knows_both_the_pipeline_and_the_store(graph):
    pipeline_side = {"strikes.pipeline", "strikes.claims", "strikes.events"}
    both = sorted(
        m
        for m, targets in graph.items()
        if _in(m, "strikes")
        and not _in(m, "strikes.cli")
        and any(_in(t, "strikes.store") for t in targets)
        and targets & pipeline_side
    )
    assert both == ["strikes.ingest"]
