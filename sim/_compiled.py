"""The optional compiled path (numba, the ``fast`` extra), loaded lazily, and backend selection.

``sim`` never imports numba at import time: :func:`kernels` imports :mod:`sim._numba_kernels` on
first use (numba's import and the cached kernels cost ~0.5-1 s per process), so runs that stay on the
numpy path pay nothing. Both paths give the same numbers: the compiled kernels reproduce numpy's
PCG64 streams, its standard normal sampler and its pairwise sums bit for bit (checked in
``tests/test_sim_compiled.py``); BLAS products are numpy's in both.

Backends (the ``backend`` argument of :func:`sim.run_sgf`):

* ``"numpy"`` -- numpy only;
* ``"numba"`` -- the compiled kernels; ``ImportError`` naming the extra if numba is absent;
* ``"auto"`` (default) -- ``"numba"`` when numba is installed and either it is already loaded in
  this process or the run is long enough to repay loading it (the estimated saving, see
  :func:`sgf_saving`, exceeds :data:`AUTO_MIN_SAVING` seconds); otherwise ``"numpy"``.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

import numpy as np

BACKENDS = ("auto", "numpy", "numba")
# "auto" loads numba when the run should save more than this (seconds): about twice numba's load
# time on a quiet machine, so that a run that loads it is never much slower.
AUTO_MIN_SAVING = 1.5
# Measured savings of the compiled path over the numpy path on the benchmark's machine type (quiet,
# one thread): ~15 us of loop overhead per step and ~5 ns per replica and unit of n + d.
_SAVED_PER_STEP, _SAVED_PER_UNIT = 15e-6, 5e-9
INSTALL_HINT = 'the compiled path needs numba: pip install -e ".[fast]" (or pip install numba)'

_kernels: ModuleType | None = None


def available() -> bool:
    """True if numba can be imported (without importing it)."""
    return _kernels is not None or importlib.util.find_spec("numba") is not None


def loaded() -> bool:
    """True if the compiled kernels are already loaded in this process."""
    return _kernels is not None


def kernels() -> ModuleType:
    """The compiled kernels module (imports numba on first call)."""
    global _kernels
    if _kernels is None:
        try:
            _kernels = importlib.import_module("sim._numba_kernels")
        except ImportError as exc:  # numba (or llvmlite) missing or broken
            raise ImportError(INSTALL_HINT) from exc
    return _kernels


def sgf_saving(n_replicas: int, n_steps: int, n: int, d: int) -> float:
    """Estimated seconds the compiled path saves on a run_sgf of this size (for "auto")."""
    return n_steps * (_SAVED_PER_STEP + _SAVED_PER_UNIT * n_replicas * (n + d))


def normals_saving(n_replicas: int, n_values: int) -> float:
    """Estimated seconds the compiled sampler saves on ``n_values`` normals from R streams (numpy:
    ~10 ns a normal and ~60 us to build a replica's generator; compiled: ~3 ns, seeding ~0)."""
    return 7e-9 * n_values + 60e-6 * n_replicas


def choose(backend: str, saving: float) -> str:
    """Resolve ``backend`` ("auto", "numpy" or "numba") for a run whose compiled path would save
    about ``saving`` seconds."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "auto":
        if loaded():
            return "numba"
        if saving >= AUTO_MIN_SAVING and available():
            try:
                kernels()
            except ImportError:  # numba present but unusable (e.g. built for another numpy)
                return "numpy"
            return "numba"
        return "numpy"
    if backend == "numba":
        kernels()  # raise the install hint now
    return backend


def pcg64_states(seed: Any, n_replicas: int, first_replica: int = 0) -> np.ndarray:
    """(R, 4) uint64 PCG64 states ``[hi, lo, inc_hi, inc_lo]`` of :func:`sim.noise.replica_generators`.

    Computed by the compiled SeedSequence port when the seed has the default pool size (the usual
    case); otherwise read from numpy's generators (slower, same states).
    """
    from sim.noise import replica_generators

    seed_seq = seed if isinstance(seed, np.random.SeedSequence) else None
    entropy = seed_seq.entropy if seed_seq is not None else seed
    base_key = tuple(seed_seq.spawn_key) if seed_seq is not None else ()
    last = first_replica + n_replicas - 1
    prefix = None
    if (seed_seq is None or seed_seq.pool_size == 4) and last < 2**32:
        try:
            from numpy.random.bit_generator import _coerce_to_uint32_array
        except ImportError:  # a numpy without the helper: use the generators
            _coerce_to_uint32_array = None
        if _coerce_to_uint32_array is not None:
            run = _coerce_to_uint32_array(entropy)
            if len(run) < 4:  # SeedSequence pads the run entropy when a spawn key follows
                run = np.concatenate([run, np.zeros(4 - len(run), dtype=np.uint32)])
            key = _coerce_to_uint32_array(base_key) if base_key else np.zeros(0, np.uint32)
            prefix = np.concatenate([run, key]).astype(np.uint64)
    if prefix is not None:
        return kernels().seed_states(prefix, first_replica, n_replicas)
    out = np.empty((n_replicas, 4), dtype=np.uint64)
    for r, g in enumerate(replica_generators(seed, n_replicas, first_replica)):
        st = g.bit_generator.state["state"]
        s, inc = st["state"], st["inc"]
        out[r] = (s >> 64, s & (2**64 - 1), inc >> 64, inc & (2**64 - 1))
    return out


def standard_normals(seed: Any, n_replicas: int, n_values: int) -> np.ndarray:
    """(R, n_values): replica r's first ``n_values`` standard normals (numpy's, bit for bit)."""
    k = kernels()
    out = np.empty((n_replicas, n_values))
    k.draw_normals(pcg64_states(seed, n_replicas), out)
    return out
