"""Platform B: a second demo call center built the way a vendor would.

Kamailio 5.6 at the edge, Asterisk 16 behind it, PostgreSQL for CDRs and work orders, a vendor-style
web console (:mod:`.console`).
"""
