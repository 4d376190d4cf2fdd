"""Shared fixtures for the media tests: a seeded generator, so every signal is reproducible."""

from __future__ import annotations

import numpy as np
import pytest

SEED = 20240611


@pytest.fixture
def rng() -> np.random.Generator:
    """A numpy Generator with a fixed seed (fresh per test, so tests are order-independent)."""
    return np.random.default_rng(SEED)
