"""The only code that imports pjsua2: the Endpoint, agents, calls and media, owner-thread only.

- :mod:`.host`: :class:`Host`, the Endpoint's lifecycle and event pump, composed of
- :mod:`.accounts` (transports, accounts, REGISTER), :mod:`.calls` (call legs, DTMF, sealing
  of records) and :mod:`.media` (players, recorders, tone generators, RTP statistics);
- :mod:`.callbacks`: the pjsua2 subclasses whose callbacks report to the host;
- :mod:`.logcapture`: pjsip's log routed into the SIP message store and Python logging;
- :mod:`.convert`: translations of pjsua2 values (``pj.Error`` becomes
  :class:`~ccinspect.sip.errors.PjError` here, and nowhere else);
- :mod:`.buildinfo`: which pjsua2 is installed.

pjsua2 callbacks copy what they need into the frozen dataclasses of
:mod:`ccinspect.sip.records`; no pjsua2 object leaves this package.
"""

from ccinspect.sip._pj.buildinfo import read_build
from ccinspect.sip._pj.convert import request_uri_port, translate
from ccinspect.sip._pj.host import Host, measure_call_capacity

__all__ = ["Host", "measure_call_capacity", "read_build", "request_uri_port", "translate"]
