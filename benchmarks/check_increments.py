"""Statistical checks of the Brownian increments drawn by ``sim.noise.BrownianPath``.

Supports the claim that the engine's fast paths lose no statistical quality: the increments are
(1) exactly numpy's reference PCG64 streams, one per replica, keyed by the replica index and
independent of the number of replicas, (2) drawn identically by the compiled sampler of the ``fast``
extra (numba's port of numpy's ziggurat over the same PCG64 states; checked when numba is
installed), and (3) look like i.i.d. N(0, dt) draws: mean, variance,
normality, independence across replicas and across steps. Each test has level ``level``.

Run: python benchmarks/check_increments.py
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

from sim.noise import BrownianPath


def check_increments(
    seed: int = 2024,
    n_replicas: int = 1024,
    dim: int = 40,
    n_steps: int = 64,
    dt: float = 0.01,
    level: float = 1e-3,
) -> list[tuple[str, str, float, bool]]:
    """Return rows ``(test, statistic, p_value, passed)``; ``p_value`` is nan for exact checks."""
    rows: list[tuple[str, str, float, bool]] = []
    dW = np.stack(list(BrownianPath(seed, n_replicas, dim, dt).increments(n_steps)))  # (N, R, m)

    # Exact: replica r draws SeedSequence(seed, spawn_key=(r,)) -> PCG64 -> standard_normal.
    ref_ok = True
    for r in (0, 1, n_replicas // 2, n_replicas - 1):
        g = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(r,))))
        ref_ok &= np.array_equal(dW[:, r, :], g.standard_normal((n_steps, dim)) * np.sqrt(dt))
    rows.append(("equals numpy PCG64 reference streams", "exact", float("nan"), bool(ref_ok)))
    few = np.stack(list(BrownianPath(seed, 3, dim, dt).increments(n_steps)))
    rows.append(
        (
            "replica r independent of R (3 vs R)",
            "exact",
            float("nan"),
            bool(np.array_equal(few, dW[:, :3, :])),
        )
    )
    # The compiled sampler (numba, the optional "fast" extra): the same normals, bit for bit.
    from sim import _compiled

    if _compiled.available():
        z = _compiled.standard_normals(seed, n_replicas, n_steps * dim)
        same = np.array_equal(z.reshape(n_replicas, n_steps, dim).transpose(1, 0, 2) * np.sqrt(dt), dW)
        rows.append(("compiled sampler = numpy's draws (all R x N x m)", "exact", float("nan"), bool(same)))
    else:
        rows.append(("compiled sampler (numba absent: not checked)", "skipped", float("nan"), True))

    z = dW / np.sqrt(dt)
    N = z.size
    # mean: sqrt(N) * mean ~ N(0, 1)
    zm = float(z.mean() * np.sqrt(N))
    p = 2 * stats.norm.sf(abs(zm))
    rows.append(("mean = 0", f"z = {zm:+.2f}", p, p > level))
    # variance: sum z^2 ~ chi2(N), two-sided
    ss = float(np.sum(z * z))
    cdf = stats.chi2.cdf(ss, N)
    p = 2 * min(cdf, 1 - cdf)
    rows.append(("variance = dt", f"var/dt = {ss / N:.4f}", p, p > level))
    # normality: KS against N(0, 1) on every draw
    ks = stats.kstest(z.ravel(), "norm")
    rows.append(
        ("normal (Kolmogorov-Smirnov)", f"D = {ks.statistic:.4f}", float(ks.pvalue), ks.pvalue > level)
    )
    # independence across replicas: all pairwise correlations of the replicas' streams.
    # Under H0 the off-diagonal sample correlations are ~ N(0, 1/k), nearly independent, so
    # k * sum_{r<s} rho_rs^2 ~ chi2(R (R - 1) / 2).
    per = z.transpose(1, 0, 2).reshape(n_replicas, -1)  # (R, N m)
    k = per.shape[1]
    c = np.corrcoef(per)
    iu = np.triu_indices(n_replicas, 1)
    q = float(k * np.sum(c[iu] ** 2))
    df = iu[0].size
    p = stats.chi2.sf(q, df)
    rows.append(
        (
            "independent across replicas (pairwise corr.)",
            f"max abs rho = {np.abs(c[iu]).max():.3f}, chi2/df = {q / df:.3f}",
            p,
            p > level,
        )
    )
    # and across steps: lag-1 correlation within each replica's stream ~ N(0, 1/(N_pairs))
    a, b = z[1:].ravel(), z[:-1].ravel()
    rho = float(np.mean(a * b))
    zl = rho * np.sqrt(a.size)
    p = 2 * stats.norm.sf(abs(zl))
    rows.append(("independent across steps (lag-1 corr.)", f"rho = {rho:+.4f}", p, p > level))
    return rows


def markdown(rows: list[tuple[str, str, float, bool]]) -> str:
    out = ["| increment check | statistic | p-value | pass |", "|---|---|---|---|"]
    for name, stat, p, ok in rows:
        ps = "exact" if np.isnan(p) else f"{p:.3g}"
        out.append(f"| {name} | {stat} | {ps} | {'yes' if ok else 'NO'} |")
    return "\n".join(out)


def main() -> int:
    rows = check_increments()
    print(markdown(rows))
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
