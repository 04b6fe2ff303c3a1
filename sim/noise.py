"""Reproducible randomness, one independent stream per replica.

Replica ``r`` of a run with seed ``s`` always draws from ``SeedSequence(s, spawn_key=(r,))``,
whatever the number of replicas: a run with 4 replicas draws exactly the random numbers of the
first 4 replicas of a run with 1024. The paths then agree bit for bit in small runs, and to
round-off (~1e-15 relative per step) in general, because BLAS may block a matrix product
differently for a different number of rows. The same seed and replica count always give
bit-identical paths. The normals are numpy's ``Generator.standard_normal``, or the same values
from the compiled sampler of the optional ``fast`` extra (:mod:`sim._compiled`) when numba is
loaded or the draw is large enough to repay loading it. Brownian increments are drawn at the
finest resolution and summed to coarsen, so one path can be integrated at several step sizes;
SGD minibatch indices are drawn up front the same way, so two methods can share the same draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from sim import _compiled
from sim._validate import positive, positive_int, seed_like

# Target number of float64 values per generated chunk (8 MiB): bounds memory for long runs.
_CHUNK_VALUES = 1 << 20


def replica_generators(
    seed: int | np.random.SeedSequence, n_replicas: int, first_replica: int = 0
) -> list[np.random.Generator]:
    """One PCG64 generator per replica, keyed by the replica's index."""
    seed = seed_like(seed)
    entropy = seed.entropy if isinstance(seed, np.random.SeedSequence) else seed
    base_key = tuple(seed.spawn_key) if isinstance(seed, np.random.SeedSequence) else ()
    return [
        np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(*base_key, first_replica + r)))
        )
        for r in range(n_replicas)
    ]


class BrownianPath:
    """Brownian increments for ``n_replicas`` independent paths of a ``dim``-dimensional motion.

    Parameters
    ----------
    seed: the run's seed (integer or SeedSequence).
    n_replicas: number of independent paths R.
    dim: dimension m of the Brownian motion.
    dt: the finest time step; coarser steps are sums of ``stride`` consecutive fine increments.
    """

    def __init__(
        self,
        seed: int | np.random.SeedSequence,
        n_replicas: int,
        dim: int,
        dt: float,
        backend: str = "auto",
    ) -> None:
        self.seed = seed_like(seed)
        self.n_replicas = positive_int(n_replicas, "n_replicas")
        self.dim = positive_int(dim, "dim")
        self.dt = positive(dt, "dt")
        _compiled.choose(backend, 0.0)  # validate ("numba" without numba: the install hint)
        self.backend = backend

    def _filler(self, n_values: int) -> Callable[[np.ndarray], None]:
        """A function that fills an (R, ...) array with each replica's next normals, replica r's
        block from its own stream: numpy's generators, or the compiled sampler (same values)."""
        R = self.n_replicas
        saving = _compiled.normals_saving(R, n_values)
        if _compiled.choose(self.backend, saving) == "numba":
            draw = _compiled.kernels().draw_normals
            states = _compiled.pcg64_states(self.seed, R)
            return lambda arr: draw(states, arr.reshape(R, -1))
        gens = replica_generators(self.seed, R)

        def fill(arr: np.ndarray) -> None:
            for r, g in enumerate(gens):
                g.standard_normal(out=arr[r])

        return fill

    def fine(self, n_steps: int) -> np.ndarray:
        """All fine increments at once, shape (n_steps, R, dim). For short paths and order tests."""
        n_steps = positive_int(n_steps, "n_steps")
        z = np.empty((self.n_replicas, n_steps, self.dim))
        self._filler(z.size)(z)
        out = np.ascontiguousarray(z.transpose(1, 0, 2))
        out *= np.sqrt(self.dt)
        return out

    def increments(self, n_steps: int, stride: int = 1) -> Iterator[np.ndarray]:
        """Yield ``n_steps`` increments of the coarse step ``stride * dt``, each of shape (R, dim).

        Generated in chunks, so memory stays O(R * dim * chunk) however long the path.
        """
        n_steps = positive_int(n_steps, "n_steps")
        stride = positive_int(stride, "stride")
        sd = np.sqrt(self.dt)
        R, m = self.n_replicas, self.dim
        fill = self._filler(R * m * n_steps * stride)
        per_chunk = max(1, _CHUNK_VALUES // (R * m * stride))
        done = 0
        while done < n_steps:
            k = min(per_chunk, n_steps - done)
            # Replica-major chunk: each generator fills its own contiguous block in place (no
            # temporary, no strided copy); the draws are the same as step-major filling.
            fine = np.empty((R, k * stride, m))
            fill(fine)
            if stride > 1:
                coarse = fine.reshape(R, k, stride, m).sum(axis=2)
            else:
                coarse = fine  # a fresh buffer per chunk, so the yielded views stay valid
            coarse *= sd
            # Each increment is an (R, m) view with unit inner stride (BLAS-compatible).
            for j in range(k):
                yield coarse[:, j, :]
            done += k


def coarsen(increments: np.ndarray, stride: int) -> np.ndarray:
    """Sum consecutive groups of ``stride`` increments along axis 0 (same path, coarser step)."""
    stride = positive_int(stride, "stride")
    n = increments.shape[0]
    if n % stride:
        raise ValueError(f"stride {stride} must divide the number of increments {n}")
    return increments.reshape(n // stride, stride, *increments.shape[1:]).sum(axis=1)


def draw_batch_indices(
    seed: int | np.random.SeedSequence,
    n_steps: int,
    n_replicas: int,
    n_samples: int,
    batch_size: int,
    replace: bool = True,
) -> np.ndarray:
    """Minibatch indices for SGD, drawn up front: shape (n_steps, R, batch_size), dtype intp.

    ``replace=True``: every index i.i.d. uniform on {0..n-1} (sampling with replacement).
    ``replace=False``: epochs of random reshuffling; consecutive batches are taken from a sequence of
    independent permutations, so within an epoch no sample repeats.
    """
    n_steps = positive_int(n_steps, "n_steps")
    n_replicas = positive_int(n_replicas, "n_replicas")
    n_samples = positive_int(n_samples, "n_samples")
    batch_size = positive_int(batch_size, "batch_size")
    if batch_size > n_samples and not replace:
        # with replacement a batch may be larger than the data set; without, it cannot
        raise ValueError(
            f"batch_size ({batch_size}) must be <= the number of samples ({n_samples}) "
            "when sampling without replacement (replace=False)"
        )
    out = np.empty((n_steps, n_replicas, batch_size), dtype=np.intp)
    for r, g in enumerate(replica_generators(seed, n_replicas)):
        if replace:
            out[:, r, :] = g.integers(0, n_samples, size=(n_steps, batch_size))
        else:
            total = n_steps * batch_size
            n_epochs = -(-total // n_samples)
            perms = np.concatenate([g.permutation(n_samples) for _ in range(n_epochs)])
            out[:, r, :] = perms[:total].reshape(n_steps, batch_size)
    return out
