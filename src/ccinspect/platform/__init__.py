"""Every reader of a platform under test, shared by the runner and the nightly job.

One module per adapter kind, chosen and configured by the target file; nothing here knows the
demo call center. A new adapter is one module here plus its section in the target file
(``core/scenario/target.py``):

* recordings (``recordings.kind``): :mod:`.recordings` (the interface), :mod:`.ari`,
  :mod:`.httprec`, :mod:`.directory`, :mod:`.sqlrec`; :mod:`.stores` opens the one a target names, and
  :mod:`.recfacts` turns a store into the run's facts (matching, retention, access control);
* complaint systems (``complaints.kind``): :mod:`.tickets` (the runner's one entry point, by
  kind), :mod:`.ticketsearch` (``rest`` and ``sql`` searches through the target's field map),
  :mod:`.complaints` (the demo's API: tickets and the SLA's figures, one GET for both);
  ``manual`` is the operator's answer (``runner.manual``);
* CDR files and recording stores on disk (``audit``): :mod:`.cdr`, :mod:`.cdrcsv`,
  :mod:`.cdrio`, :mod:`.wavprobe`, :mod:`.recstore`;
* SIP reachability: :mod:`.sipprobe` (one OPTIONS over UDP, ``host:port`` parsing).

Adapters raise :class:`~ccinspect.platform.errors.AdapterError` when the platform cannot be read
(an ERROR, never a finding); :mod:`.httputil` holds what the HTTP adapters share.
"""
