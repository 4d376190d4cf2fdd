"""The nightly compliance job: production-safe, read-only, one pass per night.

Here: ``job`` (the job itself), ``alerts`` (the alert summary, schema
``ccinspect.nightly-alert/1``, and its webhook delivery), ``metrics`` (Prometheus text-format
metrics for node-exporter's textfile collector), and, until they move to ``core/``, ``audit``
(the verdict of the recording-store audit, R5, a pure function of CDR rows and probe results)
and ``auditcheck`` (the check ``nightly.recording_store``).

Judgments live in ``core/``: :mod:`ccinspect.core.canary` (retention canaries),
:mod:`ccinspect.core.compare` (regressions between two runs), :mod:`ccinspect.core.sla`
(complaint replies within 15 days, R10). Readers live in ``platform/``: CDR files
(:mod:`ccinspect.platform.cdr`, ``cdrcsv``, ``cdrio``), recording files and stores
(``wavprobe``, ``recstore``), the complaint API (:mod:`ccinspect.platform.complaints`).

Nothing here imports pjsua2 or SQLAlchemy; nothing here calls ``asyncio.run``.
"""
