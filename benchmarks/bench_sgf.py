"""Benchmark the stochastic gradient flow (SGF) of a diagonal linear network: sim vs sdeint vs torchsde.

Problem: n = 40 samples, d = 100 features, Gaussian X, 5-sparse beta*, y = X beta*, alpha = 0.5,
gamma = 0.01, Euler-Maruyama with step h = 0.01 (Itô), R in {1, 64, 1024} replicas. The same SDE
for every engine:

    dw+- = -+(1/n)(X^T r) w+- dt +- 2 sqrt(gamma L / n) w+- (X^T dB),  r = X (w+^2 - w-^2) - y.

(gamma = 0.05 makes the SGF itself blow up with unnormalised Gaussian X: a sample's curvature is
~ ||x_i||^2 = d, so gamma d ~ 5 > 2; 0.01 keeps every replica finite.)

Engines, each at the same step, all in one process (the engines interleaved, medians over repeats):

* sim ``run_sgf`` (the specialised kernel, with the running loss integral): the fused step (drift
  and noise in one product, u = X^T (s dB - (h/n) r): two matrix products per step), on the
  compiled backend (numba: fused passes, numpy's normals drawn in place by a bit-exact port of its
  sampler) and on the numpy backend (same numbers bit for bit);
* sim ``sde_solve(problem.sgf_term(gamma))`` with only the final state recorded (the engine's fused
  EM step on numpy arrays; its increments come from ``BrownianPath``, which uses the compiled sampler
  once numba is loaded, as it is in this process), and the engine's generic (unfused)
  Euler-Maruyama path;
* sdeint: ``sdeint.itoEuler`` (one path per call: a loop over paths; reported per path-step);
* torchsde: ``torchsde.sdeint`` on CPU, float64, batched over R, method "euler", noise_type
  "general" with ``g`` returning the (R, 2d, n) matrix (the documented usage), and a second
  variant that also defines ``g_prod`` (the factored product, the same algorithm as sim).

Allocator: torch's CPU step is sensitive to glibc's malloc returning and re-mapping its large
buffers (PyTorch's CPU performance tuning guide: keep freed memory for reuse); without it its step
time flips between two speeds from run to run. Each worker process therefore runs with
MALLOC_MMAP_THRESHOLD_ = 32 MiB (glibc's maximum) and MALLOC_TRIM_THRESHOLD_ = 1 GiB in its
environment ("steady memory mode", for every engine in the process); ``--no-malloc-advice`` turns
it off. The report says which was used.

Also: the ceiling -- the time of the step's two matrix products alone (beta X^T and v X, 4 R n d
flops), i.e. the fastest any EM step of this SDE can be on this BLAS --, the cost of drawing the
increments (numpy's sampler vs the compiled port, the same values), the machine's float64 dgemm
throughput, and numba's one-off load time per process. Each BLAS thread count runs in its own
subprocess (OPENBLAS_NUM_THREADS must be set before numpy loads); torch gets the same count via
``torch.set_num_threads``.

Run:  python benchmarks/bench_sgf.py --threads 1   (about 3 minutes; ``--quick``: about 1)
Needs the ``bench`` extra (sdeint, torchsde, torch) and the ``fast`` extra (numba); an engine that is
missing is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

N_SAMPLES, N_FEATURES, GAMMA, H, ALPHA = 40, 100, 0.01, 0.01, 0.5
STEP_FLOPS = 4  # flops of the fused step's matrix products, in units of R n d
REPLICAS = (1, 64, 1024)
# glibc malloc tuning for steady memory reuse (PyTorch CPU tuning guide): 32 MiB is glibc's largest
# accepted mmap threshold on 64-bit; a 1 GiB trim threshold keeps freed heap for reuse.
MALLOC_ADVICE = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}


# --------------------------------------------------------------------------- worker
def _problem():
    import numpy as np

    from sim import DiagonalNetwork

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    beta = np.zeros(N_FEATURES)
    beta[:5] = 1.0
    return DiagonalNetwork(X, X @ beta)


def _median_time(fn, repeats: int) -> float:
    fn()  # warm-up (imports, allocations, BLAS buffers)
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def worker(threads: int, quick: bool) -> dict:
    import numpy as np

    import sim
    from sim.noise import BrownianPath
    from sim.sde import SDETerm

    prob = _problem()
    term = prob.sgf_term(GAMMA)
    n, d = N_SAMPLES, N_FEATURES
    reps = 3 if quick else 5
    scale = 0.3 if quick else 1.0
    out: dict = {"threads": threads, "load_before": os.getloadavg()[0], "rows": {}}
    advice = {k: os.environ.get(k) for k in MALLOC_ADVICE}
    out["malloc"] = (
        "glibc defaults"
        if not any(advice.values())
        else "steady memory mode (" + ", ".join(f"{k}={v}" for k, v in advice.items()) + ")"
    )

    class Generic(SDETerm):  # the same SDE without the fused step: sim's generic EM path
        dim, noise_dim = term.dim, term.noise_dim
        drift, diffusion, loss = (
            staticmethod(term.drift),
            staticmethod(term.diffusion),
            staticmethod(term.loss),
        )

    steps = {1: int(1500 * scale), 64: int(400 * scale), 1024: max(30, int(200 * scale))}

    def ours(R, N, integral, t=term):
        rec = sim.Recorder(every=N, loss=False, loss_integral=integral)
        return lambda: sim.sde_solve(t, prob.init(ALPHA), H, N, seed=1, n_replicas=R, recorder=rec)

    # ---- peers
    peers: dict = {}
    try:
        import sdeint

        def f_np(th, t):
            wp, wm = th[:d], th[d:]
            g = prob.X.T @ (prob.X @ (wp * wp - wm * wm) - prob.y) / n
            return np.concatenate([-g * wp, g * wm])

        def G_np(th, t):
            wp, wm = th[:d], th[d:]
            r = prob.X @ (wp * wp - wm * wm) - prob.y
            s = 2 * np.sqrt(term._c * 0.25 * np.mean(r * r))
            return np.concatenate([s * wp[:, None] * prob.X.T, -s * wm[:, None] * prob.X.T])

        def sdeint_run(paths, N):
            def run():
                tspan = np.linspace(0.0, N * H, N + 1)
                for p in range(paths):  # sdeint integrates one path per call
                    sdeint.itoEuler(
                        f_np, G_np, prob.init(ALPHA)[0], tspan, generator=np.random.default_rng(p)
                    )

            return run

        peers["sdeint"] = sdeint_run
    except ImportError:
        pass
    try:
        import torch
        import torchsde

        torch.set_num_threads(threads)
        Xt = torch.tensor(prob.X)
        yt = torch.tensor(prob.y)
        c = term._c

        class TorchSGF(torch.nn.Module):
            noise_type, sde_type = "general", "ito"

            def _r(self, th):
                wp, wm = th[:, :d], th[:, d:]
                return wp, wm, (wp * wp - wm * wm) @ Xt.T - yt

            def f(self, t, th):
                wp, wm, r = self._r(th)
                g = r @ Xt / n
                return torch.cat([-g * wp, g * wm], 1)

            def g(self, t, th):
                wp, wm, r = self._r(th)
                s = (2 * torch.sqrt(c * 0.25 * (r * r).mean(1)))[:, None, None]
                XT = Xt.T[None]
                return torch.cat([s * wp[:, :, None] * XT, -s * wm[:, :, None] * XT], 1)

        class TorchSGFProd(TorchSGF):
            def g_prod(self, t, th, v):
                wp, wm, r = self._r(th)
                s = (2 * torch.sqrt(c * 0.25 * (r * r).mean(1)))[:, None]
                xdb = v @ Xt
                return torch.cat([s * wp * xdb, -s * wm * xdb], 1)

        def torch_run(cls, R, N):
            y0 = torch.full((R, 2 * d), ALPHA, dtype=torch.float64)
            # torchsde steps t <- min(t + dt, t_end) while t < t_end: with t_end = N * H it can
            # take an (N+1)-th step of ~1e-14; the accumulated sum makes it exactly N steps.
            t_end = 0.0
            for _ in range(N):
                t_end += H
            ts = torch.tensor([0.0, t_end], dtype=torch.float64)

            def run():
                bm = torchsde.BrownianInterval(0.0, t_end, size=(R, n), dtype=torch.float64, entropy=R)
                with torch.no_grad():
                    torchsde.sdeint(cls(), y0, ts, bm=bm, method="euler", dt=H)

            return run

        peers["torchsde"] = lambda R, N: torch_run(TorchSGF, R, N)
        peers["torchsde_gprod"] = lambda R, N: torch_run(TorchSGFProd, R, N)
        out["torch"] = torch.__version__
    except ImportError:
        pass

    # ---- engines, interleaved per R
    from sim import _compiled

    have_numba = _compiled.available()
    if have_numba:  # numba's one-off cost in this process (import + cached kernels)
        t = time.perf_counter()
        _compiled.kernels()
        out["numba_load_s"] = time.perf_counter() - t
    X, y = prob.X, prob.y

    def kernel(R, N, backend):
        return lambda: sim.run_sgf(X, y, ALPHA, GAMMA, H, N, n_replicas=R, seed=1, backend=backend)

    for R in REPLICAS:
        N = steps[R]
        cases = {
            "sim": (kernel(R, N, "numba"), R * N) if have_numba else None,
            "sim_numpy": (kernel(R, N, "numpy"), R * N),
            "sde_solve": (ours(R, N, True), R * N),
            "sim_generic": (ours(R, max(5, N // 4), True, Generic()), R * max(5, N // 4)),
        }
        cases = {k: v for k, v in cases.items() if v is not None}
        if "sdeint" in peers:
            sp, sn = (1, int(400 * scale)) if R == 1 else (2, int(200 * scale))
            cases["sdeint"] = (peers["sdeint"](sp, sn), sp * sn)
        # torchsde: every call also evaluates f and g once to check shapes and builds its
        # BrownianInterval, so it is timed at two lengths and credited the marginal cost per step.
        tN = {1: int(200 * scale), 64: max(10, int(30 * scale)), 1024: max(4, int(8 * scale))}[R]
        for key in ("torchsde", "torchsde_gprod"):
            if key in peers:
                cases[key] = (peers[key](R, tN), R * tN)
                cases[key + "@2N"] = (peers[key](R, 2 * tN), 2 * R * tN)
        times: dict[str, list[float]] = {k: [] for k in cases}
        for fn, _ in cases.values():
            fn()  # warm-up
        for _ in range(reps):
            for k, (fn, _) in cases.items():
                t = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - t)
        med = {k: statistics.median(v) for k, v in times.items()}
        row = {k: cases[k][1] / med[k] for k in cases if not k.endswith("@2N")}
        for key in ("torchsde", "torchsde_gprod"):
            if key in cases:
                extra = med[key + "@2N"] - med[key]  # the cost of tN more steps
                row[key] = R * tN / extra if extra > 0 else row[key]
                row[key + "_whole_call"] = cases[key][1] / med[key]
        out["rows"][R] = row

    # ---- components of one step at each R: increments, the two products (the ceiling), the step.
    # The fused step does two products, beta X^T (R x d x n) and v X (R x n x d): 4 R n d flops.
    comp = {}
    rng = np.random.default_rng(5)
    XT = X.T
    for R in REPLICAS:
        N = 50 if R == 1024 else 200
        beta = rng.standard_normal((R, d))
        v = rng.standard_normal((R, n))
        r_buf, u_buf = np.empty((R, n)), np.empty((R, d))

        def draw(R=R, N=N):
            for _ in BrownianPath(1, R, n, H, backend="numpy").increments(N):
                pass

        def draw_compiled(R=R, N=N):
            z = np.empty((R, n))
            st = _compiled.pcg64_states(1, R)
            for _ in range(N):
                _compiled.kernels().draw_normals(st, z)

        def gemms(N=N, beta=beta, v=v, r_buf=r_buf, u_buf=u_buf):
            for _ in range(N):
                np.matmul(beta, XT, out=r_buf)
                np.matmul(v, X, out=u_buf)

        tasks = {"draw_us": draw, "gemm_us": gemms}
        if have_numba:
            tasks["draw_compiled_us"] = draw_compiled
        c = {key: _median_time(fn, reps) / N * 1e6 for key, fn in tasks.items()}
        c["gemm_gflops"] = STEP_FLOPS * R * n * d / c["gemm_us"] / 1e3
        comp[R] = c
    out["components"] = comp

    # ---- machine dgemm throughput (float64), comparable and large shapes
    gf = {}
    for name, (m, k, nn) in {
        "1024x100 @ 100x40 (step shape)": (1024, 100, 40),
        "1024x40 @ 40x100 (step shape)": (1024, 40, 100),
        "256^3": (256, 256, 256),
        "1024^3": (1024, 1024, 1024),
        "2048^3 (large)": (2048, 2048, 2048),
    }.items():
        A, B = rng.standard_normal((m, k)), rng.standard_normal((k, nn))
        loops = max(1, int(2e8 / (2 * m * k * nn)))

        def mm(A=A, B=B, loops=loops):
            for _ in range(loops):
                A @ B

        gf[name] = 2 * m * k * nn * loops / _median_time(mm, 3 if m == 2048 else reps) / 1e9
    out["dgemm_gflops"] = gf
    out["load_after"] = os.getloadavg()[0]
    return out


# --------------------------------------------------------------------------- report
def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def report(results: list[dict]) -> str:
    lines = []
    nan = float("nan")
    for res in results:
        T = res["threads"]
        rows = res["rows"]
        comp = res["components"]
        lines.append(
            f"\n### OPENBLAS_NUM_THREADS={T} (torch threads {T}); "
            f"1-min load average {res['load_before']:.1f} -> {res['load_after']:.1f} "
            f"on {os.cpu_count()} cores; allocator: {res['malloc']}\n"
        )
        if "numba_load_s" in res:
            lines.append(
                f"numba import + cached kernels: {res['numba_load_s']:.2f} s once per "
                "process (paid only by runs on the compiled backend).\n"
            )
        lines.append(
            "Path-steps per second (medians; sim and sdeint: whole calls, setup "
            "included; torchsde: marginal cost per step, from runs of N and 2N steps). "
            "Ceiling: R / (time of the step's two matrix products alone). Ratios: "
            "run_sgf compiled (numpy backend in brackets) over the peer.\n"
        )
        lines.append(
            "| R | run_sgf, compiled | run_sgf, numpy | ceiling (2 products) | "
            "sde_solve (fused EM) | sde_solve, generic EM | sdeint | torchsde (g matrix) "
            "| torchsde (g_prod) | torchsde whole call (g / g_prod) | vs sdeint | "
            "vs torchsde | vs torchsde g_prod |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for R in sorted(rows, key=int):
            v = rows[R]
            ceiling = int(R) / comp[R]["gemm_us"] * 1e6
            cells = [_fmt(v.get(k, nan)) for k in ("sim", "sim_numpy")] + [_fmt(ceiling)]
            cells += [
                _fmt(v.get(k, nan))
                for k in ("sde_solve", "sim_generic", "sdeint", "torchsde", "torchsde_gprod")
            ]
            cells.append(
                f"{_fmt(v.get('torchsde_whole_call', nan))} / {_fmt(v.get('torchsde_gprod_whole_call', nan))}"
            )
            for peer in ("sdeint", "torchsde", "torchsde_gprod"):
                if peer not in v:
                    cells.append("n/a")
                    continue
                fast = f"{v['sim'] / v[peer]:.1f}x " if "sim" in v else ""
                cells.append(f"{fast}({v['sim_numpy'] / v[peer]:.1f}x)")
            lines.append(f"| {R} | " + " | ".join(cells) + " |")
        gf = res["dgemm_gflops"]
        peak = max(gf.values())
        lines.append(
            "\nMachine dgemm throughput (numpy, float64): "
            + "; ".join(f"{k}: {v:.1f} GFLOP/s" for k, v in gf.items())
            + "\n"
        )
        lines.append(
            "One step of run_sgf: the products beta X^T and v X (4 R n d flops; the "
            "generic EM path does 5 products, 10 R n d) and R n normals. 'Rest' = "
            "whole step - draw - products (elementwise passes, loop overhead). The parts "
            "are timed separately, so under load they need not add up.\n"
        )
        lines.append(
            "| R | draw, numpy (us/step) | draw, compiled (us/step) | 2 products = "
            "ceiling (us/step) | products, GFLOP/s | whole step, compiled (us) | "
            "whole step, numpy (us) | compiled step / ceiling | whole step, % of peak "
            "dgemm | largest part (compiled) |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for R in sorted(comp, key=int):
            c = comp[R]
            step_np = int(R) / rows[R]["sim_numpy"] * 1e6
            step_c = int(R) / rows[R]["sim"] * 1e6 if "sim" in rows[R] else nan
            dc = c.get("draw_compiled_us", nan)
            best = step_c if step_c == step_c else step_np
            draw_used = dc if step_c == step_c else c["draw_us"]
            whole_gf = STEP_FLOPS * int(R) * N_SAMPLES * N_FEATURES / best / 1e3
            parts = {
                "products": c["gemm_us"],
                "draw": draw_used,
                "rest": max(best - draw_used - c["gemm_us"], 0.0),
            }
            bound = max(parts, key=parts.get)
            bound += f" ({parts[bound] / sum(parts.values()):.0%})"
            lines.append(
                f"| {R} | {c['draw_us']:.1f} | {dc:.1f} | {c['gemm_us']:.1f} | "
                f"{c['gemm_gflops']:.1f} | {step_c:.1f} | {step_np:.1f} | "
                f"{best / c['gemm_us']:.2f} | {whole_gf / peak:.0%} | {bound} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and repeats (~30-60 s)")
    ap.add_argument("--threads", default="1,2", help="BLAS thread counts to try, e.g. 1,2")
    ap.add_argument("--json", help="also write the raw results to this file")
    ap.add_argument(
        "--no-malloc-advice",
        action="store_true",
        help="run the workers with glibc's default malloc thresholds",
    )
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.quick)))
        return 0

    t0 = time.perf_counter()
    results = []
    for T in (int(t) for t in args.threads.split(",")):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(T), OMP_NUM_THREADS=str(T), MKL_NUM_THREADS=str(T))
        if not args.no_malloc_advice:  # torch's allocator advice (see the module docstring)
            env.update(MALLOC_ADVICE)
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(T)]
        cmd += ["--quick"] if args.quick else []
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    import numpy as np

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from check_increments import check_increments, markdown

    print(
        f"# SGF benchmark: diagonal network n={N_SAMPLES}, d={N_FEATURES}, gamma={GAMMA}, "
        f"h={H}, Euler-Maruyama, float64"
    )
    print(
        f"numpy {np.__version__}; torch {results[0].get('torch', 'absent')}; python {sys.version.split()[0]}"
    )
    print(report(results))
    rows = check_increments()
    print("\nIncrements (R = 1024 replicas x 40 dims x 64 steps; level 1e-3 per test):\n")
    print(markdown(rows))
    print(f"\ntotal wall time {time.perf_counter() - t0:.0f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
