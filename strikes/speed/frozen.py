"""A faster `__init__` for the frozen, slotted dataclasses built in the hot loops.

A frozen dataclass's `__init__` stores each field with `object.__setattr__(self, name, value)`,
a generic attribute lookup per field.  `fast_init` gives the class an `__init__` with the same
parameters that stores each field through its slot descriptor instead
(`Amount.start.__set__`).  Nothing else changes: the instances are the same frozen instances
(assignment still raises FrozenInstanceError), with the dataclass's equality, hash, repr,
pickling and `replace`.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

__all__ = ["fast_init"]

T = TypeVar("T", bound=type)


def fast_init(cls: T) -> T:
    """Class decorator, below `@dataclass(frozen=True, slots=True)` (see the module doc).

    Only plain fields are supported (positional or with a constant default); anything else
    (a default factory, init=False, keyword-only fields, __post_init__) raises TypeError.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: not a frozen, slotted dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: __post_init__ is not supported")
    names: list[str] = []
    args: list[str] = []
    ns: dict[str, object] = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain fields are supported")
        names.append(f.name)
        ns[f"_set_{f.name}"] = cls.__dict__[f.name].__set__  # the slot's member descriptor
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            ns[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{n}(self, {n})\n" for n in names) or "    pass\n"
    exec(f"def __init__(self, {', '.join(args)}):\n{body}", ns)  # our own source, from fields
    init = ns["__init__"]
    original = cls.__init__
    init.__qualname__ = original.__qualname__  # type: ignore[attr-defined]
    init.__module__ = original.__module__  # type: ignore[attr-defined]
    init.__annotations__ = dict(original.__annotations__)  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[misc]
    return cls
