"""Target files: the platform under test (registrar, seats, trunk, numbers, recordings, complaints)."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ccinspect.core.scenario.console import Console
from ccinspect.core.scenario.errors import FileProblem
from ccinspect.core.scenario.fields import Credentials, HostPort, Model, Name, Number
from ccinspect.core.scenario.sources import (
    AriRecordings,
    Cdr,
    CdrFile,
    CdrHttp,
    CdrSql,
    Complaints,
    DemoApiComplaints,
    DirectoryRecordings,
    HttpRecordings,
    ManualComplaints,
    Recordings,
    RestComplaints,
    Screening,
    SqlComplaints,
    SqlRecordings,
    WebComplaints,
    WebRecordings,
)

__all__ = [
    "AriRecordings",
    "Cdr",
    "CdrFile",
    "CdrHttp",
    "CdrSql",
    "Complaints",
    "DemoApiComplaints",
    "DirectoryRecordings",
    "HttpRecordings",
    "ManualComplaints",
    "NumbersSpec",
    "PublicLineTrunk",
    "Recordings",
    "RestComplaints",
    "Screening",
    "SeatSpec",
    "SimulatedTrunk",
    "SipSettings",
    "SqlComplaints",
    "SqlRecordings",
    "Target",
    "Trunk",
]


class SipSettings(Model):
    """The platform's SIP registrar (``host:port``) and transport; ``domain`` if not the host."""

    registrar: HostPort
    transport: Literal["udp", "tcp", "tls"] = "udp"
    domain: str | None = None
    #: Every request of the seats goes through this proxy (``host:port``), when the platform
    #: needs one (an SBC in front of the registrar).
    outbound_proxy: HostPort | None = None
    #: How long the platform rings one seat before offering the call to the next (its queue's
    #: member timeout): the designated seat of an inbound call may ring only after the others
    #: timed out, so the answer bound grows by this for every other seat.
    ring_timeout_s: Annotated[float, Field(ge=0, le=120)] = 0.0


class SeatSpec(Credentials):
    """One seat: its id (how reports name it), its SIP user and password.

    ``username`` (or ``sip_user``) is the SIP user: the extension or agent id the seat registers
    and calls as; ``auth_username`` the digest username when the platform provisions another
    (a MAC address, a vendor account); ``display_name`` the name it presents; ``registrar`` and
    ``domain`` override the target's ``sip`` settings for this seat. ``busy_when_on_call``: like
    an agent's phone, the seat refuses a second call with 486 while it is on one (false for a
    platform whose seats have call waiting).
    """

    id: Name
    username: Annotated[str, Field(min_length=1)]
    auth_username: Annotated[str, Field(min_length=1)] | None = None
    display_name: str | None = None
    registrar: HostPort | None = None
    domain: str | None = None
    busy_when_on_call: bool = True
    password_required: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _sip_user(cls, data: object) -> object:
        if isinstance(data, dict) and "sip_user" in data:
            if "username" in data:
                raise FileProblem(
                    "give the SIP user once: username or sip_user",
                    "SIP 用户名只能填写一次：username 或 sip_user",
                    "username (or its synonym sip_user)",
                    "sip_user",
                )
            data = {("username" if k == "sip_user" else k): v for k, v in data.items()}
        return data


class SimulatedTrunk(Model):
    """ccinspect's trunk simulator plays the carrier on a temporary trunk, bound here."""

    mode: Literal["simulated"]
    bind: HostPort


class PublicLineTrunk(Credentials):
    """A real line on a carrier network: registers, calls the platform, is called by seats."""

    mode: Literal["public-line"]
    registrar: HostPort
    transport: Literal["udp", "tcp", "tls"] = "udp"
    username: str
    public_number: Number


class NumbersSpec(Model):
    """The enterprise's numbers (any written form; quote them)."""

    access_number: Number
    complaint_number: Number | None = None
    fixed_line: Number | None = None
    allocated: Annotated[tuple[Number, ...], Field(min_length=1)]
    allow_95_outbound: bool = False
    do_not_call: tuple[Number, ...] = ()
    blacklisted_callers: tuple[Number, ...] = ()


Trunk = Annotated[SimulatedTrunk | PublicLineTrunk, Field(discriminator="mode")]


class DirectoryAudit(Model):
    """Recording-store audit from a CDR file (JSON lines, or Asterisk's Master.csv) and a
    mounted recording directory (``~`` expands to the home directory). The demo PBX's paths are
    in its target file (scenarios/targets/demo.yaml), not in code."""

    kind: Literal["directory"]
    cdr: str
    cdr_format: Literal["json-lines", "asterisk-csv"] = "json-lines"
    recordings: str
    days: Annotated[int, Field(ge=1)] = 30
    timezone: str = "Asia/Shanghai"
    #: Also check complaint reply deadlines (R10) through the target's complaint API.
    complaint_sla: bool = True
    #: How the CDR names a seat (a regular expression matched against the whole channel
    #: endpoint, src or dst); by default the target's seat ids and SIP usernames.
    seat_pattern: str | None = None

    @field_validator("seat_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise FileProblem(
                    f"{value!r} is not a regular expression: {exc}",
                    f"{value!r} 不是有效的正则表达式：{exc}",
                    r"a Python regular expression such as 8\d{3} or A\d+",
                ) from None
        return value


Audit = DirectoryAudit


class Target(Model):
    """A target profile: the platform under test. Seat ids and usernames are unique."""

    name: Name
    description: str | None = None
    sip: SipSettings
    seats: Annotated[tuple[SeatSpec, ...], Field(min_length=1)]
    trunk: Trunk
    numbers: NumbersSpec
    recordings: Recordings | None = None
    complaints: Complaints | None = None
    cdr: Cdr | None = None
    screening: Screening | None = None
    audit: Audit | None = None
    #: The platform's web console and how to use it (recordings, complaints and screening of
    #: ``kind: web`` are read there).
    console: Console | None = None
    _source: str = PrivateAttr(default="<target>")

    @model_validator(mode="after")
    def _unique_seats(self) -> Target:
        for attr in ("id", "username"):
            seen: set[str] = set()
            for i, seat in enumerate(self.seats):
                value = getattr(seat, attr)
                if value in seen:
                    raise FileProblem(
                        f"seat {attr} {value!r} appears twice",
                        f"坐席 {attr} {value!r} 重复",
                        f"each seat's {attr} once",
                        f"seats[{i}].{attr}",
                    )
                seen.add(value)
        return self

    @model_validator(mode="after")
    def _console_recipe(self) -> Target:
        """``kind: web`` needs the console recipe's page for it."""
        needs = []
        if isinstance(self.recordings, WebRecordings):
            needs.append(("recordings.kind", "calls", "console.calls"))
        if isinstance(self.complaints, WebComplaints):
            needs.append(("complaints.kind", "work_orders", "console.work_orders"))
        if self.screening is not None:
            for i, rule in enumerate(self.screening.observe):
                if rule.kind == "web":
                    needs.append((f"screening.observe[{i}].kind", "calls", "console.calls"))
        for key, page, name in needs:
            if self.console is None or getattr(self.console, page) is None:
                absent = self.console is None
                missing = "there is no console section" if absent else f"{name} is not set"
                missing_zh = "缺少 console 部分" if absent else f"未设置 {name}"
                raise FileProblem(
                    f"web means reading the platform's web console, but {missing}",
                    f"web 表示通过平台 Web 控制台读取，但{missing_zh}",
                    f"a console section with {name} (see docs/targets.md, web console recipes)",
                    key,
                )
        if self.screening is not None and self.console is not None and self.console.calls is not None:
            web = any(rule.kind == "web" for rule in self.screening.observe)
            if web and self.console.calls.columns.screening is None:
                raise FileProblem(
                    "the screening flag is to be read in the console, but console.calls.columns "
                    "names no screening cell",
                    "甄别结果应从控制台读取，但 console.calls.columns 未指定 screening 列",
                    "columns.screening: the selector of the screening cell in a row",
                    "console.calls.columns.screening",
                )
        return self

    @property
    def source(self) -> str:
        """The file this target was loaded from."""
        return self._source
