"""Demo platform B: a second call center (Kamailio + Asterisk 16) with a vendor-style web console."""
