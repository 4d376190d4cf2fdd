"""The first phases of a run: the carrier side (trunk simulator or public line) and the seats.

Each is a small function of the engine, the target and the scenario's bounds; what it learns
(registrations, refused or failed) is returned as facts, never judged here.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from ccinspect.core.checks.base import CheckContext
from ccinspect.core.facts import PUBLIC, TRUNK, RegistrationFact
from ccinspect.core.scenario import Target
from ccinspect.core.scenario.target import SeatSpec, SimulatedTrunk
from ccinspect.platform.sipprobe import HostPort
from ccinspect.runner.progress import Progress
from ccinspect.sip import (
    Agent,
    AnswerMode,
    AnswerPolicy,
    CallerId,
    Engine,
    PublicLineConfig,
    RegistrationError,
    Seat,
    SeatConfig,
    SipError,
    TrunkConfig,
)

__all__ = ["AUTO", "caller_id", "register_seats", "trunk_side"]

AUTO = AnswerPolicy(mode=AnswerMode.AUTO, delay=0.3)


def caller_id(number: str | None, host: str) -> CallerId | None:
    """The identity the trunk side (or a forging seat) presents for ``number``."""
    if number is None:
        return None
    if number == "":
        return CallerId(from_uri="sip:anonymous@anonymous.invalid", from_display="Anonymous")
    if number.lower() in {"anonymous", "unknown", "restricted"}:
        return CallerId(from_user=number, privacy="id")
    return CallerId(from_user=number, from_display=number, pai=f"<sip:{number}@{host}>")


async def trunk_side(engine: Engine, target: Target, progress: Progress) -> Agent:
    """Start the carrier side the target names: the trunk simulator, or a registered public line."""
    trunk = target.trunk
    if isinstance(trunk, SimulatedTrunk):
        bind = HostPort.parse(str(trunk.bind), default_port=5070)
        progress.phase("trunk", f"trunk simulator on {bind} (临时中继线)")
        return await engine.add_trunk(
            TrunkConfig(
                host=bind.host,
                port=bind.port,
                pbx=str(target.sip.registrar),
                answer=AUTO,
                name=TRUNK,
            )
        )
    registrar = str(trunk.registrar)
    progress.phase("public line", f"registering {trunk.username} at {registrar}")
    password = trunk.password.get_secret_value() if trunk.password is not None else ""
    return await engine.add_public_line(
        PublicLineConfig(user=trunk.username, password=password, domain=registrar, answer=AUTO, name=PUBLIC)
    )


async def register_seats(
    engine: Engine,
    target: Target,
    ctx: CheckContext,
    facts: list[RegistrationFact],
    *,
    timeout_s: float,
    progress: Progress,
) -> dict[str, Seat]:
    """Register the seats the checks need, all at once; a refusal or failure becomes a fact.

    One registration fact per seat is appended to ``facts`` as each registration ends (so a
    stopped run keeps those already known); returns the registered seats by seat id.
    """
    wanted = {s.id for s in ctx.seats}
    specs = [s for s in target.seats if s.id in wanted]
    progress.phase("seats", f"registering {len(specs)} seats / 坐席注册")
    seats: dict[str, Seat] = {}

    async def one(spec: SeatSpec) -> None:
        password = spec.password.get_secret_value() if spec.password is not None else ""
        try:
            seat = await engine.add_seat(
                SeatConfig(
                    user=spec.username,
                    password=password,
                    registrar=str(spec.registrar or target.sip.registrar),
                    auth_user=spec.auth_username,
                    display=spec.display_name,
                    domain=spec.domain or target.sip.domain,
                    proxy=target.sip.outbound_proxy,
                    answer=replace(AUTO, busy_when_on_call=spec.busy_when_on_call),
                    name=f"seat {spec.id}",
                ),
                timeout=timeout_s,
            )
        except RegistrationError as exc:
            facts.append(RegistrationFact(spec.id, False, exc.status, f"{exc.message} / {exc.message_zh}"))
            progress.note(f"seat {spec.id}: {exc.message}")
            return
        except SipError as exc:
            facts.append(RegistrationFact(spec.id, False, exc.status, exc.message, error=exc.message))
            progress.note(f"seat {spec.id}: {exc.message}")
            return
        seats[spec.id] = seat
        facts.append(RegistrationFact(spec.id, True, 200, "OK"))

    async with asyncio.TaskGroup() as group:
        for spec in specs:
            group.create_task(one(spec))
    progress.note(f"{len(seats)}/{len(specs)} seats registered / 已注册")
    return seats
