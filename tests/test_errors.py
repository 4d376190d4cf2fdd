"""The one error model: bilingual text, a hint, a kind that decides the exit code, one root."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import ccinspect
from ccinspect.errors import EXIT_CODES, EXIT_ERROR, CcinspectError, Kind

#: Exception classes of ccinspect that do not derive from CcinspectError, each with its reason.
#: Every one is internal: translated into a CcinspectError before it could reach the CLI.
ALLOWED_OUTSIDE = {
    "ccinspect.core.scenario.errors.FileProblem": "raised inside pydantic validators, which need a "
    "ValueError; loading.py turns it into ScenarioFileError",
    "ccinspect.platform.cdr.BadValue": "internal to the CDR parsers; becomes a row problem (a Text)",
    "ccinspect.platform.wavprobe._Undecodable": "private; becomes a probe result's detail",
    "ccinspect.core.codec.DecodeError": "a ValueError in the decoder; core.rundoc raises RunDocumentError",
    "ccinspect.platform.fieldmap.FieldError": "a ValueError of the pure field readers; each adapter "
    "turns it into an AdapterError naming its interface, or a row problem",
    "ccinspect.cli.aio.Interrupted": "a KeyboardInterrupt by design (a stop request, not an error)",
}

#: Modules that need what a plain test run may lack (pjsua2 is imported lazily everywhere else).
SKIP_MODULES = ("ccinspect.store.migrations.", "ccinspect.demo.complaints.db.migrations.")


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(ccinspect.__path__, "ccinspect."):
        if info.name.startswith(SKIP_MODULES) or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_exception_class_of_ccinspect_derives_from_ccinspect_error() -> None:
    """Every exception class defined in the package is a CcinspectError, or is allow-listed
    with the reason it never reaches the CLI."""
    classes = _exception_classes()
    assert "ccinspect.sip.errors.SipError" in classes, "the walk found the package's errors"
    strays = sorted(
        name
        for name, cls in classes.items()
        if not issubclass(cls, CcinspectError) and name not in ALLOWED_OUTSIDE
    )
    assert strays == [], f"derive these from ccinspect.errors.CcinspectError: {strays}"
    stale = sorted(name for name in ALLOWED_OUTSIDE if name not in classes)
    assert stale == [], f"allow-list entries naming no class: {stale}"


def test_render_shows_both_languages_and_the_hint() -> None:
    """render() prints English, Chinese, then the next step."""
    exc = CcinspectError("the PBX did not answer", "PBX 无应答", hint="start it: make demo")
    assert exc.render().splitlines() == [
        "error: the PBX did not answer",
        "错误：PBX 无应答",
        "next: start it: make demo",
    ]
    assert str(exc) == "the PBX did not answer"


def test_render_without_hint_or_translation_prints_no_empty_line() -> None:
    """An English-only error is printed once; no 'next:' line without a hint."""
    assert CcinspectError("disk full").render() == "error: disk full"
    assert CcinspectError("disk full").message_zh == "disk full"


def test_render_appends_evidence_after_the_hint() -> None:
    """A subclass's details() (e.g. a log tail) follows the message and the hint."""

    class WithLog(CcinspectError):
        def details(self) -> str:
            return "log tail\n"

    assert WithLog("failed", "失败", hint="look").render().splitlines()[-2:] == ["next: look", "log tail"]


@pytest.mark.parametrize("kind", list(Kind))
def test_exit_code_follows_the_kind(kind: Kind) -> None:
    """The exit code comes from the kind (all 2 today); an instance may override its class's kind."""
    exc = CcinspectError("x", "x", kind=kind)
    assert exc.kind is kind
    assert exc.exit_code == EXIT_CODES[kind] == EXIT_ERROR


def test_subclasses_declare_their_kind() -> None:
    """The kinds of some well-known errors: the user's file, the platform, the harness."""
    from ccinspect.core.scenario import ScenarioFileError
    from ccinspect.core.verdict import Text
    from ccinspect.sip.errors import CallFailedError, EngineStartError, RegistrationError
    from ccinspect.store.errors import RunNotFound, StoreUnavailable

    assert ScenarioFileError("a.yaml", "seats", Text("bad", "错")).kind is Kind.USER
    assert RunNotFound("no run", "无运行").kind is Kind.USER
    assert RegistrationError("refused", message_zh="拒绝").kind is Kind.PLATFORM
    assert CallFailedError("refused", message_zh="拒绝").kind is Kind.PLATFORM
    assert EngineStartError("no pjsua2", message_zh="无 pjsua2").kind is Kind.HARNESS
    assert StoreUnavailable("db down", "数据库不可用").kind is Kind.HARNESS


def test_scenario_file_error_renders_file_key_and_allowed_in_both_languages() -> None:
    """A file error's render names file, line, key, the problem and what is allowed, twice."""
    from ccinspect.core.scenario import ScenarioFileError
    from ccinspect.core.verdict import Text

    exc = ScenarioFileError("s.yaml", "inbound.caller", Text("unknown key", "未知的键"), "callers", line=3)
    en, zh = exc.render().splitlines()
    assert en == "error: s.yaml:3: inbound.caller: unknown key. Allowed: callers."
    assert zh == "错误：s.yaml:3: inbound.caller: 未知的键。允许：callers"
    assert str(exc) == "s.yaml:3: inbound.caller: unknown key. Allowed: callers. / 未知的键"
