"""The target file's ``console`` section: a browser recipe for the platform's own web console.

On site the inspector logs in to the platform's console with its demo account, finds the call
just made and plays its recording there, opens the complaint work order, and looks at the
screening flag. A recipe says how to do each of those on one platform, as data: pages are paths
relative to ``url``, and every element is a **selector**, CSS (``table#calls tbody tr``) or
Playwright's text and pseudo-class forms (``text=登录``, ``button:has-text("查询")``). The reader
(:mod:`ccinspect.platform.web`) drives a headless Chromium through it.

* ``login``: the form (username and password fields, submit) and an element that shows once
  logged in (``success``) or when refused (``failure``);
* ``calls``: the call-record search: its fields (a number, a time range), the result rows and
  each row's cells (``columns``), and the link in a row that opens the recording player
  (``open``); the recordings and the screening flag are read here;
* ``player``: the player element on the page ``open`` leads to;
* ``work_orders``: the complaint work-order search, its rows, cells and recording link;
* ``retention``: the settings page element that shows the recording retention in days.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, model_validator

from ccinspect.core.scenario.access import TimeSpec
from ccinspect.core.scenario.errors import FileProblem
from ccinspect.core.scenario.fields import Credentials, Model, Url

__all__ = [
    "CallColumns",
    "CallSearch",
    "Console",
    "ConsoleLogin",
    "OrderColumns",
    "OrderSearch",
    "PlayerSpec",
    "RetentionField",
    "SearchFields",
    "Viewport",
]

Selector = Annotated[str, Field(min_length=1, max_length=500)]
StepSeconds = Annotated[float, Field(gt=0, le=120)]


def _path(value: str) -> str:
    if "://" in value:
        raise FileProblem(
            f"{value!r} is a full URL; pages are paths relative to console.url",
            f"{value!r} 是完整 URL；页面应写为相对于 console.url 的路径",
            "a path such as calls or /orders",
        )
    return value


PagePath = Annotated[str, AfterValidator(_path)]


class ConsoleLogin(Model):
    """The login page (``path``), its ``username``/``password`` fields and ``submit`` button;
    ``success`` is an element shown only once logged in, ``failure`` the console's refusal
    message (its text is quoted when the login fails)."""

    path: PagePath = ""
    username: Selector
    password: Selector
    submit: Selector
    success: Selector
    failure: Selector | None = None


class SearchFields(Model):
    """Form fields a search fills: ``phone`` (the call's outside number: the caller of an
    inbound call, the number dialled by a seat), or ``caller``/``callee`` separately; ``start``
    and ``end`` the time range (written as the search's ``time`` format says)."""

    phone: Selector | None = None
    caller: Selector | None = None
    callee: Selector | None = None
    start: Selector | None = None
    end: Selector | None = None


class CallColumns(Model):
    """Selectors, inside one result row, of the cells read: ``caller``, ``callee``, ``time``
    (the call's start), ``screening`` (the screening flag), ``agent``, ``id``."""

    caller: Selector | None = None
    callee: Selector | None = None
    time: Selector | None = None
    screening: Selector | None = None
    agent: Selector | None = None
    id: Selector | None = None


class _Search(Model):
    """A search page: open ``path``, fill ``fields``, press ``submit`` (Enter in the last field
    when unset), read the ``rows``; times are written and read as ``time`` says. ``empty`` is
    what the console shows when the search finds nothing (so "no rows" is told from a ``rows``
    selector that matches nothing: one of the two must appear within the step bound)."""

    path: PagePath
    fields: SearchFields = SearchFields()
    submit: Selector | None = None
    rows: Selector
    empty: Selector
    time: TimeSpec = TimeSpec(format="%Y-%m-%d %H:%M:%S", timezone="Asia/Shanghai")


class CallSearch(_Search):
    """The call-record search; ``open`` is the link in a row that opens its recording player
    (a row without it shows no recording)."""

    columns: CallColumns = CallColumns()
    open: Selector | None = None

    @model_validator(mode="after")
    def _time_column(self) -> CallSearch:
        if self.columns.time is None:
            raise FileProblem(
                "the call search names no time column: rows cannot be matched to calls",
                "通话记录检索未指定时间列：无法把记录与呼叫对应",
                "columns.time: the selector of the start-time cell in a row",
                "columns.time",
            )
        return self


class OrderColumns(Model):
    """Selectors, inside one work-order row, of the order number (``id``), the caller number
    (``caller``), its creation time (``created``) and reply ``deadline``."""

    id: Selector
    caller: Selector | None = None
    created: Selector | None = None
    deadline: Selector | None = None


class OrderSearch(_Search):
    """The complaint work-order search; ``recording`` is the link in a row to the complaint
    call's recording (its address is kept as the ticket's recording)."""

    columns: OrderColumns
    recording: Selector | None = None


class PlayerSpec(Model):
    """The recording player on the page a row's ``open`` link leads to: the ``element``
    (``<audio>`` or ``<video>``), how long it may take to be able to play (``ready_s``)."""

    element: Selector = "audio"
    ready_s: StepSeconds = 10.0


class RetentionField(Model):
    """Where the console shows the recording retention (days): ``path`` and the ``value``
    element (an input's value, or the element's text; the first number in it is taken)."""

    path: PagePath
    value: Selector


class Viewport(Model):
    width: Annotated[int, Field(ge=320, le=3840)] = 1366
    height: Annotated[int, Field(ge=320, le=2160)] = 860


class Console(Credentials):
    """The platform's web console (``url``), the inspection account (``username`` and the
    password), and the recipe's pages. ``step_timeout_s`` bounds every step (a page load, an
    element to appear); ``browser`` the Chromium executable (default: Debian's ``chromium`` on
    PATH)."""

    url: Url
    username: Annotated[str, Field(min_length=1)]
    login: ConsoleLogin
    calls: CallSearch | None = None
    player: PlayerSpec = PlayerSpec()
    work_orders: OrderSearch | None = None
    retention: RetentionField | None = None
    step_timeout_s: StepSeconds = 10.0
    browser: str | None = None
    viewport: Viewport = Viewport()

    password_required: ClassVar[bool] = True
