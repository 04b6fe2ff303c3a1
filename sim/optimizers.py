r"""Optimizers as gradient transformations (the optax shape), batched over replicas.

An optimizer is a :class:`GradientTransformation` with two pure functions::

    state = opt.init(theta)                                   # theta: (R, p)
    step, state = opt.update(grad, state, theta, loss=None)   # theta_new = theta + step

``grad`` and ``theta`` have the replica axis first, ``loss`` is (R,) (only step-size policies that are
functions of the loss need it). Step sizes are a number, an array of one step size per replica (R,), or a
:class:`StepSize` policy (:func:`constant`, :func:`inverse_loss` for
$\eta_t = c / L(w_t)$, e.g. $c = 1/B^2$, :func:`schedule` for $\eta_t = f(t)$).

Update rules (``g`` the gradient, ``k = 1, 2, ...`` the step count, all operations elementwise):

=================  ===================================================================  ==============
optimizer          step                                                                 reference
=================  ===================================================================  ==============
:func:`gd`         $-\eta g$                                                            SGD
:func:`momentum`   $b \leftarrow \beta b + g$ ($b_0 = 0$); heavy ball $-\eta b$,          torch SGD,
                   Nesterov $-\eta(g + \beta b)$                                          optax trace
:func:`adagrad`    $v \leftarrow v + g^2$; $-\eta g / (\sqrt{v + \epsilon_r} + \epsilon)$       torch Adagrad
:func:`rmsprop`    $v \leftarrow \beta_2 v + (1-\beta_2) g^2$; same step                 torch RMSprop
:func:`adam`       $m \leftarrow \beta_1 m + (1-\beta_1)g$, $v$ as RMSProp,             torch Adam =
                   $\hat m = m/(1-\beta_1^k)$, $\hat v = v/(1-\beta_2^k)$ (or no        optax adam
                   correction); $-\eta \hat m / (\sqrt{\hat v + \epsilon_r} + \epsilon)$
:func:`mirror_descent`  $\nabla\psi(\theta + s) = \nabla\psi(\theta) - \eta g$          Nemirovski-Yudin
:func:`steepest_descent`  $s \in \arg\min_v \langle v, \eta g\rangle + \frac12\|v\|^2$, so  Gunasekar
                   $\|s\| = \eta\|g\|_*$ (see the function)
=================  ===================================================================  ==============

**Where epsilon sits.** We follow ``torch.optim``: epsilon is added *outside* the square root,
$g/(\sqrt v + \epsilon)$, the conditioner $h = 1/(\sqrt v + \epsilon)$ of Wang et al. (2021). optax agrees for
Adam (``eps`` outside, ``eps_root`` inside, default 0) but not for RMSProp (``optax.rmsprop`` divides by
$\sqrt{v + \epsilon}$) nor AdaGrad (``optax.adagrad`` divides by $\sqrt{v + \epsilon}$ and starts the
accumulator at 0.1): pass ``eps=0, eps_root=...`` (and ``initial_accumulator=0.1``) to get optax's rules.
Defaults are torch's: RMSProp ``beta2=0.99, eps=1e-8``, AdaGrad ``eps=1e-10``, Adam
``(0.9, 0.999), eps=1e-8``. torch's AdaGrad ``lr_decay``, RMSProp ``centered`` and the weight decays are
not implemented. torch's momentum buffer starts at the first gradient, which equals $b_0 = 0$ without
dampening (not implemented).

**Large margins.** On separable classification the loss and the gradient underflow long before the
direction has converged. Problems may provide ``scaled_loss_grad(theta) -> (log_scale, loss_s, grad_s)``
with the true values ``loss_s * exp(-log_scale)`` and ``grad_s * exp(-log_scale)``. ``update`` accepts such
scaled inputs through its ``log_scale`` argument; *memoryless* transformations (GD, mirror and steepest
descent) combine it with the step-size policy in the log domain, so that $\eta_t = c/L(w_t)$ stays exact
when $L$ underflows; transformations with memory rescale to the true gradient. :func:`train` feeds scaled
inputs automatically when the problem offers them and the optimizer is memoryless.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim._validate import positive

__all__ = [
    "EntropyPotential",
    "GradientTransformation",
    "PNormPotential",
    "Potential",
    "QuadraticPotential",
    "StepSize",
    "adagrad",
    "adam",
    "constant",
    "gd",
    "inverse_loss",
    "mirror_descent",
    "momentum",
    "rmsprop",
    "schedule",
    "steepest_descent",
]


# ============================================================================ step-size policies
class StepSize:
    """A step-size policy: ``eta(k, loss) -> (R,)`` at step ``k = 0, 1, ...`` (true loss values).

    ``multiplier(k, loss_s, log_scale)`` returns ``eta * exp(-log_scale)``, the factor that multiplies a
    *scaled* gradient (see the module docstring); subclasses override it to stay exact in the log domain.
    """

    needs_loss: bool = False

    def eta(self, k: int, loss: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def multiplier(self, k: int, loss_s: np.ndarray | None, log_scale: np.ndarray | float) -> np.ndarray:
        true_loss = None if loss_s is None else loss_s * np.exp(-np.asarray(log_scale))
        return self.eta(k, true_loss) * np.exp(-np.asarray(log_scale, dtype=float))


def _eta_value(x: Any, name: str) -> float | np.ndarray:
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return positive(x, name)
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be a finite number > 0 or a 1-D array of them (one per replica)")
    return arr


@dataclass(frozen=True)
class _Constant(StepSize):
    value: float | np.ndarray

    def eta(self, k: int, loss: np.ndarray | None) -> np.ndarray:
        return np.asarray(self.value, dtype=float)


@dataclass(frozen=True)
class _InverseLoss(StepSize):
    scale: float
    max_eta: float
    needs_loss = True

    def eta(self, k: int, loss: np.ndarray | None) -> np.ndarray:
        if loss is None:
            raise ValueError("inverse_loss step size needs the loss: pass loss= to update()")
        with np.errstate(divide="ignore"):
            return np.minimum(self.max_eta, self.scale / loss)

    def multiplier(self, k: int, loss_s: np.ndarray | None, log_scale: np.ndarray | float) -> np.ndarray:
        if loss_s is None:
            raise ValueError("inverse_loss step size needs the loss: pass loss= to update()")
        ls = np.asarray(log_scale, dtype=float)
        with np.errstate(divide="ignore", under="ignore"):
            # eta * e^{-ls} = min(max_eta e^{-ls}, scale / loss_s): exact when L underflows
            if not np.isfinite(self.max_eta):
                return self.scale / loss_s
            return np.minimum(self.max_eta * np.exp(-ls), self.scale / loss_s)


@dataclass(frozen=True)
class _Schedule(StepSize):
    fn: Callable[[int], float]

    def eta(self, k: int, loss: np.ndarray | None) -> np.ndarray:
        v = np.asarray(self.fn(k), dtype=float)
        if not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise ValueError(f"schedule returned a step size that is not finite and > 0 at step {k}")
        return v


def constant(eta: float | np.ndarray) -> StepSize:
    """A constant step size (a number, or one per replica)."""
    return _Constant(_eta_value(eta, "eta"))


def inverse_loss(scale: float, max_eta: float = np.inf) -> StepSize:
    r"""$\eta_t = \min(\eta_+, c / L(w_t))$ with $c$ = ``scale`` (Gunasekar et al. 2018 use
    $c = 1/B^2$, $B = \max_n\|z_n\|_*$)."""
    scale = positive(scale, "scale")
    if not (max_eta > 0):
        raise ValueError(f"max_eta must be > 0, got {max_eta}")
    return _InverseLoss(scale, float(max_eta))


def schedule(fn: Callable[[int], float]) -> StepSize:
    """$\\eta_t = f(t)$ for a function of the step count ``t = 0, 1, ...``."""
    if not callable(fn):
        raise TypeError("schedule needs a callable fn(step) -> step size")
    return _Schedule(fn)


def _policy(lr: Any) -> StepSize:
    if isinstance(lr, StepSize):
        return lr
    return constant(lr)


# ============================================================================ transformations
@dataclass(frozen=True)
class GradientTransformation:
    """``init(theta) -> state``, ``update(grad, state, theta, loss=None, log_scale=0.0) -> (step, state)``.

    ``memoryless``: the step depends on the current gradient only (and is linear in ``eta * grad``), so
    scaled gradients are handled exactly; ``needs_loss``: the step-size policy needs the loss.
    """

    name: str
    init: Callable[[np.ndarray], dict[str, Any]]
    update: Callable[..., tuple[np.ndarray, dict[str, Any]]]
    needs_loss: bool = False
    memoryless: bool = False


def _check_theta(theta: Any) -> np.ndarray:
    if isinstance(theta, np.ndarray) and theta.ndim == 2 and theta.dtype == np.float64:
        return theta
    arr = np.asarray(theta, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"theta must have shape (R, p) (replicas first), got {arr.shape}")
    return arr


def _check_grad(grad: Any, theta: np.ndarray) -> np.ndarray:
    g = grad if isinstance(grad, np.ndarray) else np.asarray(grad, dtype=float)
    if g.shape != theta.shape:
        raise ValueError(f"grad must have the shape of theta {theta.shape}, got {g.shape}")
    return g


def _unscaled(grad: np.ndarray, log_scale: Any) -> np.ndarray:
    ls = np.asarray(log_scale, dtype=float)
    if ls.ndim == 0 and ls == 0.0:
        return grad
    return grad * np.exp(-ls).reshape(-1, 1) if ls.ndim else grad * np.exp(-ls)


def _col(x: Any) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a.reshape(-1, 1) if a.ndim else a


def _memoryless(
    name: str, lr: Any, direction: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
) -> GradientTransformation:
    """A step ``direction(theta, m * g_scaled, g)`` where ``m * g_scaled = eta * g_true``."""
    pol = _policy(lr)
    fixed = _col(pol.value) if isinstance(pol, _Constant) else None

    def init(theta: np.ndarray) -> dict[str, Any]:
        _check_theta(theta)
        return {"count": 0}

    def update(
        grad: Any, state: dict[str, Any], theta: Any, loss: Any = None, log_scale: Any = 0.0
    ) -> tuple[np.ndarray, dict[str, Any]]:
        th = _check_theta(theta)
        g = _check_grad(grad, th)
        if fixed is not None and isinstance(log_scale, float) and log_scale == 0.0:
            m = fixed  # a constant step size on unscaled gradients: the common fast path
        else:
            m = _col(
                pol.multiplier(state["count"], None if loss is None else np.asarray(loss, float), log_scale)
            )
        return direction(th, m * g, g), {"count": state["count"] + 1}

    return GradientTransformation(name, init, update, pol.needs_loss, memoryless=True)


def gd(lr: Any) -> GradientTransformation:
    """Gradient descent (SGD when fed minibatch gradients): ``step = -eta * g``."""
    return _memoryless("gd", lr, lambda th, eg, g: -eg)


def momentum(lr: Any, beta: float = 0.9, nesterov: bool = False) -> GradientTransformation:
    r"""Heavy-ball or Nesterov momentum, torch's SGD rule (dampening 0), optax's ``trace``:
    $b_k = \beta b_{k-1} + g_k$, $b_0 = 0$; step $-\eta b_k$, or $-\eta(g_k + \beta b_k)$ (Nesterov)."""
    pol = _policy(lr)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")

    def init(theta: np.ndarray) -> dict[str, Any]:
        return {"count": 0, "buf": np.zeros_like(_check_theta(theta))}

    def update(
        grad: Any, state: dict[str, Any], theta: Any, loss: Any = None, log_scale: Any = 0.0
    ) -> tuple[np.ndarray, dict[str, Any]]:
        th = _check_theta(theta)
        g = _unscaled(_check_grad(grad, th), log_scale)
        k = state["count"]
        buf = beta * state["buf"] + g
        d = g + beta * buf if nesterov else buf
        eta = _col(pol.eta(k, _true_loss(loss, log_scale)))
        return -eta * d, {"count": k + 1, "buf": buf}

    return GradientTransformation("nesterov" if nesterov else "momentum", init, update, pol.needs_loss)


def _true_loss(loss: Any, log_scale: Any) -> np.ndarray | None:
    if loss is None:
        return None
    return np.asarray(loss, float) * np.exp(-np.asarray(log_scale, float))


def _check_eps(eps: float, eps_root: float) -> None:
    if not (eps >= 0 and eps_root >= 0 and np.isfinite(eps) and np.isfinite(eps_root)):
        raise ValueError(f"eps and eps_root must be finite and >= 0, got {eps}, {eps_root}")


def _adaptive(
    name: str,
    lr: Any,
    beta1: float,
    beta2: float | None,
    eps: float,
    eps_root: float,
    bias_correction: bool,
    initial: float,
) -> GradientTransformation:
    pol = _policy(lr)
    _check_eps(eps, eps_root)
    for b, nm in ((beta1, "beta1"), (beta2 if beta2 is not None else 0.0, "beta2")):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"{nm} must be in [0, 1), got {b}")

    def init(theta: np.ndarray) -> dict[str, Any]:
        th = _check_theta(theta)
        return {"count": 0, "m": np.zeros_like(th), "v": np.full_like(th, float(initial))}

    def update(
        grad: Any, state: dict[str, Any], theta: Any, loss: Any = None, log_scale: Any = 0.0
    ) -> tuple[np.ndarray, dict[str, Any]]:
        th = _check_theta(theta)
        g = _unscaled(_check_grad(grad, th), log_scale)
        k = state["count"] + 1
        if beta2 is None:  # AdaGrad: a running sum
            v = state["v"] + g * g
        else:
            v = beta2 * state["v"] + (1.0 - beta2) * (g * g)
        m = beta1 * state["m"] + (1.0 - beta1) * g if beta1 > 0 else g
        mh, vh = m, v
        if bias_correction and beta2 is not None:
            if beta1 > 0:
                mh = m / (1.0 - beta1**k)
            vh = v / (1.0 - beta2**k)
        eta = _col(pol.eta(k - 1, _true_loss(loss, log_scale)))
        denom = np.sqrt(vh + eps_root) + eps
        if eps > 0 or eps_root > 0:
            step = -eta * mh / denom
        else:  # a zero gradient coordinate with a zero accumulator takes no step
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.where(denom > 0, -eta * mh / np.where(denom > 0, denom, 1.0), 0.0)
        return step, {"count": k, "m": m, "v": v}

    return GradientTransformation(name, init, update, pol.needs_loss)


def adagrad(
    lr: Any, eps: float = 1e-10, *, eps_root: float = 0.0, initial_accumulator: float = 0.0
) -> GradientTransformation:
    r"""AdaGrad (torch rule): $v_k = v_{k-1} + g_k^2$, step $-\eta g_k/(\sqrt{v_k + \epsilon_r} + \epsilon)$,
    $v_0$ = ``initial_accumulator``. The conditioner $h_k = 1/(\sqrt{v_k} + \epsilon)$ converges when
    $\sum g^2 < \infty$ (Wang et al. 2021)."""
    if initial_accumulator < 0:
        raise ValueError("initial_accumulator must be >= 0")
    return _adaptive("adagrad", lr, 0.0, None, eps, eps_root, False, initial_accumulator)


def rmsprop(
    lr: Any, beta2: float = 0.99, eps: float = 1e-8, *, eps_root: float = 0.0, bias_correction: bool = False
) -> GradientTransformation:
    r"""RMSProp (torch rule, ``alpha`` = ``beta2``): $v_k = \beta_2 v_{k-1} + (1-\beta_2)g_k^2$, $v_0 = 0$,
    step $-\eta g_k/(\sqrt{v_k + \epsilon_r} + \epsilon)$; optionally $v_k/(1-\beta_2^k)$ (Adam-style)."""
    return _adaptive("rmsprop", lr, 0.0, beta2, eps, eps_root, bias_correction, 0.0)


def adam(
    lr: Any,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    *,
    eps_root: float = 0.0,
    bias_correction: bool = True,
) -> GradientTransformation:
    r"""Adam (torch = optax): $m_k = \beta_1 m_{k-1} + (1-\beta_1)g_k$, $v_k$ as RMSProp,
    $\hat m_k = m_k/(1-\beta_1^k)$, $\hat v_k = v_k/(1-\beta_2^k)$ (skipped with ``bias_correction=False``),
    step $-\eta\hat m_k/(\sqrt{\hat v_k + \epsilon_r} + \epsilon)$."""
    return _adaptive("adam", lr, beta1, beta2, eps, eps_root, bias_correction, 0.0)


# ============================================================================ mirror descent
class Potential:
    r"""A strictly convex potential $\psi$: ``value``, the mirror map ``grad`` $= \nabla\psi$ and its
    inverse ``grad_inv``, all elementwise over (R, p), and ``bregman(w, w0)`` $= D_\psi(w, w_0)$."""

    name = "potential"

    def value(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad_inv(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def check_domain(self, w: np.ndarray) -> None:
        """Raise ValueError if ``w`` is outside the domain of the potential."""

    def bregman(self, w: np.ndarray, w0: np.ndarray) -> np.ndarray:
        w, w0 = np.atleast_2d(w), np.atleast_2d(w0)
        return self.value(w) - self.value(w0) - np.sum(self.grad(w0) * (w - w0), axis=-1)


class QuadraticPotential(Potential):
    r"""$\psi(w) = \frac12 w^\top Q w$, ``Q`` a positive vector (diagonal) or a symmetric positive-definite
    matrix; mirror descent is preconditioned GD $w \leftarrow w - \eta Q^{-1}g$."""

    name = "quadratic"

    def __init__(self, Q: Any) -> None:
        Q = np.asarray(Q, dtype=float)
        if Q.ndim == 1:
            if not np.all(np.isfinite(Q)) or np.any(Q <= 0):
                raise ValueError("Q (diagonal) must be finite and > 0")
        elif Q.ndim == 2 and Q.shape[0] == Q.shape[1]:
            if not np.allclose(Q, Q.T) or np.linalg.eigvalsh(Q).min() <= 0:
                raise ValueError("Q must be symmetric positive definite")
        else:
            raise ValueError(f"Q must be a vector (diagonal) or a square matrix, got {Q.shape}")
        self.Q = Q

    def value(self, w: np.ndarray) -> np.ndarray:
        return 0.5 * np.sum(w * self.grad(w), axis=-1)

    def grad(self, w: np.ndarray) -> np.ndarray:
        return w * self.Q if self.Q.ndim == 1 else w @ self.Q

    def grad_inv(self, z: np.ndarray) -> np.ndarray:
        return z / self.Q if self.Q.ndim == 1 else np.linalg.solve(self.Q, z.T).T


class EntropyPotential(Potential):
    r"""$\psi(w) = \sum_i w_i\log w_i - w_i$ on $w > 0$: $\nabla\psi = \log w$; mirror descent is the
    exponentiated gradient $w \leftarrow w\odot e^{-\eta g}$ and $D_\psi$ the unnormalised KL divergence."""

    name = "entropy"

    def value(self, w: np.ndarray) -> np.ndarray:
        return np.sum(w * np.log(w) - w, axis=-1)

    def grad(self, w: np.ndarray) -> np.ndarray:
        return np.log(w)

    def grad_inv(self, z: np.ndarray) -> np.ndarray:
        return np.exp(z)

    def check_domain(self, w: np.ndarray) -> None:
        if np.any(np.asarray(w) <= 0):
            raise ValueError("the entropy potential needs strictly positive parameters")


class PNormPotential(Potential):
    r"""$\psi(w) = \frac1p\sum_i|w_i|^p$, $p > 1$: $\nabla\psi = \mathrm{sign}(w)|w|^{p-1}$, inverse
    $\mathrm{sign}(z)|z|^{1/(p-1)}$ (ill-conditioned near 0 for $p > 2$: use small steps)."""

    def __init__(self, p: float) -> None:
        if not (p > 1 and np.isfinite(p)):
            raise ValueError(f"p must be finite and > 1, got {p}")
        self.p = float(p)
        self.name = f"l{p:g}"

    def value(self, w: np.ndarray) -> np.ndarray:
        return np.sum(np.abs(w) ** self.p, axis=-1) / self.p

    def grad(self, w: np.ndarray) -> np.ndarray:
        return np.sign(w) * np.abs(w) ** (self.p - 1.0)

    def grad_inv(self, z: np.ndarray) -> np.ndarray:
        return np.sign(z) * np.abs(z) ** (1.0 / (self.p - 1.0))


def mirror_descent(lr: Any, potential: Potential) -> GradientTransformation:
    r"""Mirror descent $\nabla\psi(w_{k+1}) = \nabla\psi(w_k) - \eta_k g_k$; ``step`` $= w_{k+1} - w_k$."""
    if not isinstance(potential, Potential):
        raise TypeError("potential must be a sim.optimizers.Potential")

    def direction(th: np.ndarray, eg: np.ndarray, g: np.ndarray) -> np.ndarray:
        return potential.grad_inv(potential.grad(th) - eg) - th

    opt = _memoryless(f"mirror_descent[{potential.name}]", lr, direction)
    base_init = opt.init

    def init(theta: np.ndarray) -> dict[str, Any]:
        potential.check_domain(theta)
        return base_init(theta)

    return GradientTransformation(opt.name, init, opt.update, opt.needs_loss, True)


# ============================================================================ steepest descent
def steepest_descent(lr: Any, norm: float | str = 2) -> GradientTransformation:
    r"""Steepest descent w.r.t. a norm (Gunasekar et al. 2018, eq. for $\Delta w_t$):
    $s \in \arg\min_v\langle v, \eta g\rangle + \frac12\|v\|^2$, so $\|s\| = \eta\|g\|_*$.

    ``norm=2``: $-\eta g$. ``norm=1`` (greedy coordinate descent): $-\eta\|g\|_\infty\mathrm{sign}(g_i)e_i$ at
    $i = \arg\max_j|g_j|$ (the first on ties). ``norm=inf`` (sign descent): $-\eta\|g\|_1\mathrm{sign}(g)$.
    """
    key = {1: 1, 2: 2, "1": 1, "2": 2, "inf": "inf", np.inf: "inf", "l1": 1, "l2": 2, "linf": "inf"}.get(norm)  # type: ignore[call-overload]
    if key is None:
        raise ValueError(f"norm must be 1, 2 or inf, got {norm!r}")

    def direction(th: np.ndarray, eg: np.ndarray, g: np.ndarray) -> np.ndarray:
        if key == 2:
            return -eg
        if key == "inf":
            return -np.sum(np.abs(eg), axis=1, keepdims=True) * np.sign(eg)
        idx = np.argmax(np.abs(eg), axis=1)
        rows = np.arange(eg.shape[0])
        s = np.zeros_like(eg)
        s[rows, idx] = -eg[rows, idx]
        return s

    return _memoryless(f"steepest_descent[l{key}]", lr, direction)
