r"""Minibatch *selection processes*: which samples enter the gradient at each step.

A selection process produces, for every step and every stream, a boolean mask ``s_mu`` over the
``P`` samples; a step then uses the gradient ``(1/b) sum_mu s_mu grad l_mu`` (the ``1/b`` keeps the
mean drift independent of the batch fraction ``b``; see :func:`sim.perceptron.projected_descent`).

* :class:`BernoulliSelection` (SGD of Mignacco et al. 2020/2022): every ``s_mu`` is redrawn i.i.d.
  ``Bernoulli(b)`` at every step (the batch *size* fluctuates around ``b P``).
* :class:`PersistentSelection` (persistent SGD, p-SGD): every ``s_mu`` is a two-state Markov chain
  with ``P(0 -> 1) = eta / tau`` and ``P(1 -> 0) = (1 - b) eta / (b tau)``. Its stationary fraction
  is ``b`` and its lag-one correlation ``lambda = 1 - eta / (b tau)``; at ``tau = eta / b`` the next
  state does not depend on the current one (``lambda = 0``), i.e. p-SGD *is* SGD. The chain starts
  from its stationary law. Both probabilities are validated to lie in ``[0, 1]``: a "probability"
  above 1 compared against a uniform draw would silently give a deterministic on/off alternation.

Masks have shape ``(n_steps, n_streams, P)``. Stream ``g`` draws from its own generator
(:func:`sim.noise.replica_generators`), so the first streams of a run with more streams are the same.
Several replicas can share one stream (same minibatches): that is how a perturbed copy and its
reference see the same noise.
"""

from __future__ import annotations

import numbers

import numpy as np

from sim._validate import positive, positive_int, seed_like
from sim.noise import replica_generators

# Relative round-off allowed on a transition probability before it counts as > 1. p_off is
# (1 - b) * eta / (b * tau): 4 correctly rounded operations on exact inputs, relative error at most
# 4 * eps/2 (+ O(eps^2)); a caller computing tau = (1 - b) eta / b at the boundary adds 3 more, so the
# quotient lies within 7 * eps/2 of 1. 8 eps (1.8e-15) covers that; a real violation (tau below
# the boundary by more than 8 eps relative) is still refused.
_ROUND_OFF = 8 * float(np.finfo(float).eps)


def _fraction(b: object) -> float:
    if isinstance(b, bool) or not isinstance(b, numbers.Real):
        raise TypeError(f"fraction b must be a real number, got {type(b).__name__}")
    b = float(b)
    if not np.isfinite(b) or not 0.0 < b <= 1.0:
        raise ValueError(f"fraction b must be in (0, 1], got {b}")
    return b


class BernoulliSelection:
    """i.i.d. ``Bernoulli(b)`` selection of every sample at every step (SGD).

    Parameters
    ----------
    fraction: the batch fraction ``b`` in (0, 1] (``b = 1`` is full-batch GD).
    n_samples: the number of samples ``P``.
    """

    def __init__(self, fraction: float, n_samples: int) -> None:
        self.fraction = _fraction(fraction)
        self.n_samples = positive_int(n_samples, "n_samples")

    @property
    def stationary_fraction(self) -> float:
        return self.fraction

    @property
    def lag_one_correlation(self) -> float:
        """Correlation of ``s_mu(t)`` and ``s_mu(t + 1)``: 0 (i.i.d.)."""
        return 0.0

    def masks(self, seed: int | np.random.SeedSequence, n_steps: int, n_streams: int = 1) -> np.ndarray:
        """Boolean masks of shape ``(n_steps, n_streams, P)``."""
        n_steps = positive_int(n_steps, "n_steps")
        n_streams = positive_int(n_streams, "n_streams")
        out = np.empty((n_steps, n_streams, self.n_samples), dtype=bool)
        if self.fraction == 1.0:
            out[:] = True
            return out
        for g_i, g in enumerate(replica_generators(seed_like(seed), n_streams)):
            out[:, g_i, :] = g.random((n_steps, self.n_samples)) < self.fraction
        return out


class PersistentSelection:
    """Persistent SGD: each sample's membership is a two-state Markov chain.

    ``P(0 -> 1) = eta / tau``, ``P(1 -> 0) = (1 - b) eta / (b tau)``; stationary fraction ``b``.

    Parameters
    ----------
    fraction: ``b`` in (0, 1).
    lr: the step size ``eta`` of the dynamics the chain drives (the chain is a discretisation with
        time step ``eta`` of a continuous-time process with persistence time ``tau``).
    tau: the persistence time ``tau > 0``; needs ``eta / tau <= 1`` and ``(1 - b) eta / (b tau) <= 1``.
    n_samples: the number of samples ``P``.
    """

    def __init__(self, fraction: float, lr: float, tau: float, n_samples: int) -> None:
        self.fraction = _fraction(fraction)
        if self.fraction == 1.0:
            raise ValueError("PersistentSelection needs fraction b < 1 (b = 1 is full-batch GD)")
        self.lr = positive(lr, "lr")
        self.tau = positive(tau, "tau")
        self.n_samples = positive_int(n_samples, "n_samples")
        p_on = self.lr / self.tau
        p_off = (1.0 - self.fraction) * self.lr / (self.fraction * self.tau)
        if p_on > 1.0 + _ROUND_OFF:
            raise ValueError(f"P(0->1) = eta/tau = {p_on!r} > 1: need tau >= eta = {self.lr:.6g}")
        if p_off > 1.0 + _ROUND_OFF:
            need = (1.0 - self.fraction) * self.lr / self.fraction
            raise ValueError(
                f"P(1->0) = (1-b) eta/(b tau) = {p_off!r} > 1: need tau >= (1-b) eta/b = {need:.6g}"
            )
        # At the boundary tau = tau_min a probability is exactly 1 (valid: the state always flips);
        # computed, it may be 1 + an ulp or two, which is clipped.
        self.p_on = min(p_on, 1.0)
        self.p_off = min(p_off, 1.0)

    @property
    def stationary_fraction(self) -> float:
        """``p_on / (p_on + p_off)`` (equals ``b``)."""
        return self.p_on / (self.p_on + self.p_off)

    @property
    def lag_one_correlation(self) -> float:
        """The chain's second eigenvalue ``1 - p_on - p_off = 1 - eta / (b tau)``."""
        return 1.0 - self.p_on - self.p_off

    def masks(self, seed: int | np.random.SeedSequence, n_steps: int, n_streams: int = 1) -> np.ndarray:
        """Boolean masks of shape ``(n_steps, n_streams, P)``; each chain starts stationary."""
        n_steps = positive_int(n_steps, "n_steps")
        n_streams = positive_int(n_streams, "n_streams")
        P = self.n_samples
        u = np.empty((n_steps, n_streams, P))
        for g_i, g in enumerate(replica_generators(seed_like(seed), n_streams)):
            u[:, g_i, :] = g.random((n_steps, P))
        out = np.empty((n_steps, n_streams, P), dtype=bool)
        s = u[0] < self.fraction
        out[0] = s
        for t in range(1, n_steps):
            s = np.where(s, u[t] >= self.p_off, u[t] < self.p_on)
            out[t] = s
        return out


def transition_counts(masks: np.ndarray) -> np.ndarray:
    """Counts ``[[n00, n01], [n10, n11]]`` of consecutive states along axis 0 of ``masks``."""
    m = np.asarray(masks, dtype=bool)
    if m.ndim < 1 or m.shape[0] < 2:
        raise ValueError("masks must have at least two steps along axis 0")
    a, b = m[:-1], m[1:]
    return np.array([[np.sum(~a & ~b), np.sum(~a & b)], [np.sum(a & ~b), np.sum(a & b)]], dtype=np.int64)
