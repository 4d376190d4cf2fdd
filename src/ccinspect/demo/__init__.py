"""The demo call center: what exists only to give ccinspect something real to inspect.

``pbx/``: the demo Asterisk PBX's backends (rootfs, docker), its configuration reader, status,
health probes, retention purge. ``complaints/``: the demo complaint service and its database
(with its own Alembic migrations). ``doctor``: ``ccinspect doctor`` with the demo's probe.

The product never imports this package (only the CLI's demo and doctor commands do, lazily); the
demo may import the product. The demo's paths and addresses live in its target file
(scenarios/targets/demo.yaml), not in product code.
"""
