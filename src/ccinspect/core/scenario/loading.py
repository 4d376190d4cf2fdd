"""Reading scenario and target files: YAML in, validated models out, mistakes explained."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ccinspect.core.scenario.errors import FileProblem, ScenarioFileError, did_you_mean
from ccinspect.core.scenario.fields import PATTERN_HELP
from ccinspect.core.scenario.script import Scenario
from ccinspect.core.scenario.target import Target
from ccinspect.core.verdict import Text

__all__ = ["load_scenario", "load_target", "yaml_document"]

_M = TypeVar("_M", Scenario, Target)


class _Loader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate keys (PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def yaml_document(path: Path, text: str) -> tuple[object, yaml.Node | None]:
    """``text`` (read from ``path``) parsed as one YAML document, refusing duplicate keys: the
    data and its node tree (for line numbers). ScenarioFileError names the file, line and column."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ScenarioFileError(
            path,
            "",
            Text(f"YAML syntax error: {problem}", f"YAML 语法错误：{problem}"),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise ScenarioFileError(path, "", Text(f"YAML error: {exc}", f"YAML 错误：{exc}")) from exc
    finally:
        loader.dispose()
    return data, node


def _read_yaml(path: Path) -> tuple[dict[str, Any], yaml.Node]:
    """The file's top-level mapping and its node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ScenarioFileError(
            path, "", Text(f"cannot read the file: {why}", f"无法读取文件：{why}")
        ) from exc
    data, node = yaml_document(path, text)
    if not isinstance(data, dict) or node is None:
        raise ScenarioFileError(
            path,
            "",
            Text(
                f"the file must be a mapping of keys (key: value), not {type(data).__name__}",
                f"文件顶层必须是键值映射（key: value），而不是 {type(data).__name__}",
            ),
        )
    return data, node


def _line_of(node: yaml.Node, path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
    """1-based line and column of the deepest part of ``path`` found in the YAML tree."""
    best, current = node, node
    for part in path:
        if isinstance(current, yaml.MappingNode):
            pair = next((kv for kv in current.value if kv[0].value == str(part)), None)
            if pair is None:
                break
            best, current = pair[0], pair[1]
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(current.value):
                break
            best = current = current.value[part]
        else:
            break
    return best.start_mark.line + 1, best.start_mark.column + 1


def _members(tp: Any) -> list[Any]:
    """The non-None members of a union type (``tp`` itself when it is not a union)."""
    if get_origin(tp) in (Union, types.UnionType):
        return [a for a in get_args(tp) if a is not type(None)]
    return [tp]


Fields = dict[str, FieldInfo]


def _fields_of(tp: Any) -> Fields | None:
    """The fields of a pydantic model or pydantic dataclass, None for anything else."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return dict(tp.model_fields)
    fields = getattr(tp, "__pydantic_fields__", None)
    return dict(fields) if isinstance(tp, type) and isinstance(fields, dict) else None


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` until a model, a container or a real union is left."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        members = _members(tp)
        if len(members) == 1 and members[0] is not tp:
            tp = members[0]
            continue
        return tp


def _clean_loc(root: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], Fields]:
    """Drop pydantic's union tags from an error location; also return the innermost fields."""
    clean: list[str | int] = []
    current: Any = root
    parent: Fields = {}
    for part in loc:
        current = _unwrap(current)
        fields = _fields_of(current)
        members = [m for m in _members(current) if _fields_of(m) is not None]
        if fields is not None and isinstance(part, str):
            parent = fields
            clean.append(part)
            field = fields.get(part)
            current = field.annotation if field is not None else None
        elif get_origin(current) in (list, tuple) and isinstance(part, int):
            clean.append(part)
            current = get_args(current)[0]
        elif len(members) > 1 and isinstance(part, str):
            current = next((m for m in members if part in _literals(m)), None)
        else:
            clean.append(part)
            current = None
    return tuple(clean), parent


def _literals(model: Any) -> set[str]:
    """The Literal values of a model's fields (its discriminator tag among them)."""
    values: set[str] = set()
    for field in (_fields_of(model) or {}).values():
        if get_origin(field.annotation) is Literal:
            values.update(str(v) for v in get_args(field.annotation))
    return values


def _path_text(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _extend_path(path: tuple[str | int, ...], key: str) -> tuple[str | int, ...]:
    extra: list[str | int] = []
    for piece in key.replace("]", "").replace("[", ".").split("."):
        if piece:
            extra.append(int(piece) if piece.isdigit() else piece)
    return (*path, *extra)


_TYPE_TEXTS = {
    "string_type": ("a text string", "文本字符串"),
    "int_type": ("a whole number", "整数"),
    "int_parsing": ("a whole number", "整数"),
    "int_from_float": ("a whole number", "整数"),
    "float_type": ("a number", "数字"),
    "float_parsing": ("a number", "数字"),
    "bool_type": ("true or false", "true 或 false"),
    "bool_parsing": ("true or false", "true 或 false"),
    "list_type": ("a list", "列表"),
    "model_type": ("a mapping of keys", "键值映射"),
    "model_attributes_type": ("a mapping of keys", "键值映射"),
    "dict_type": ("a mapping of keys", "键值映射"),
}


def _describe_structure(
    kind: str, ctx: dict[str, Any], last: str, parent: Fields
) -> tuple[Text, str | None] | None:
    """Unknown and missing keys, and unknown ``mode``/``kind`` tags; None for other errors."""
    if kind == "extra_forbidden":
        keys = list(parent)
        return Text(f"unknown key {last!r}", f"未知的键 {last!r}"), did_you_mean(last, keys)
    if kind == "missing":
        return Text(f"required key {last!r} is missing", f"缺少必填键 {last!r}"), None
    tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
    name = str(ctx.get("discriminator", "")).strip("'")
    if kind == "union_tag_not_found":
        return Text(f"key {name!r} is missing", f"缺少键 {name!r}"), ", ".join(tags)
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        return (
            Text(f"{name} {tag!r} is not known", f"{name} 取值 {tag!r} 无效"),
            did_you_mean(tag, tags),
        )
    return None


def _describe_value(kind: str, ctx: dict[str, Any], given: object, msg: str) -> tuple[Text, str | None]:
    """A value of the wrong type, not among the allowed ones, or of the wrong form."""
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ",")
        options = [o.strip(" '") for o in expected.split(",") if o.strip(" '")]
        return (
            Text(f"{given!r} is not allowed", f"{given!r} 不是允许的取值"),
            did_you_mean(str(given), options),
        )
    if kind in _TYPE_TEXTS:
        en, zh = _TYPE_TEXTS[kind]
        shown = f"{type(given).__name__} {given!r}"[:80]
        return Text(f"expected {en}, got {shown}", f"应为{zh}，实际为 {shown}"), None
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return (
            Text(f"{given!r} does not have the expected form", f"{given!r} 格式不正确"),
            PATTERN_HELP.get(pattern, f"text matching {pattern}"),
        )
    return Text(msg, f"取值无效：{msg}"), None


def _describe(err: Any, path: tuple[str | int, ...], parent: Fields) -> tuple[Text, str | None]:
    """Bilingual message and 'allowed' text for one pydantic error."""
    kind, ctx = str(err["type"]), dict(err.get("ctx") or {})
    problem = ctx.get("error")
    if isinstance(problem, FileProblem):
        return problem.text, problem.allowed
    last = str(path[-1]) if path else ""
    structure = _describe_structure(kind, ctx, last, parent)
    if structure is not None:
        return structure
    return _describe_value(kind, ctx, err.get("input"), str(err.get("msg", kind)))


#: How many files an ``extends`` chain may hold.
MAX_EXTENDS = 4


Origins = dict[str, tuple[Path, yaml.Node]]


def _read_extended(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Origins]:
    """The file's mapping with the file it ``extends`` (a path relative to it) underneath: the
    file's top-level keys replace the base's whole sections. Also where each top-level key was
    written (file and node tree), so errors name the right file and line."""
    data, node = _read_yaml(path)
    origin = {str(k): (path, node) for k in data}
    base_name = data.pop("extends", None)
    origin.pop("extends", None)
    if base_name is None:
        return data, origin
    line, column = _line_of(node, ("extends",))
    if not isinstance(base_name, str) or not base_name.strip():
        raise ScenarioFileError(
            path,
            "extends",
            Text("extends must name a target file", "extends 必须是目标文件名"),
            "a path relative to this file, e.g. demo-b.yaml",
            line=line,
            column=column,
        )
    base = (path.parent / base_name).resolve()
    if base in chain or base == path.resolve() or len(chain) >= MAX_EXTENDS:
        raise ScenarioFileError(
            path,
            "extends",
            Text(
                f"extends {base_name} makes a loop or a chain longer than {MAX_EXTENDS} files",
                f"extends {base_name} 形成循环或超过 {MAX_EXTENDS} 层",
            ),
            "a base file that does not extend this one",
            line=line,
            column=column,
        )
    if not base.is_file():
        raise ScenarioFileError(
            path,
            "extends",
            Text(f"the base file {base} does not exist", f"基础文件 {base} 不存在"),
            "a path relative to this file, e.g. demo-b.yaml",
            line=line,
            column=column,
        )
    base_data, base_origin = _read_extended(base, (*chain, path.resolve()))
    return {**base_data, **data}, {**base_origin, **origin}


def _validate(model: type[_M], path: Path) -> _M:
    """Read ``path`` into ``model``; the first (most telling) validation error is raised as a
    :class:`ScenarioFileError` with its key path, line and a count of the others.

    A target file may name another one it ``extends``: the base's sections apply unless this
    file gives its own (whole sections are replaced, not merged key by key)."""
    origin: Origins
    if model is Target:
        data, origin = _read_extended(path)
        node = _read_yaml(path)[1]
    else:
        data, node = _read_yaml(path)
        origin = {}
    try:
        result = model.model_validate(data, context={"base_dir": str(path.parent)})
    except ValidationError as exc:
        errors = exc.errors()
        # a typo shows up as an unknown key plus a missing one: the unknown key says more
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc, parent = _clean_loc(model, tuple(first["loc"]))
        problem = (first.get("ctx") or {}).get("error")
        if isinstance(problem, FileProblem) and problem.key:
            loc = _extend_path(loc, problem.key)
        message, allowed = _describe(first, loc, parent)
        more = len(errors) - 1
        if more:
            plural = "s" if more > 1 else ""
            message = message + Text(f" (and {more} more problem{plural})", f"（另有 {more} 处问题）")
        where, tree = origin.get(str(loc[0]), (path, node)) if loc else (path, node)
        line, column = _line_of(tree, loc)
        raise ScenarioFileError(where, _path_text(loc), message, allowed, line=line, column=column) from exc
    result._source = str(path)
    return result


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioFileError` on any mistake."""
    return _validate(Scenario, Path(path))


def load_target(path: str | Path) -> Target:
    """Read and validate a target file, resolving secrets; raise :class:`ScenarioFileError`."""
    return _validate(Target, Path(path))
