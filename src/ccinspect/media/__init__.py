"""Pure numpy analysis of call audio: stimulus fingerprints, DTMF, G.711, recording analysis.

Modules (every function here is pure unless it says otherwise):

- ``fingerprint``: the public face of the leg fingerprint: ``Fingerprint``, ``fingerprint_for``,
  ``synthesize``, ``detect``, ``detect_all``, ``Detection``, ``silence_share``.
- ``tonecode``: the tone grid and the code that gives every leg its own tone sequence.
- ``spectrum`` / ``detector``: the framewise spectral front end and the sequence detector.
- ``analysis``: what one leg heard (``analyse_heard``) and what a PBX recording holds
  (``analyse_recording``).
- ``dtmf``: in-band DTMF detection (Goertzel) and synthesis.
- ``g711``: ITU-T G.711 mu-law and A-law encode/decode.
- ``levels``: dBFS conventions (AES17: a full-scale sine is 0 dBFS), RMS level, silence share.
- ``samples``: validation of the arrays and rates every public function accepts.
- ``channel`` / ``testsignals``: channel impairments (resampling, clipping) and synthetic test
  signals (white noise, speech-like signals) for tests and benchmarks.
- ``io``: the only module here that touches files (``load_wav``).

Nothing in this package imports asyncio, pjsua2 or SQLAlchemy; callers run heavy work through
``asyncio.to_thread``.
"""
