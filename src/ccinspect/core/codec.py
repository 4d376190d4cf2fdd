"""Frozen dataclasses to JSON data and back (pure: no I/O).

:func:`to_jsonable` writes facts and verdicts as plain JSON data (dataclasses → objects,
enums → values, tuples → arrays, mappings → objects). :func:`decode` reverses that for any
frozen dataclass whose fields are ``str``/``int``/``float``/``bool``/``None``, enums, nested
dataclasses, tuples (``tuple[X, ...]`` or fixed ``tuple[X, Y]``), ``Mapping[str, X]`` and
``X | None`` unions.

Promises: a missing field that has a default takes the default; a missing field without one, or
a value of the wrong type, raises :class:`DecodeError` naming the key path
(``$.facts.calls[3].legs[0].final_status``); unknown keys are ignored (a newer writer of the
same schema version may add fields). ``int`` is accepted where ``float`` is expected, never the
reverse, and ``bool`` is never taken for a number.

One decoder is built per type and cached, and key paths are only spelled out on failure: a
1,000-call report.json decodes in well under a second.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import PurePath
from typing import Any, TypeVar, cast

__all__ = ["DecodeError", "decode", "to_jsonable"]

T = TypeVar("T")
Decoder = Callable[[Any], Any]


def to_jsonable(value: Any) -> Any:
    """Plain JSON data from frozen dataclasses, enums, tuples, mappings and paths."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value if isinstance(value.value, str | int) else value.name
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    return value


class DecodeError(ValueError):
    """A value in JSON data does not fit the dataclass field it belongs to."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def under(self, prefix: str) -> DecodeError:
        """The same error one level further out (``prefix`` + this path)."""
        return DecodeError(prefix + self.path, self.problem)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)


def _kind(value: Any) -> str:
    return type(value).__name__


def _items(item: Decoder, value: Any) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise DecodeError("", f"expected an array, got {_kind(value)}")
    out = []
    for i, v in enumerate(value):
        try:
            out.append(item(v))
        except DecodeError as exc:
            raise exc.under(f"[{i}]") from None
    return tuple(out)


def _union(tp: Any) -> Decoder:
    args = typing.get_args(tp)
    nullable = type(None) in args
    options = [_decoder(a) for a in args if a is not type(None)]

    def decode_union(value: Any) -> Any:
        if value is None and nullable:
            return None
        errors: list[DecodeError] = []
        for option in options:
            try:
                return option(value)
            except DecodeError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise DecodeError("", f"unexpected value {value!r:.60}")

    return decode_union


def _mapping(value_type: Any) -> Decoder:
    item = _decoder(value_type)

    def decode_mapping(value: Any) -> Any:
        if not isinstance(value, dict):
            raise DecodeError("", f"expected an object, got {_kind(value)}")
        out: dict[str, Any] = {}
        for key, v in value.items():
            try:
                out[key] = item(v)
            except DecodeError as exc:
                raise exc.under(f".{key}") from None
        return out

    return decode_mapping


def _fixed_tuple(args: tuple[Any, ...]) -> Decoder:
    decoders = [_decoder(a) for a in args]

    def decode_fixed(value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise DecodeError("", f"expected an array, got {_kind(value)}")
        if len(value) != len(decoders):
            raise DecodeError("", f"expected {len(decoders)} items, got {len(value)}")
        out = []
        for i, (d, v) in enumerate(zip(decoders, value, strict=True)):
            try:
                out.append(d(v))
            except DecodeError as exc:
                raise exc.under(f"[{i}]") from None
        return tuple(out)

    return decode_fixed


def _enum(tp: type[enum.Enum]) -> Decoder:
    def decode_enum(value: Any) -> Any:
        try:
            return tp(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in tp)
            raise DecodeError("", f"{value!r:.60} is not one of {allowed}") from None

    return decode_enum


def _float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise DecodeError("", f"expected a number, got {_kind(value)}")


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise DecodeError("", f"expected an integer, got {_kind(value)}")


def _exact(tp: type) -> Decoder:
    def decode_exact(value: Any) -> Any:
        if type(value) is tp:
            return value
        if tp is type(None):
            raise DecodeError("", "expected null")
        raise DecodeError("", f"expected {_type_name(tp)}, got {_kind(value)}")

    return decode_exact


def _dataclass(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    missing = dataclasses.MISSING
    plan = [
        (f.name, _decoder(hints[f.name]), f.default is missing and f.default_factory is missing)
        for f in dataclasses.fields(cls)
        if f.init
    ]

    def decode_dataclass(data: Any) -> Any:
        if not isinstance(data, dict):
            raise DecodeError("", f"expected an object, got {_kind(data)}")
        kwargs: dict[str, Any] = {}
        for name, decoder, required in plan:
            if name in data:
                try:
                    kwargs[name] = decoder(data[name])
                except DecodeError as exc:
                    raise exc.under(f".{name}") from None
            elif required:
                raise DecodeError(f".{name}", "missing")
        return cls(**kwargs)

    return decode_dataclass


@cache
def _decoder(tp: Any) -> Decoder:  # noqa: PLR0911 -- one branch per kind of type
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _union(tp)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda value: _items(item, value)
        return _fixed_tuple(args)
    if origin is dict or origin is collections.abc.Mapping:
        key_type, value_type = typing.get_args(tp)
        if key_type is not str:
            raise TypeError(f"cannot decode mapping keys of type {_type_name(key_type)}")
        return _mapping(value_type)
    if tp is Any:
        return lambda value: value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum(tp)
    if tp is float:
        return _float
    if tp is int:
        return _int
    if tp in (str, bool, type(None)):
        return _exact(tp)
    raise TypeError(f"cannot decode type {_type_name(tp)}")  # a programming error, named


def decode(cls: type[T], data: Any, path: str = "$") -> T:
    """Build dataclass ``cls`` from JSON ``data``; raises :class:`DecodeError` with the key path."""
    try:
        return cast(T, _decoder(cast(Any, cls))(data))
    except DecodeError as exc:
        raise exc.under(path) from None
