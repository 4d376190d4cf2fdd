"""Field types and the credentials mixin shared by scenario and target models."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    model_validator,
)

from ccinspect.core.numbers import parse_number
from ccinspect.core.scenario.errors import FileProblem

__all__ = [
    "PATTERN_HELP",
    "AnyNumber",
    "Credentials",
    "HostPort",
    "Model",
    "Name",
    "Number",
    "Seconds",
    "Url",
]


def _number_text(value: object) -> object:
    """Phone numbers must be YAML strings: unquoted, 0512 is octal 330 and 138… an integer."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise FileProblem(
            f'write phone numbers in quotes ("{value}"): unquoted, YAML reads them as '
            "numbers and loses leading zeros (0512 becomes 330)",
            f'电话号码须加引号（"{value}"）：不加引号时 YAML 会把它当作数字，丢失前导 0（0512 会变成 330）',
        )
    return value


def _valid_number(value: str) -> str:
    parsed = parse_number(value)
    if not parsed.is_valid:
        problems = ", ".join(p.value for p in parsed.problems)
        raise FileProblem(
            f"{value!r} is not a valid number ({problems})",
            f"{value!r} 不是有效号码（{problems}）",
            "mobile 1[3-9]+9 digits, fixed line 0+area code+7-8 digits, 95/96/400 numbers",
        )
    return value


AnyNumber = Annotated[str, BeforeValidator(_number_text)]
Number = Annotated[str, BeforeValidator(_number_text), AfterValidator(_valid_number)]
_HOST_PORT = r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$"
_URL = r"^https?://\S+$"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
#: What each pattern means, for error messages.
PATTERN_HELP = {
    _HOST_PORT: "host:port, e.g. 127.0.0.1:5060",
    _URL: "an http:// or https:// URL",
    _NAME: "letters, digits, '_', '.' and '-', starting with a letter or digit",
}

HostPort = Annotated[str, Field(pattern=_HOST_PORT)]
Url = Annotated[str, Field(pattern=_URL)]
Seconds = Annotated[float, Field(gt=0, le=3600)]
Name = Annotated[str, Field(pattern=_NAME, max_length=64)]


class Model(BaseModel):
    """Base of every file model: frozen, and unknown keys are refused (typos are caught)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(Model):
    """``password`` (inline), ``password_env`` (a variable) or ``password_file`` (relative to the
    file); at most one. After loading, ``password`` holds the resolved secret."""

    password: SecretStr | None = None
    password_env: str | None = None
    password_file: str | None = None

    password_required: ClassVar[bool] = False

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> Any:
        given = [k for k in ("password", "password_env", "password_file") if getattr(self, k)]
        if len(given) > 1:
            raise FileProblem(
                f"give only one of {', '.join(given)}",
                f"{'、'.join(given)} 只能填写一个",
                "password, password_env or password_file",
                given[1],
            )
        if not given:
            if self.password_required:
                raise FileProblem(
                    "a password is required", "缺少密码", "password, password_env or password_file"
                )
            return self
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise FileProblem(
                    f"environment variable {self.password_env} is not set",
                    f"环境变量 {self.password_env} 未设置",
                    key="password_env",
                )
            return self.model_copy(update={"password": SecretStr(value)})
        if self.password_file:
            base = Path((info.context or {}).get("base_dir", "."))
            path = base / self.password_file
            try:
                value = path.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise FileProblem(
                    f"cannot read password file {path}: {exc.strerror}",
                    f"无法读取密码文件 {path}：{exc.strerror}",
                    key="password_file",
                ) from exc
            return self.model_copy(update={"password": SecretStr(value)})
        return self
