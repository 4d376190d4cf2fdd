"""The target's ``screening.observe`` as the screening check's rule data.

:func:`screening_observations` turns the target file's models into frozen
:class:`~ccinspect.core.checks.observe.ScreeningObservation` values (the checks never see
pydantic models) and refuses a target that asks to read the verdict from a CDR it does not
describe.
"""

from __future__ import annotations

from ccinspect.core.checks.observe import ObserveKind, ScreeningObservation
from ccinspect.core.scenario.errors import ScenarioFileError
from ccinspect.core.scenario.sources import (
    ObserveCdr,
    ObserveDisplayName,
    ObserveHeader,
    ObserveManual,
    ObserveWeb,
)
from ccinspect.core.scenario.target import Target
from ccinspect.core.verdict import Text

__all__ = ["screening_observations"]


def screening_observations(target: Target) -> tuple[ScreeningObservation, ...]:
    """The target's ways to observe the screening verdict (empty when it declares none).

    Raises :class:`ScenarioFileError` for a ``cdr`` observation when the target has no ``cdr``
    section or its ``cdr.fields.screening`` is unset.
    """
    if target.screening is None:
        return ()
    found: list[ScreeningObservation] = []
    for i, rule in enumerate(target.screening.observe):
        values = tuple((str(k), str(v)) for k, v in rule.values.items())
        clear = frozenset(rule.clear)
        if isinstance(rule, ObserveHeader):
            found.append(ScreeningObservation(ObserveKind.HEADER, rule.name, "", values, clear))
        elif isinstance(rule, ObserveDisplayName):
            found.append(ScreeningObservation(ObserveKind.DISPLAY_NAME, "", rule.pattern, values, clear))
        elif isinstance(rule, ObserveCdr):
            field = target.cdr.fields.screening if target.cdr is not None else None
            if field is None:
                raise ScenarioFileError(
                    target.source,
                    f"screening.observe[{i}]",
                    Text(
                        "the screening verdict is to be read from the CDR, but the target "
                        + ("has no cdr section" if target.cdr is None else "sets no cdr.fields.screening"),
                        "甄别结果应从话单读取，但目标文件"
                        + ("没有 cdr 部分" if target.cdr is None else "未设置 cdr.fields.screening"),
                    ),
                    "a cdr section whose fields.screening names the CDR's screening field",
                )
            found.append(ScreeningObservation(ObserveKind.CDR, field, "", values, clear))
        elif isinstance(rule, ObserveManual):
            found.append(ScreeningObservation(ObserveKind.MANUAL, "", "", values, clear))
        elif isinstance(rule, ObserveWeb):
            found.append(ScreeningObservation(ObserveKind.WEB, "screening", "", values, clear))
    return tuple(found)
