"""pyproject.toml and requirements*.txt name the same packages; pins satisfy the ranges."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _pins(name: str) -> dict[str, str]:
    out = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{name}: {line} is not pinned"
            out[_norm(req.name)] = spec.version
    return out


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[dict[str, Requirement], dict[str, dict[str, Requirement]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = {_norm(r.name): r for r in map(Requirement, project["dependencies"])}
    extras = {
        extra: {_norm(r.name): r for r in map(Requirement, reqs)}
        for extra, reqs in project["optional-dependencies"].items()
    }
    return base, extras


def test_runtime_pins_are_the_declared_dependencies_and_extras():
    base, extras = _declared()
    runtime = _pins("requirements.txt")
    assert set(runtime) == set(base) | set(extras["dask"]) | set(extras["auth"])
    for name, version in runtime.items():
        req = base.get(name) or extras["dask"].get(name) or extras["auth"][name]
        assert req.specifier.contains(version), f"{name}=={version} outside {req.specifier}"


def test_test_only_packages_are_dev_requirements_only():
    base, extras = _declared()
    dev = _pins("requirements-dev.txt")
    assert {"datasketch", "atheris", "pytest"} <= set(dev) <= set(extras["dev"])
    assert not {"datasketch", "atheris"} & set(base)
    assert "datasketch" not in _pins("requirements.txt")
