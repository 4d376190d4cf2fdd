"""The ``cdr`` table as the contract defines it, for starting platform B without its console.

Normally the console creates and upgrades its schema (cdr, work_orders, settings, users) before it
answers /healthz; ``demo up --platform b --no-console`` uses this instead so that Asterisk's
cdr_pgsql has a table to write to. Columns: cdr_pgsql's standard ones plus screen_result,
agent_id and record_file (filled from CDR variables of those names).
"""

from __future__ import annotations

CREATE_CDR = """
CREATE TABLE IF NOT EXISTS cdr (
    calldate timestamptz NOT NULL DEFAULT now(),
    clid text NOT NULL DEFAULT '',
    src text NOT NULL DEFAULT '',
    dst text NOT NULL DEFAULT '',
    dcontext text NOT NULL DEFAULT '',
    channel text NOT NULL DEFAULT '',
    dstchannel text NOT NULL DEFAULT '',
    lastapp text NOT NULL DEFAULT '',
    lastdata text NOT NULL DEFAULT '',
    duration integer NOT NULL DEFAULT 0,
    billsec integer NOT NULL DEFAULT 0,
    disposition text NOT NULL DEFAULT '',
    amaflags integer NOT NULL DEFAULT 0,
    accountcode text NOT NULL DEFAULT '',
    uniqueid text NOT NULL DEFAULT '',
    userfield text NOT NULL DEFAULT '',
    linkedid text NOT NULL DEFAULT '',
    peeraccount text NOT NULL DEFAULT '',
    sequence integer NOT NULL DEFAULT 0,
    screen_result text NOT NULL DEFAULT '',
    agent_id text NOT NULL DEFAULT '',
    record_file text NOT NULL DEFAULT ''
);
"""
