"""The ``ccinspect`` command line: one module per command group; :mod:`.main` has the parser
and :func:`~ccinspect.cli.main.main` (the console script ``ccinspect.cli.main:main``, and
``python -m ccinspect.cli``); :mod:`.aio` is the one place an event loop is created."""
