"""The fingerprint code and its synthesis: deterministic, in band, mutually distinct."""

from __future__ import annotations

import numpy as np
import pytest

from ccinspect.media.dtmf import HIGH_HZ, LOW_HZ
from ccinspect.media.fingerprint import (
    GAP_S,
    GRID,
    MAX_LEGS,
    N_TONES,
    PERIOD_S,
    SEQUENCE_S,
    Fingerprint,
    fingerprint_for,
    synthesize,
)


def _symbols() -> np.ndarray:
    """Grid index of every slot of every fingerprint, shape (MAX_LEGS, N_TONES)."""
    index = {f: i for i, f in enumerate(GRID)}
    return np.array([[index[f] for f in fingerprint_for(i).tones] for i in range(MAX_LEGS)])


def test_fingerprint_is_deterministic() -> None:
    """The same leg id always gives the same fingerprint (legs and analysis agree)."""
    assert fingerprint_for(17) == fingerprint_for(17)
    assert fingerprint_for(17).id == 17
    assert len(fingerprint_for(17).tones) == N_TONES


def test_capacity_is_at_least_512_distinct_legs() -> None:
    """At least 512 legs get pairwise different fingerprints."""
    assert MAX_LEGS >= 512
    assert len({fingerprint_for(i).tones for i in range(MAX_LEGS)}) == MAX_LEGS


def test_grid_stays_in_band_and_avoids_signalling_tones() -> None:
    """Tones lie in 300-3400 Hz, away from DTMF, 1000 Hz, 620 Hz and 2100 Hz."""
    assert len(set(GRID)) == len(GRID)
    for f in GRID:
        assert 300.0 <= f <= 3400.0
        for dtmf in LOW_HZ + HIGH_HZ:
            assert abs(f - dtmf) >= 45.0
        for tone in (1000.0, 2100.0):
            assert abs(f - tone) >= 45.0
        assert abs(f - 620.0) >= 40.0


def test_tones_of_one_fingerprint_are_all_different() -> None:
    """No tone repeats within a sequence, so every slot has quiet neighbours at its frequency."""
    sym = _symbols()
    assert all(len(set(row)) == N_TONES for row in sym.tolist())


def test_two_fingerprints_share_at_most_one_aligned_slot() -> None:
    """Exhaustively: any two legs share at most one tone slot when aligned in time."""
    sym = _symbols()
    shared = (sym[:, None, :] == sym[None, :, :]).sum(axis=2)
    np.fill_diagonal(shared, 0)
    assert shared.max() <= 1


@pytest.mark.parametrize("shift", range(1, N_TONES))
def test_two_fingerprints_share_at_most_two_shifted_slots(shift: int) -> None:
    """Exhaustively: shifted by whole slots, a fingerprint matches another one in <= 2 slots.

    The detector demands N_TONES - 1 = 5 slots, so no shift of another leg's sequence passes.
    """
    sym = _symbols()
    head, tail = sym[:, : N_TONES - shift], sym[:, shift:]
    shared = (head[:, None, :] == tail[None, :, :]).sum(axis=2)
    assert shared.max() <= 2


@pytest.mark.parametrize("bad", [-1, MAX_LEGS, 10**6])
def test_fingerprint_for_rejects_out_of_range_ids(bad: int) -> None:
    """Ids outside 0..MAX_LEGS-1 are a caller error, not a silent collision."""
    with pytest.raises(ValueError, match="leg_id"):
        fingerprint_for(bad)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_synthesize_one_sequence_has_nominal_duration_and_level(rate: int) -> None:
    """One sequence lasts SEQUENCE_S and its tones peak at the requested level."""
    x = synthesize(fingerprint_for(5), rate, level_dbfs=-6.0)
    assert x.dtype == np.float32
    assert x.size == round(SEQUENCE_S * rate)
    assert np.max(np.abs(x)) == pytest.approx(10 ** (-6 / 20), rel=1e-3)


def test_synthesize_repeat_gives_whole_loop_periods() -> None:
    """A looped stimulus is a whole number of periods, each ending in the gap, >= the request."""
    x = synthesize(fingerprint_for(9), 8000, repeat_seconds=10.0)
    period = round(PERIOD_S * 8000)
    assert x.size % period == 0
    assert x.size >= 10 * 8000
    assert x.size - period < 10 * 8000
    gap = round(GAP_S * 8000)
    assert not np.any(x[period - gap : period])
    np.testing.assert_array_equal(x[:period], x[period : 2 * period])


def test_synthesize_rejects_levels_above_full_scale() -> None:
    """Levels above 0 dBFS would clip; they are refused."""
    with pytest.raises(ValueError, match="level_dbfs"):
        synthesize(fingerprint_for(1), 8000, level_dbfs=1.0)


def test_synthesize_plays_the_tones_in_order() -> None:
    """Each slot's strongest frequency is that slot's tone."""
    fp = Fingerprint(id=0, tones=(500.0, 1562.5, 3250.0))
    x = synthesize(fp, 8000)
    slot = x.size // 3
    for i, f in enumerate(fp.tones):
        seg = x[i * slot : (i + 1) * slot]
        freqs = np.fft.rfftfreq(seg.size, 1 / 8000)
        assert freqs[np.argmax(np.abs(np.fft.rfft(seg)))] == pytest.approx(f, abs=7)
