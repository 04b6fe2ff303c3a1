"""A linearized graph neural network (Xu, Zhang, Jegelka, Kawaguchi, ICML 2021) as a training problem.

Conventions follow the paper (columns are nodes):

* ``X`` of shape (m_x, n): node features; ``S`` (n, n): the graph operator; ``train``: the training
  nodes ``I``; ``Y`` (m_y, |I|): their targets.
* :func:`normalized_adjacency` gives the operator used by default in this suite,
  ``S = D~^{-1/2} (A + I) D~^{-1/2}`` with ``D~`` the degree matrix of ``A + I`` (the GCN
  normalisation with self-loops, Kipf & Welling 2017). Any square ``S`` is accepted.
* Depth ``H``, width ``m``: ``B_1`` (m, m_x), ``B_2 .. B_H`` (m, m); ``P_l = B_l ... B_1``, ``P_0 = I``.
* Without skip connections ``f = W_H P_H X S^H``; with them (the "multiscale" form)
  ``f = sum_{l=0}^{H} W_l P_l X S^l`` with heads ``W_0`` (m_y, m_x) and ``W_l`` (m_y, m).
* Loss: ``L = ||f_{*I} - Y||_F^2`` (the paper's convention: a sum over training nodes, **no 1/2,
  no 1/n**).

With ``G_l = X (S^l)_{*I}`` the prediction on the training nodes is ``f_I = sum_l W_l P_l G_l``, and
with the residual ``R = f_I - Y``::

    dL/dW_l = 2 R G_l^T P_l^T,      dL/dB_j = Z_j P_{j-1}^T,
    Z_H = E_H,  Z_j = E_j + B_{j+1}^T Z_{j+1},   E_l = W_l^T 2R G_l^T  (E_l = 0 for a missing head).

Parameters are flat with a leading replica axis, ``theta = [vec(B_1), .., vec(B_H), vec(W_l) for the
heads in increasing l]`` (row-major), so :func:`sim.dynamics.gd` drives the model.
"""

from __future__ import annotations

import numpy as np

from sim._validate import as_matrix, as_replicas, positive, positive_int, seed_like
from sim.problems import Problem


def erdos_renyi(n: int, p: float, seed: int | np.random.SeedSequence) -> np.ndarray:
    """A symmetric 0/1 adjacency matrix of G(n, p) without self-loops, shape (n, n)."""
    n = positive_int(n, "n")
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p}")
    rng = np.random.default_rng(seed_like(seed))
    upper = np.triu(rng.random((n, n)) < p, k=1)
    return (upper | upper.T).astype(np.float64)


def normalized_adjacency(adjacency: object) -> np.ndarray:
    """``D~^{-1/2} (A + I) D~^{-1/2}``, ``D~ = diag((A + I) 1)`` for a symmetric non-negative ``A``."""
    A = as_matrix(adjacency, "adjacency")
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"adjacency must be square, got shape {A.shape}")
    if np.any(A < 0) or not np.allclose(A, A.T):
        raise ValueError("adjacency must be symmetric with non-negative weights")
    At = A + np.eye(A.shape[0])
    s = 1.0 / np.sqrt(At.sum(axis=1))
    return s[:, None] * At * s[None, :]


class LinearGNN(Problem):
    """Linearized GNN ``f = sum_{l in heads} W_l P_l X S^l`` with ``L = ||f_{*I} - Y||_F^2``.

    Parameters
    ----------
    X: features (m_x, n), columns are nodes.
    Y: targets (m_y, |I|) of the training nodes, in the order of ``train``.
    S: graph operator (n, n), e.g. :func:`normalized_adjacency`.
    train: indices of the training nodes (distinct, in ``[0, n)``).
    depth: ``H >= 1``; width: ``m >= 1`` (hidden size of every ``B_l``).
    skip: ``False``: one head ``W_H``; ``True``: heads ``W_0, .., W_H`` (multiscale skip connections).
    """

    def __init__(
        self,
        X: object,
        Y: object,
        S: object,
        train: object,
        *,
        depth: int,
        width: int,
        skip: bool = False,
    ) -> None:
        self.X = as_matrix(X, "X")
        self.m_x, self.n_nodes = self.X.shape
        self.S = as_matrix(S, "S")
        if self.S.shape != (self.n_nodes, self.n_nodes):
            raise ValueError(
                f"S must be (n, n) = ({self.n_nodes}, {self.n_nodes}) (X has n = {self.n_nodes} node "
                f"columns), got {self.S.shape}"
            )
        idx = np.asarray(train)
        if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError("train must be a non-empty 1-D array of node indices")
        if idx.min() < 0 or idx.max() >= self.n_nodes or np.unique(idx).size != idx.size:
            raise ValueError(f"train must hold distinct node indices in [0, {self.n_nodes})")
        self.train = idx.astype(int)
        self.Y = as_matrix(Y, "Y")
        if self.Y.shape[1] != self.train.size:
            raise ValueError(f"Y must be (m_y, |I|) with |I| = {self.train.size} columns, got {self.Y.shape}")
        self.m_y = self.Y.shape[0]
        self.y = self.Y.ravel()
        self.depth = positive_int(depth, "depth")
        self.width = positive_int(width, "width")
        self.skip = bool(skip)
        self.heads = tuple(range(self.depth + 1)) if self.skip else (self.depth,)
        self.n_samples = self.train.size
        # G_l = X (S^l)_{*I} for every head
        Sl = np.eye(self.n_nodes)
        self.G: dict[int, np.ndarray] = {}
        for level in range(self.depth + 1):
            if level in self.heads:
                self.G[level] = self.X @ Sl[:, self.train]
            Sl = Sl @ self.S
        # parameter layout
        m, shapes = self.width, {}
        for j in range(1, self.depth + 1):
            shapes[("B", j)] = (m, self.m_x if j == 1 else m)
        for level in self.heads:
            shapes[("W", level)] = (self.m_y, self.m_x if level == 0 else m)
        self._slices: dict[tuple[str, int], tuple[slice, tuple[int, int]]] = {}
        off = 0
        for key, shp in shapes.items():
            size = shp[0] * shp[1]
            self._slices[key] = (slice(off, off + size), shp)
            off += size
        self.n_params = off

    # ------------------------------------------------------------------ parameters
    def features(self) -> np.ndarray:
        """The stacked ``[G_l for l in heads]``, shape (|heads| m_x, |I|): ``f_I`` is linear in it."""
        return np.vstack([self.G[level] for level in self.heads])

    @property
    def block_shapes(self) -> dict[tuple[str, int], tuple[int, int]]:
        """``{('B', j): shape, ('W', l): shape}`` in the order of the flat layout."""
        return {key: shp for key, (_, shp) in self._slices.items()}

    def unpack(self, theta: object) -> dict[tuple[str, int], np.ndarray]:
        """``{('B', j): (R, m, .), ('W', l): (R, m_y, .)}`` from flat parameters."""
        th = self.check_theta(theta)
        return {key: th[:, sl].reshape(th.shape[0], *shp) for key, (sl, shp) in self._slices.items()}

    def pack(self, mats: dict[tuple[str, int], object]) -> np.ndarray:
        """Flat parameters from a dict like :meth:`unpack`'s (every key required; replica axis first)."""
        missing = set(self._slices) - set(mats)
        if missing:
            raise ValueError(f"pack: missing blocks {sorted(missing)}")
        R = None
        out = None
        for key, (sl, shp) in self._slices.items():
            a = np.asarray(mats[key], dtype=np.float64)
            if a.ndim == 2:
                a = a[None]
            if a.shape[1:] != shp:
                raise ValueError(f"block {key} must have shape {shp} (after the replica axis), got {a.shape}")
            if R is None:
                R = a.shape[0]
                out = np.empty((R, self.n_params))
            if a.shape[0] != R:
                raise ValueError("every block must have the same number of replicas")
            out[:, sl] = a.reshape(R, -1)
        assert out is not None
        return self.check_theta(out)

    def init(self, scale: float, seed: int | np.random.SeedSequence, n_replicas: int = 1) -> np.ndarray:
        """Every entry i.i.d. ``N(0, scale^2)``, shape (R, p); replica ``r`` draws from
        ``SeedSequence(seed, spawn_key=(r,))``."""
        scale = positive(scale, "scale")
        R = positive_int(n_replicas, "n_replicas")
        seed = seed_like(seed)
        ent = seed.entropy if isinstance(seed, np.random.SeedSequence) else seed
        return np.stack(
            [
                np.random.default_rng(np.random.SeedSequence(ent, spawn_key=(r,))).normal(
                    0.0, scale, self.n_params
                )
                for r in range(R)
            ]
        )

    def products(self, mats: dict[tuple[str, int], np.ndarray]) -> list[np.ndarray]:
        """``[P_0, P_1, .., P_H]`` with ``P_0 = I`` (broadcast), each (R, ., m_x)."""
        R = mats[("B", 1)].shape[0]
        P = [np.broadcast_to(np.eye(self.m_x), (R, self.m_x, self.m_x))]
        for j in range(1, self.depth + 1):
            P.append(np.matmul(mats[("B", j)], P[-1]))
        return P

    # ------------------------------------------------------------------ the maths
    def predict(self, theta: object) -> np.ndarray:
        """``f_{*I}``, shape (R, m_y, |I|)."""
        mats = self.unpack(theta)
        P = self.products(mats)
        return sum(np.matmul(mats[("W", lv)], np.matmul(P[lv], self.G[lv])) for lv in self.heads)

    def residual(self, theta: object) -> np.ndarray:
        return self.predict(theta) - self.Y

    def loss(self, theta: object) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            r = self.residual(theta)
            return np.einsum("rij,rij->r", r, r)

    def grad(self, theta: object) -> np.ndarray:
        mats = self.unpack(theta)
        R = mats[("B", 1)].shape[0]
        with np.errstate(over="ignore", invalid="ignore"):
            P = self.products(mats)
            res2 = 2.0 * (
                sum(np.matmul(mats[("W", lv)], np.matmul(P[lv], self.G[lv])) for lv in self.heads) - self.Y
            )
            out = np.empty((R, self.n_params))
            RG = {lv: np.matmul(res2, self.G[lv].T) for lv in self.heads}  # (R, m_y, m_x)
            for lv in self.heads:
                out[:, self._slices[("W", lv)][0]] = np.matmul(RG[lv], P[lv].transpose(0, 2, 1)).reshape(
                    R, -1
                )
            Z = None
            for j in range(self.depth, 0, -1):
                if j < self.depth:
                    Z = np.matmul(mats[("B", j + 1)].transpose(0, 2, 1), Z)
                if j in self.heads:
                    E = np.matmul(mats[("W", j)].transpose(0, 2, 1), RG[j])
                    Z = E if Z is None else Z + E
                gB = Z if j == 1 else np.matmul(Z, P[j - 1].transpose(0, 2, 1))
                out[:, self._slices[("B", j)][0]] = gB.reshape(R, -1)
        return out

    def lambda_min(self, theta: object) -> np.ndarray:
        """``min_{l in heads} lambda_min(P_l^T P_l)`` per replica, shape (R,) (1 for the head l = 0).

        The paper's "mild assumption" is that this stays positive along the path; it needs
        ``width >= m_x``.
        """
        P = self.products(self.unpack(theta))
        lam = [
            np.linalg.eigvalsh(np.matmul(P[lv].transpose(0, 2, 1), P[lv]))[:, 0]
            for lv in self.heads
            if lv > 0
        ]
        out = np.min(np.stack(lam), axis=0) if lam else np.ones(P[0].shape[0])
        return np.minimum(out, 1.0) if 0 in self.heads else out

    def per_sample_grads(self, theta: object) -> np.ndarray:
        raise NotImplementedError("LinearGNN: only full-batch gradients (GD) are implemented")

    def minibatch_grad(self, theta: object, idx: np.ndarray) -> np.ndarray:
        raise NotImplementedError("LinearGNN: only full-batch gradients (GD) are implemented")

    def check_theta(self, theta: object) -> np.ndarray:
        return as_replicas(theta, self.n_params)
