"""Build frozen dataclasses from JSON/YAML-shaped dicts, checking every key and type.

One validator serves the artifact manifest (raising :class:`ArtifactError`) and every
configuration file (raising :class:`ConfigError`), so both report errors the same way: the
dotted path of the offending key, what was expected and what was found.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")

_MISSING = dataclasses.MISSING


def build(cls: type[T], data: Any, error: type[Exception], where: str = "") -> T:
    """Construct dataclass ``cls`` from ``data``; raise ``error`` naming the bad key."""
    if not isinstance(data, Mapping):
        raise error(f"{where or 'document'}: expected a mapping, got {type(data).__name__}")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise error(
            f"{_join(where, unknown[0])}: unknown key (allowed: {', '.join(sorted(fields))})"
        )
    values: dict[str, Any] = {}
    for name, field in fields.items():
        key = _join(where, name)
        if name in data:
            values[name] = _coerce(hints[name], data[name], error, key)
        elif field.default is _MISSING and field.default_factory is _MISSING:
            raise error(f"{key}: required key is missing")
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # __post_init__ checks raise ValueError
        raise error(f"{where or 'document'}: {exc}") from exc


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _coerce(tp: Any, value: Any, error: type[Exception], key: str) -> Any:  # noqa: C901
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:  # Optional[X]: X's own, more precise error
            return _coerce(options[0], value, error, key)
        for arg in options:
            try:
                return _coerce(arg, value, error, key)
            except error:
                continue
        raise error(f"{key}: expected {_name(tp)}, got {type(value).__name__} {value!r:.60}")
    if origin is typing.Literal:
        if value not in get_args(tp):
            raise error(f"{key}: expected one of {list(get_args(tp))}, got {value!r:.60}")
        return value
    if dataclasses.is_dataclass(tp):
        return build(tp, value, error, key)  # type: ignore[arg-type]
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise error(f"{key}: expected a list, got {type(value).__name__}")
        (item,) = get_args(tp)[:1] or (Any,)
        return tuple(_coerce(item, v, error, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise error(f"{key}: expected a mapping, got {type(value).__name__}")
        _, item = get_args(tp) or (str, Any)
        return {str(k): _coerce(item, v, error, f"{key}.{k}") for k, v in value.items()}
    return _scalar(tp, value, error, key)


def _scalar(tp: Any, value: Any, error: type[Exception], key: str) -> Any:
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if tp is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tp in (str, bool) and type(value) is tp:
        return value
    raise error(f"{key}: expected {_name(tp)}, got {type(value).__name__} {value!r:.60}")


def _name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def to_dict(obj: Any) -> Any:
    """Plain JSON-ready form of a (nested) dataclass; tuples become lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj
