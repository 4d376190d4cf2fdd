"""Platform B's root filesystems: ``bookworm-kamailio`` (Kamailio 5.6) and
``bullseye-asterisk16`` (Asterisk 16), built and run like every demo tree (:mod:`ccinspect.demo.chroot`).
"""

from __future__ import annotations

from ccinspect.demo.chroot import MARKER, Progress, Rootfs, RootfsSpec, tail

__all__ = ["ASTERISK16", "KAMAILIO", "MARKER", "Progress", "Rootfs", "RootfsSpec", "tail"]

KAMAILIO = RootfsSpec(
    name="bookworm-kamailio",
    suite="bookworm",
    # topoh, auth_db, registrar and usrloc are in "kamailio" itself; db_postgres is separate.
    packages=("kamailio", "kamailio-postgres-modules"),
    probe="usr/sbin/kamailio",
)
ASTERISK16 = RootfsSpec(
    name="bullseye-asterisk16",
    suite="bullseye",
    packages=("asterisk", "asterisk-core-sounds-en-gsm", "sox"),
    probe="usr/sbin/asterisk",
)
