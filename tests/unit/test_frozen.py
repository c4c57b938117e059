"""`fast_init` changes how the hot frozen dataclasses are built, never what they are."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from strikes import claims, dates, numbers
from strikes.geo import geocode
from strikes.speed.frozen import fast_init

FAST = [
    numbers.Amount,
    claims.WeaponMention,
    claims.Count,
    claims.Casualty,
    claims.Claimant,
    claims.ClausePlace,
    claims._CountryRef,
    claims._ClauseFacts,
    claims._Binding,
    claims._SentenceFacts,
    geocode.PlaceMention,
    geocode.GeoContext,
    dates.DateMention,
]


def _twin(cls: type) -> type:
    """The same class as @dataclass(frozen=True, slots=True) alone makes it (the reference)."""
    ns = {"__annotations__": dict(cls.__annotations__), "__module__": cls.__module__}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            ns[f.name] = f.default
    return dataclasses.dataclass(frozen=True, slots=True)(type(cls.__name__, (), ns))


def _values(cls: type, seed: int) -> list[object]:
    # Distinct hashable values; the fields are annotations only, so any value will do.
    return [(seed, i, f.name) for i, f in enumerate(dataclasses.fields(cls))]


@pytest.mark.parametrize("cls", FAST, ids=lambda c: c.__name__)
def test_fast_init_builds_what_the_dataclass_builds(cls: type) -> None:
    ref = _twin(cls)
    assert [p.name for p in inspect.signature(cls).parameters.values()] == [
        p.name for p in inspect.signature(ref).parameters.values()
    ]
    vals = _values(cls, 1)
    names = [f.name for f in dataclasses.fields(cls)]
    a, b = cls(*vals), ref(*vals)
    assert [getattr(a, n) for n in names] == [getattr(b, n) for n in names] == vals
    assert repr(a) == repr(b)
    assert hash(a) == hash(b) == hash(cls(**dict(zip(names, vals, strict=True))))
    assert a == cls(*vals) and a != cls(*_values(cls, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(a, names[0], 0)
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.copy(a) == a
    changed = dataclasses.replace(a, **{names[-1]: "x"})
    assert getattr(changed, names[-1]) == "x" and getattr(a, names[-1]) == vals[-1]
    with pytest.raises(TypeError):
        cls(*vals, "one too many")


def test_fast_init_keeps_defaults_and_asks_for_the_rest() -> None:
    p = claims.ClausePlace("m", None, 1, 2)
    assert p.before == ""
    ref = claims.ClausePlace(mention="m", place=None, start=1, end=2, before="")
    assert p == ref
    assert geocode.GeoContext() == geocode.GeoContext((), ())
    assert claims._CountryRef(0, 6, "Russia", None).kind == "country-ref"
    with pytest.raises(TypeError):
        claims.ClausePlace("m", None, 1)  # end missing


def test_fast_init_refuses_what_it_cannot_copy() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        a: list = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, NotFrozen, Factory, PostInit):
        with pytest.raises(TypeError):
            fast_init(cls)
