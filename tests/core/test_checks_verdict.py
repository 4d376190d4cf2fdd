"""Verdict aggregation, result summaries, and the catalogue's promises."""

from __future__ import annotations

import re

import pytest
from tests.core.test_checks_support import context

from ccinspect.core import catalog
from ccinspect.core.checks.base import Check, CheckSpec
from ccinspect.core.facts import RunFacts
from ccinspect.core.verdict import (
    Text,
    Verdict,
    aggregate,
    conclude,
    errored,
    failed,
    passed,
    skipped,
)

P, F, E, S = Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.SKIP
T = Text("x", "x")


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], S),
        ([S, S], S),
        ([P, S], P),
        ([P, P], P),
        ([P, E], E),
        ([E, F], F),
        ([F, E, P, S], F),
        ([S, E], E),
    ],
)
def test_aggregate_precedence(verdicts: list[Verdict], expected: Verdict) -> None:
    """FAIL beats ERROR beats PASS beats SKIP; nothing at all is SKIP."""
    assert aggregate(verdicts) is expected


def test_conclude_names_failing_subjects_and_collects_distinct_remedies() -> None:
    """A FAIL summary names the failing subjects, quotes the first reason, dedupes remedies."""
    fix = Text("fix it", "修复")
    subjects = [
        passed("seat 8001", T),
        failed("seat 8002", Text("refused 403", "拒绝 403"), fix),
        errored("seat 8003", Text("timeout", "超时")),
        failed("seat 8004", Text("refused 403", "拒绝 403"), fix),
    ]
    result = conclude("x.y", ("R20",), T, subjects, pass_reason=T)
    assert result.verdict is F
    assert "2 of 4 failed (seat 8002, seat 8004)" in result.reason.en
    assert "seat 8002: refused 403" in result.reason.en
    assert "4 项中 2 项不通过" in result.reason.zh
    assert result.remedy == fix
    assert result.subjects_with(E)[0].subject == "seat 8003"


def test_conclude_error_summary_and_pass_with_skips() -> None:
    """ERROR summaries name the unchecked subjects; PASS counts the not-applicable ones."""
    err = conclude("x", (), T, [passed("a", T), errored("b", Text("gone", "无"))], pass_reason=T)
    assert err.verdict is E
    assert "1 of 2 could not be checked (b)" in err.reason.en
    assert err.remedy is None
    ok = conclude("x", (), T, [passed("a", T), skipped("b", T)], pass_reason=Text("fine", "好"))
    assert ok.verdict is P
    assert ok.reason.en == "fine (1 not applicable)"


def test_conclude_without_subjects_uses_the_empty_verdict() -> None:
    """No subjects: SKIP by default, or the verdict the check asks for, with its reason."""
    assert conclude("x", (), T, [], pass_reason=T).verdict is S
    result = conclude("x", (), T, [], pass_reason=T, empty_reason=Text("none", "无"), empty_verdict=E)
    assert (result.verdict, result.reason.en) == (E, "none")


def test_catalogue_ids_are_stable_unique_and_documented() -> None:
    """Every check has a dotted id, requirement ids, and titles/descriptions in both languages."""
    ids = catalog.check_ids()
    assert len(set(ids)) == len(ids) == 13
    for check in catalog.CATALOG:
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", check.id)
        assert check.spec.requirements
        assert all(re.fullmatch(r"R\d+", r) for r in check.spec.requirements)
        for text in (check.spec.title, check.spec.description):
            assert text.en
            assert re.search(r"[\u4e00-\u9fff]", text.zh)
        assert catalog.find_check(check.id) is check
    assert catalog.find_check("no.such") is None


def test_run_checks_skips_unselected_and_keeps_every_check() -> None:
    """Unselected checks are SKIP with a reason; the result lists the whole catalogue in order."""
    results = catalog.run_checks(RunFacts(), context(), selected={"seats.registered"})
    assert [r.check_id for r in results] == list(catalog.check_ids())
    skipped_ = [r for r in results if r.check_id != "seats.registered"]
    assert all(r.verdict is S and "not selected" in r.reason.en for r in skipped_)
    assert results[0].verdict is E  # no registration facts: could not check, never PASS


def test_run_checks_turns_a_crashing_check_into_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that raises is a ccinspect bug: ERROR naming it, and the other checks still run."""

    def boom(facts: RunFacts, ctx: object) -> object:
        raise ZeroDivisionError("oops")

    spec = CheckSpec("test.boom", ("R1",), T, T)
    monkeypatch.setattr(catalog, "CATALOG", (Check(spec, boom), *catalog.CATALOG[:1]))  # type: ignore[arg-type]
    results = catalog.run_checks(RunFacts(), context())
    assert results[0].verdict is E
    assert "internal error in check test.boom" in results[0].reason.en
    assert len(results) == 2
    assert catalog.overall(results) is E


def test_missing_facts_never_pass() -> None:
    """With no facts at all, every selected check is ERROR or SKIP — none passes, none fails."""
    results = catalog.run_checks(RunFacts(), context())
    assert {r.verdict for r in results} <= {E, S}
    assert all(r.reason.en and r.reason.zh for r in results)


def test_docs_describe_every_check() -> None:
    """docs/checks.md has a section for every catalogue id, so the docs cannot drift silently."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "checks.md").read_text(encoding="utf-8")
    for check in catalog.CATALOG:
        assert f"### `{check.id}`" in docs
        assert f"| `{check.id}` | {', '.join(check.spec.requirements)} |" in docs


@pytest.mark.parametrize(
    ("before", "after", "worse"),
    [
        (Verdict.PASS, Verdict.FAIL, True),
        (Verdict.PASS, Verdict.ERROR, True),
        (Verdict.SKIP, Verdict.ERROR, True),
        (Verdict.ERROR, Verdict.FAIL, True),
        (Verdict.SKIP, Verdict.PASS, False),
        (Verdict.FAIL, Verdict.ERROR, False),
        (Verdict.FAIL, Verdict.PASS, False),
        (Verdict.FAIL, Verdict.FAIL, False),
        (None, Verdict.FAIL, True),
        (None, Verdict.ERROR, False),
        (None, Verdict.PASS, False),
        (Verdict.PASS, None, False),
    ],
)
def test_regressed_is_the_one_rule_for_run_comparison(
    before: Verdict | None, after: Verdict | None, worse: bool
) -> None:
    """A check regresses when it is now FAIL/ERROR and worse than before; SKIP→PASS never does."""
    from ccinspect.core.verdict import regressed

    assert regressed(before, after) is worse
