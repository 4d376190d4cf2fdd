"""The nightly compliance job's own checks: production-safe, read-only, one pass per night.

Modules (pure logic first, I/O kept to the named edges):

- ``cdr``: call detail records as :class:`~ccinspect.platform.cdr.CdrRow` values; the demo
  PBX's JSON lines parser, the seat and recording-key rules. ``cdrcsv``: CSV exports through a
  column mapping. ``cdrio``: :func:`~ccinspect.platform.cdrio.read_cdr_file`, bounded, naming
  the file. Parsers are pure; a bad line is a reported problem, never a crash.
- ``wavprobe``: what one recording file is (length, format, sampled levels) without reading
  the whole file; runs inside worker processes.
- ``recstore``: the recording directory (listing, a bounded process pool of probes) and
  :func:`~ccinspect.platform.recstore.audit_directory_store`, the whole audit pipeline.
- ``audit``: the verdict of the recording-store audit (R5), a pure function of CDR rows and
  probe results, with gaps by day and by seat; ``auditcheck`` turns it into the check
  ``nightly.recording_store``.
- ``sla``: complaint replies within 15 days and the yearly reply rate (R10): pure figures from
  ticket lists, and an async client of the complaint API that reports errors as facts.
- ``compare``: regressions and fixes between two runs' verdicts (pure).
- ``alerts``: the alert summary (schema ``ccinspect.nightly-alert/1``) and its webhook delivery.
- ``metrics``: Prometheus text-format metrics for node-exporter's textfile collector.
- ``canary``: retention canaries (see that module).

Nothing here imports pjsua2 or SQLAlchemy; nothing here calls ``asyncio.run``.
"""
