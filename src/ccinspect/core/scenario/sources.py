"""The target file's observation sections: recordings, complaints, CDR and screening.

Each ``kind`` is one reader module under :mod:`ccinspect.platform`; the models here say what the
target file may contain, so that any platform is described by data alone (see docs/targets.md).
Field maps name where a value is in the platform's records: a dotted path into JSON (``data.list``)
or a column name.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ccinspect.core.scenario.access import HttpAccess, SqlAccess, TimeSpec
from ccinspect.core.scenario.errors import FileProblem
from ccinspect.core.scenario.fields import Credentials, Model, Url

__all__ = [
    "AriRecordings",
    "Cdr",
    "CdrFields",
    "CdrFile",
    "CdrHttp",
    "CdrSql",
    "Complaints",
    "DemoApiComplaints",
    "DirectoryRecordings",
    "HttpRecordings",
    "ManualComplaints",
    "NameTime",
    "Observe",
    "ObserveCdr",
    "ObserveDisplayName",
    "ObserveHeader",
    "ObserveManual",
    "ObserveWeb",
    "RecordingSearch",
    "Recordings",
    "RestComplaints",
    "RetentionSource",
    "Screening",
    "SqlComplaints",
    "SqlRecordings",
    "StereoLayout",
    "TicketFields",
    "WebComplaints",
    "WebRecordings",
]

Days = Annotated[int, Field(ge=0)]


# --- recordings --------------------------------------------------------------------------------


class NameTime(Model):
    """A recording's time read from its name: ``pattern`` (a regular expression whose first group,
    or group ``time``, is the time text) parsed with ``time`` (format and zone)."""

    pattern: str
    time: TimeSpec = TimeSpec()


class StereoLayout(Model):
    """Which party each channel of a two-channel recording holds: ``caller`` (the carrier-side
    party, whichever way the call was placed) or ``agent`` (the seat)."""

    left: Literal["caller", "agent"] = "caller"
    right: Literal["caller", "agent"] = "agent"

    @model_validator(mode="after")
    def _distinct(self) -> StereoLayout:
        if self.left == self.right:
            raise FileProblem(
                f"both channels hold the {self.left}",
                f"两个声道都是 {self.left}",
                "left: caller, right: agent (or the other way round)",
            )
        return self


class RetentionSource(Model):
    """Where the platform publishes its recording purge policy: ``path`` (relative to the
    recordings ``url``) answering JSON, and ``field`` the dotted path of the number of days."""

    path: str
    field: str


class RecordingSearch(Model):
    """A JSON recording API: ``GET url + path`` with ``params`` (and the run's time window in
    ``start_param``/``end_param``, written as ``param_time``); the list is at ``items``; each item
    has an ``id``, a download URL in ``file`` (absolute, or relative to the url's origin) or a
    ``download`` template (``recordings/{id}/file``, relative to ``url``), and its start ``time``.

    A paged API names its ``page_param`` (pages counted from ``first_page``) and, if it takes
    one, ``size_param`` (sent as ``page_size``): pages are read while they come back full, at
    most ``max_pages`` (more is an error, not a silent cut)."""

    path: str = ""
    params: dict[str, str] = Field(default_factory=dict)
    start_param: str | None = None
    end_param: str | None = None
    param_time: TimeSpec = TimeSpec()
    items: str = ""
    id: str = "id"
    file: str | None = None
    download: str | None = None
    time: str | None = None
    time_format: TimeSpec = TimeSpec()
    page_param: str | None = None
    size_param: str | None = None
    page_size: Annotated[int, Field(ge=1, le=10_000)] = 100
    first_page: int = 1
    max_pages: Annotated[int, Field(ge=1, le=1000)] = 50

    @model_validator(mode="after")
    def _locator(self) -> RecordingSearch:
        if self.file is None and self.download is None:
            raise FileProblem(
                "the search names no way to download a recording",
                "检索配置未说明如何下载录音",
                "file: the item field holding its URL, or download: a template such as recordings/{id}/file",
            )
        return self


class _RecordingsBase(Model):
    retention_days: Days | None = None
    #: Two-channel recordings: which party is on which channel (judged per channel).
    stereo: StereoLayout | None = None
    #: The recording's time from its name, when the interface gives no time.
    name_time: NameTime | None = None


class AriRecordings(Credentials, _RecordingsBase):
    """Recordings through Asterisk ARI (``/recordings/stored``)."""

    kind: Literal["ari"]
    url: Url
    username: str | None = None
    #: A global dialplan variable holding the platform's purge policy in days, read over ARI.
    retention_variable: str | None = None


class HttpRecordings(HttpAccess, _RecordingsBase):
    """Recordings through HTTP: a JSON recording API (``search``), or without ``search`` a plain
    listing at ``url`` (a JSON list of names or an HTML directory index)."""

    kind: Literal["http"]
    search: RecordingSearch | None = None
    retention: RetentionSource | None = None


class DirectoryRecordings(_RecordingsBase):
    """Recordings read from a mounted directory (``recursive`` for ``YYYY/MM/DD/…`` trees); a
    recording's time is its file's modification time unless ``name_time`` says otherwise."""

    kind: Literal["directory"]
    path: str
    recursive: bool = True


class SqlRecordings(SqlAccess, _RecordingsBase):
    """Recordings located through the platform's database: ``query`` returns columns ``id``,
    ``time`` and ``file`` (bound parameters ``:start`` and ``:end``, the run's window, as naive
    times in ``timezone``); ``file`` is a path under ``root`` (a mounted directory) or a URL
    template ``download`` (``http://host/rec/{file}``)."""

    kind: Literal["sql"]
    query: str
    root: str | None = None
    download: str | None = None


class WebRecordings(_RecordingsBase):
    """Recordings played back in the platform's own web console, as the inspector does: the
    target's ``console`` recipe logs in, searches the run's calls (``console.calls``), opens
    each row's player and fetches the audio it loads through the page's own session."""

    kind: Literal["web"]


Recordings = Annotated[
    AriRecordings | HttpRecordings | DirectoryRecordings | SqlRecordings | WebRecordings,
    Field(discriminator="kind"),
]


# --- complaints --------------------------------------------------------------------------------


class TicketFields(Model):
    """Where each ticket value is (dotted JSON path or column): ``id``, the ``caller`` number,
    ``created`` time, linked ``recording``, reply ``deadline``."""

    id: str = "id"
    caller: str = "caller"
    created: str = "created"
    recording: str | None = None
    deadline: str | None = None


class DemoApiComplaints(Model):
    """The ccinspect demo complaint service's API."""

    kind: Literal["demo-api"]
    url: Url


class RestComplaints(HttpAccess):
    """A ticket system's REST search: ``GET url`` with ``params``, where ``{caller}`` is the
    complaint caller's number and ``{since}`` the call's start (less the scenario's tolerance)
    written as ``since_format``; the tickets are at ``items`` (dotted path; '' for a bare list)."""

    kind: Literal["rest"]
    params: dict[str, str] = Field(default_factory=dict)
    since_format: TimeSpec = TimeSpec()
    items: str = ""
    fields: TicketFields = TicketFields()
    time_format: TimeSpec = TimeSpec()


class SqlComplaints(SqlAccess):
    """Tickets in the platform's database: ``query`` with ``:caller`` and ``:since`` returning
    the columns named in ``fields``."""

    kind: Literal["sql"]
    query: str
    fields: TicketFields = TicketFields()


class ManualComplaints(Model):
    """No interface: the operator looks the ticket up and answers (interactively, or in the
    run's answers file); the answer is the evidence."""

    kind: Literal["manual"]
    instructions: str | None = None


class WebComplaints(Model):
    """Work orders found in the platform's web console (the target's ``console.work_orders``
    recipe), searched by the complaint caller's number."""

    kind: Literal["web"]


Complaints = Annotated[
    DemoApiComplaints | RestComplaints | SqlComplaints | ManualComplaints | WebComplaints,
    Field(discriminator="kind"),
]


# --- CDR ----------------------------------------------------------------------------------------


class CdrFields(Model):
    """Where each CDR value is (JSON path or column): the record's ``time`` (call start), ``src``,
    ``dst``, ``disposition``, ``screening`` result, linked ``recording``, ``id``, ``agent``."""

    time: str = "start"
    src: str = "src"
    dst: str = "dst"
    disposition: str | None = "disposition"
    screening: str | None = None
    recording: str | None = None
    id: str | None = None
    agent: str | None = None


class _CdrBase(Model):
    #: How long to wait after the calls for the rows of the last calls to appear (platforms
    #: write a CDR at hang-up); the rows are read again until every answered call has one.
    wait_s: Annotated[float, Field(ge=0, le=120)] = 5.0
    #: How far outside a call's start … end its row's start may lie (clock difference, set-up).
    tolerance_s: Annotated[float, Field(ge=0, le=600)] = 5.0


class CdrFile(_CdrBase):
    """CDR in a file (``~`` and ``$VARIABLES`` in ``path`` are expanded): JSON lines (one object a
    line, ``fields`` are dotted paths), or Asterisk's ``Master.csv`` (``asterisk-csv``: the stock
    columns, ``fields`` name them: ``start``, ``answer``, ``end``, ``src``, ``dst``, ``channel``,
    ``dstchannel``, ``disposition``, ``duration``, ``billsec``, ``uniqueid``, and ``userfield``
    read as ``recording``; times in ``time_format.timezone``)."""

    kind: Literal["file"]
    path: str
    format: Literal["asterisk-csv", "json-lines"] = "json-lines"
    fields: CdrFields = CdrFields()
    time_format: TimeSpec = TimeSpec()


class CdrSql(SqlAccess, _CdrBase):
    """CDR in a database: ``query`` with ``:start``/``:end`` (naive times in ``timezone``)."""

    kind: Literal["sql"]
    query: str
    fields: CdrFields = CdrFields()


class CdrHttp(HttpAccess, _CdrBase):
    """CDR through an HTTP API: ``GET url`` with ``params`` and the run's window in
    ``start_param``/``end_param``; rows at ``items``."""

    kind: Literal["http"]
    params: dict[str, str] = Field(default_factory=dict)
    start_param: str | None = None
    end_param: str | None = None
    param_time: TimeSpec = TimeSpec()
    items: str = ""
    fields: CdrFields = CdrFields()
    time_format: TimeSpec = TimeSpec()


Cdr = Annotated[CdrFile | CdrSql | CdrHttp, Field(discriminator="kind")]


# --- screening ------------------------------------------------------------------------------------


class _ObserveBase(Model):
    #: The platform's value → the scenario's reason token (``absent``, ``malformed``,
    #: ``intl-format``, ``foreign``, ``blacklisted``…); an unmapped value is kept as written.
    values: dict[str, str] = Field(default_factory=dict)
    #: Values that mean "not flagged" (compared case-insensitively; '' always is).
    clear: tuple[str, ...] = ("pass",)


class ObserveHeader(_ObserveBase):
    """The verdict in a SIP header of the INVITE a seat receives."""

    kind: Literal["header"]
    name: str


class ObserveDisplayName(_ObserveBase):
    """The verdict in the caller's display name shown to the seat: ``pattern`` (a regular
    expression; its first group, or group ``flag``, is the value); no match means not flagged."""

    kind: Literal["display_name"]
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise FileProblem(
                f"{value!r} is not a regular expression: {exc}",
                f"{value!r} 不是有效的正则表达式：{exc}",
                r"a Python regular expression, e.g. ^\[(?P<flag>[^\]]+)\]",
            ) from None
        return value


class ObserveCdr(_ObserveBase):
    """The verdict in the call's CDR (``cdr.fields.screening``)."""

    kind: Literal["cdr"]


class ObserveManual(_ObserveBase):
    """The operator reads the agent's screen and answers what it showed for each test call."""

    kind: Literal["manual"]
    question: str | None = None


class ObserveWeb(_ObserveBase):
    """The verdict the web console shows for the call: the ``screening`` cell of the call's row
    in the console's call search (the target's ``console.calls.columns.screening``)."""

    kind: Literal["web"]


Observe = Annotated[
    ObserveHeader | ObserveDisplayName | ObserveCdr | ObserveManual | ObserveWeb,
    Field(discriminator="kind"),
]


class Screening(Model):
    """How the platform shows its screening verdict; several ways may be combined."""

    observe: Annotated[tuple[Observe, ...], Field(min_length=1)]
