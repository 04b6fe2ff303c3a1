r"""The spherical perceptron with the square-hinge loss, and projected (stochastic) descent on the sphere.

Model (the constraint-satisfaction problem of Mignacco & Urbani 2022, *The effective noise of
Stochastic Gradient Descent*, as reconstructed in ``shared/claims/related_claims.md`` section 7):
``P`` patterns ``xi_mu ~ N(0, I_N)``, a weight vector on the sphere ``|w|^2 = N``, gaps
``h_mu = w . xi_mu / sqrt(N)`` and the energy (a **sum**, not a mean, over the patterns)

.. math:: H(w) = \sum_\mu \tfrac12 (\kappa - h_\mu)^2\,\theta(\kappa - h_\mu).

``H = 0`` iff every constraint ``h_mu >= kappa`` holds (SAT). With ``kappa = 0`` the SAT/UNSAT
transition is at ``alpha = P/N = 2``.

Dynamics (:func:`projected_descent`): with a selection mask ``s_mu`` (see :mod:`sim.selection`) and
the batch fraction ``b``,

.. math:: w \leftarrow \Pi\big(w - \eta\,[\tfrac1b\textstyle\sum_\mu s_\mu\nabla\ell_\mu(w) - F]
          + \sqrt{2T\eta}\,\zeta\big),\qquad \Pi(u) = \sqrt N\,u/|u|,

with an optional constant force ``F`` (a field ``-F . w`` added to ``H``: the probe of the response
function) and optional Langevin noise ``zeta ~ N(0, I_N)`` at temperature ``T``. The ``1/b`` makes
the mean drift ``-grad H`` whatever ``b``; without it a smaller ``b`` would only slow the dynamics
down. ``b = 1`` with ``T = 0`` is projected full-batch gradient descent (deterministic).
Time is ``t = k eta`` after ``k`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._blas import single_threaded
from sim._validate import as_matrix, as_replicas, positive, positive_int, seed_like
from sim.noise import replica_generators


class SphericalPerceptron:
    """Square-hinge spherical perceptron ``H = sum_mu 1/2 (kappa - h_mu)_+^2``, ``h = w . xi / sqrt(N)``.

    Same method names as :class:`sim.problems.Problem` (``loss``, ``grad``, ``per_sample_grads``,
    ``minibatch_grad``, ``check_theta``); every method takes ``w`` of shape (R, N). Note the
    convention: the energy is a *sum* over patterns (so the full gradient is the sum of the
    per-pattern gradients, and a minibatch gradient is rescaled by ``P / batch``).
    """

    def __init__(self, patterns: object, kappa: float = 0.0) -> None:
        self.patterns = as_matrix(patterns, "patterns")
        self.n_samples, self.n_params = self.patterns.shape
        self.N = self.n_params
        if isinstance(kappa, bool) or not np.isfinite(float(kappa)):
            raise ValueError(f"kappa must be a finite real number, got {kappa!r}")
        self.kappa = float(kappa)
        self._xs = self.patterns / np.sqrt(self.N)  # xi / sqrt(N)

    @property
    def alpha(self) -> float:
        return self.n_samples / self.N

    @classmethod
    def random(
        cls, n_features: int, alpha: float, seed: int | np.random.SeedSequence, kappa: float = 0.0
    ) -> SphericalPerceptron:
        """``P = round(alpha N)`` i.i.d. standard Gaussian patterns."""
        N = positive_int(n_features, "n_features", minimum=2)
        P = max(1, int(round(positive(alpha, "alpha") * N)))
        return cls(np.random.default_rng(seed_like(seed)).standard_normal((P, N)), kappa)

    def check_theta(self, w: object) -> np.ndarray:
        return as_replicas(w, self.N, "w")

    def project(self, w: np.ndarray) -> np.ndarray:
        """Back to the sphere ``|w|^2 = N``."""
        return w * (np.sqrt(self.N) / np.linalg.norm(w, axis=-1, keepdims=True))

    def random_point(self, seed: int | np.random.SeedSequence, n_replicas: int = 1) -> np.ndarray:
        """Uniform points on the sphere, one stream per replica; shape (R, N)."""
        R = positive_int(n_replicas, "n_replicas")
        out = np.empty((R, self.N))
        for r, g in enumerate(replica_generators(seed_like(seed), R)):
            out[r] = g.standard_normal(self.N)
        return self.project(out)

    def gaps(self, w: np.ndarray) -> np.ndarray:
        """``h_mu``, shape (R, P)."""
        return w @ self._xs.T

    def _violation(self, w: np.ndarray) -> np.ndarray:
        return np.maximum(self.kappa - self.gaps(w), 0.0)  # (kappa - h)_+, (R, P)

    def loss(self, w: np.ndarray) -> np.ndarray:
        """The energy ``H`` per replica, shape (R,)."""
        v = self._violation(w)
        return 0.5 * np.sum(v * v, axis=1)

    def grad(self, w: np.ndarray) -> np.ndarray:
        """``grad H = -sum_mu (kappa - h_mu)_+ xi_mu / sqrt(N)``, shape (R, N) (unprojected)."""
        return -self._violation(w) @ self._xs

    def masked_grad(self, w: np.ndarray, mask: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """``scale * sum_mu mask_mu grad l_mu``; ``mask`` of shape (R, P) or (P,)."""
        return -scale * ((self._violation(w) * mask) @ self._xs)

    def minibatch_grad(self, w: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Unbiased estimate ``(P/B) sum_{mu in batch} grad l_mu`` of ``grad H``; ``idx`` (R, B)."""
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[0] != w.shape[0]:
            raise ValueError(f"idx must have shape (R={w.shape[0]}, B), got {idx.shape}")
        xs = self._xs[idx]  # (R, B, N)
        v = np.maximum(self.kappa - np.einsum("rbn,rn->rb", xs, w), 0.0)
        return -(self.n_samples / idx.shape[1]) * np.einsum("rb,rbn->rn", v, xs)

    def per_sample_grads(self, w: np.ndarray) -> np.ndarray:
        """``grad l_mu``, shape (R, P, N)."""
        return -self._violation(w)[:, :, None] * self._xs[None]

    def fraction_near_boundary(self, w: np.ndarray, width: float = 0.1) -> np.ndarray:
        """Fraction of constraints with ``0 <= h - kappa < width``, shape (R,)."""
        g = self.gaps(w) - self.kappa
        return np.mean((g >= 0) & (g < positive(width, "width")), axis=1)

    def mean_gap(self, w: np.ndarray) -> np.ndarray:
        """Mean of ``h_mu - kappa`` over the patterns, shape (R,)."""
        return np.mean(self.gaps(w) - self.kappa, axis=1)


def overlaps(w: np.ndarray) -> np.ndarray:
    """``q_rs = w_r . w_s / N`` for the replicas along axis -2; shape (..., R, R)."""
    w = np.asarray(w, dtype=float)
    return w @ np.swapaxes(w, -1, -2) / w.shape[-1]


def replica_distance(w: np.ndarray) -> float:
    """``Delta = 1 - mean_{r<s} q_rs`` over the R >= 2 replicas ``w`` (R, N) on the sphere."""
    w = np.asarray(w, dtype=float)
    if w.ndim != 2 or w.shape[0] < 2:
        raise ValueError(f"w must have shape (R >= 2, N), got {w.shape}")
    q = overlaps(w)
    iu = np.triu_indices(w.shape[0], 1)
    return float(1.0 - np.mean(q[iu]))


@dataclass
class ProjectedRun:
    """Result of :func:`projected_descent`.

    w: final states (R, N); loss: energies (n_records, R) at ``loss_steps``; loss_steps: (n_records,);
    states: step -> (R, N) for every requested ``record_steps`` entry.
    """

    w: np.ndarray
    loss: np.ndarray
    loss_steps: np.ndarray
    states: dict[int, np.ndarray]


def projected_descent(
    problem: SphericalPerceptron,
    w0: object,
    lr: float,
    n_steps: int,
    *,
    masks: np.ndarray | None = None,
    fraction: float = 1.0,
    stream_of: object = None,
    temperature: float = 0.0,
    noise_seed: int | np.random.SeedSequence = 0,
    noise_stream_of: object = None,
    force: object = None,
    record_steps: tuple[int, ...] = (),
    loss_every: int = 0,
) -> ProjectedRun:
    r"""Projected (stochastic, Langevin) descent on the sphere; see the module docstring.

    Parameters
    ----------
    masks: selection masks (n_steps, G, P) from :mod:`sim.selection`, or ``None`` (all samples,
        full batch). Replica ``r`` uses stream ``stream_of[r]`` (default ``r``, which needs G = R).
    fraction: ``b`` of the ``1/b`` rescaling (use the selection's stationary fraction); a scalar or
        one value per replica (several batch fractions advance together).
    temperature: ``T >= 0`` of the Langevin noise ``sqrt(2 T eta) zeta``; replica ``r`` uses noise
        stream ``noise_stream_of[r]`` (default ``r``) drawn from ``noise_seed``.
    force: constant force ``F`` (R, N) or (N,) added to ``-grad`` (a field ``-F . w`` in ``H``).
    record_steps: steps ``k`` (0..n_steps) at which to keep the whole state.
    loss_every: record the energy every this many steps (0: only at the start and the end).
    """
    if not isinstance(problem, SphericalPerceptron):
        raise TypeError(f"problem must be a SphericalPerceptron, got {type(problem).__name__}")
    w = problem.project(problem.check_theta(w0))
    R, N, P = w.shape[0], problem.N, problem.n_samples
    lr = positive(lr, "lr")
    n_steps = positive_int(n_steps, "n_steps")
    b = np.broadcast_to(np.asarray(fraction, dtype=float), (R,))
    if not np.all((b > 0) & (b <= 1)):
        raise ValueError(f"fraction must be in (0, 1] (a scalar or one per replica), got {fraction}")
    inv_b = (1.0 / b)[:, None]
    if isinstance(temperature, bool) or not np.isfinite(float(temperature)) or temperature < 0:
        raise ValueError(f"temperature must be finite and >= 0, got {temperature!r}")
    T = float(temperature)

    def streams(arg: object, n_avail: int, what: str) -> np.ndarray:
        s = np.arange(R) if arg is None else np.asarray(arg)
        if s.shape != (R,) or not np.issubdtype(s.dtype, np.integer):
            raise ValueError(f"{what} must be {R} integers (one stream per replica), got {s!r}")
        if s.min() < 0 or s.max() >= n_avail:
            raise ValueError(f"{what} must index the {n_avail} available streams, got {s.tolist()}")
        return s

    if masks is not None:
        masks = np.asarray(masks)
        if masks.dtype != bool or masks.ndim != 3 or masks.shape[0] < n_steps or masks.shape[2] != P:
            raise ValueError(
                f"masks must be boolean of shape (n_steps >= {n_steps}, G, P={P}), got "
                f"{masks.dtype} {masks.shape}"
            )
        sel = streams(stream_of, masks.shape[1], "stream_of")
    F = None
    if force is not None:
        F = np.broadcast_to(np.asarray(force, dtype=float), (R, N))
        if not np.all(np.isfinite(F)):
            raise ValueError("force contains non-finite values")
    noise = None
    if T > 0:
        n_avail = R if noise_stream_of is None else int(np.max(noise_stream_of)) + 1
        ns = streams(noise_stream_of, max(n_avail, 1), "noise_stream_of")
        G = int(ns.max()) + 1
        noise = np.empty((n_steps, G, N))
        for g_i, g in enumerate(replica_generators(seed_like(noise_seed), G)):
            noise[:, g_i, :] = g.standard_normal((n_steps, N))
        noise *= np.sqrt(2.0 * T * lr)
    keep = {int(k) for k in record_steps}
    if any(k < 0 or k > n_steps for k in keep):
        raise ValueError(f"record_steps must lie in [0, {n_steps}], got {sorted(keep)}")
    every = int(loss_every) if loss_every else n_steps
    states: dict[int, np.ndarray] = {}
    loss_steps, losses = [0], [problem.loss(w)]
    if 0 in keep:
        states[0] = w.copy()
    xs = problem._xs
    with single_threaded():
        for k in range(n_steps):
            v = np.maximum(problem.kappa - w @ xs.T, 0.0)  # (R, P)
            if masks is not None:
                v = v * masks[k][sel] * inv_b
            step = v @ xs  # = -grad
            if F is not None:
                step += F
            u = w + lr * step
            if noise is not None:
                u += noise[k][ns]
            w = problem.project(u)
            if (k + 1) in keep:
                states[k + 1] = w.copy()
            if (k + 1) % every == 0 or k + 1 == n_steps:
                loss_steps.append(k + 1)
                losses.append(problem.loss(w))
    if not np.all(np.isfinite(w)):
        raise FloatingPointError("projected_descent produced a non-finite state")
    return ProjectedRun(w, np.asarray(losses), np.asarray(loss_steps), states)
