"""Scenario and target files: typed, validated, and wrong files explained to the user.

* A **target** file (:class:`Target`) describes the platform under test: SIP registrar, seats
  and their credentials, the trunk (ccinspect's simulator, or a public line), the allocated
  numbers and lists, where recordings and complaint tickets are read.
* A **scenario** file (:class:`Scenario`) is the inspector's script: which seats, which calls
  with which numbers, which checks, timeouts and tolerances.

:func:`load_scenario` / :func:`load_target` read YAML into frozen pydantic models with unknown
keys forbidden everywhere. Anything wrong in a file (YAML syntax, a duplicated or unknown key, a
wrong type, an unquoted phone number, an unknown check id, an unset secret variable) raises
:class:`ScenarioFileError` naming the file, the key path (``inbound.callers[2]``), the line when
known, what is wrong in English and Chinese, and what is allowed ("did you mean 'callers'?").
That is the user's mistake, never a FAIL.

Secrets (``password`` / ``password_env`` / ``password_file``) are resolved at load time into
:data:`Secret` (pydantic ``SecretStr``) values whose ``repr``/``str`` hide them
(``secret.get_secret_value()`` reveals one where it is used); they never reach a
:class:`~ccinspect.core.checks.base.CheckContext` or a result.

:func:`build_context` joins a scenario and a target into the checks' policy; :func:`plan_calls`
lists the calls the scenario asks for.
"""

from pydantic import SecretStr

from ccinspect.core.scenario.context import PlannedCall, build_context, plan_calls
from ccinspect.core.scenario.errors import ScenarioFileError
from ccinspect.core.scenario.loading import load_scenario, load_target
from ccinspect.core.scenario.script import Scenario
from ccinspect.core.scenario.target import Target

#: The type of a loaded secret: ``str()``/``repr()`` show ``**********``.
Secret = SecretStr

__all__ = [
    "PlannedCall",
    "Scenario",
    "ScenarioFileError",
    "Secret",
    "Target",
    "build_context",
    "load_scenario",
    "load_target",
    "plan_calls",
]
