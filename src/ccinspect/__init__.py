"""ccinspect: on-site inspection simulator for call-center platforms (呼叫中心现场核查演练)."""

__version__ = "0.1.0"
