"""Claims on a real Dask cluster: a scheduler and workers started as processes on 127.0.0.1.

Nothing is mocked: the fixture runs ``dask scheduler`` and ``dask worker`` (TCP, loopback only, bounded
waits, always torn down), and ``theorems verify --scheduler`` runs as a subprocess against them. Needs
the ``cluster`` extra (``pip install -e ".[cluster]"``); skipped with that reason without it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip(
    "distributed",
    reason="the cluster tests need Dask distributed: pip install -e '.[cluster]'",
)

pytestmark = pytest.mark.cluster

# Cheap claims from four papers: equalities, comparisons, a distributional test with a p-value; every
# false variant comes back with a shrunk counterexample.
SUBSET = [
    "online_noise.dln_online_per_sample",
    "online_noise.dln_online_not_sparser",
    "heavy_tail.b2_semiclosed",
    "heavy_tail.finite_variance_below_crit",
    "relu1.support_vector_span",
    "relu1.orthogonal_large_init_decreasing",
    "pesme2021.gf.loss_integral",
]
START_TIMEOUT = 90.0  # seconds for the scheduler and workers to come up on a loaded machine
RUN_TIMEOUT = 600.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CI", None)  # the profile is given explicitly
    env.pop("THEOREMS_SCHEDULER", None)
    # a task that kills its worker twice is given up (the default of 3 makes that test slow)
    env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "1"
    return env


def _start(args: list[str], log: Path) -> subprocess.Popen:
    fh = open(log, "wb")  # noqa: SIM115 - closed with the process
    p = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, env=_env(), start_new_session=True)
    p._log = fh  # type: ignore[attr-defined]
    return p


def _stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=15)
    p._log.close()  # type: ignore[attr-defined]


def _dask_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "dask"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "dask"]


def _worker(address: str, name: str, log: Path) -> subprocess.Popen:
    return _start(
        [
            *_dask_cmd(),
            "worker",
            address,
            "--host",
            "127.0.0.1",
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--name",
            name,
            "--death-timeout",
            "60",
        ],
        log,
    )


def _wait_workers(address: str, n: int) -> list[str]:
    with distributed.Client(address, timeout="20s", set_as_default=False) as c:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            workers = list(c.scheduler_info(n_workers=-1)["workers"])
            if len(workers) >= n:
                return workers
            time.sleep(0.5)
    raise TimeoutError(f"{n} workers did not register at {address} within {START_TIMEOUT} s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers on 127.0.0.1; yields the scheduler address."""
    logs = tmp_path_factory.mktemp("dask-logs")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        _start(
            [
                *_dask_cmd(),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            logs / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if procs[0].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "dask scheduler did not start:\n" + (logs / "scheduler.log").read_text()
                    ) from None
                time.sleep(0.3)
        procs += [_worker(address, f"w{i}", logs / f"w{i}.log") for i in (1, 2)]
        _wait_workers(address, 2)
        yield {"address": address, "logs": logs, "procs": procs}
    finally:
        for p in reversed(procs):
            _stop(p)


def _theorems(*args: str, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "theorems.cli", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=timeout,
    )


def _comparable(x):
    """A report without what may differ between two runs of the same seeds: timings and the command."""
    if isinstance(x, dict):
        return {
            k: _comparable(v) for k, v in x.items() if "seconds" not in k and k not in ("created", "command")
        }
    if isinstance(x, list):
        return [_comparable(v) for v in x]
    return x


def _report(path: Path) -> dict:
    return json.loads(path.read_text())


def test_cluster_sweep_is_identical_to_a_local_one(cluster, tmp_path):
    local, remote, plain = tmp_path / "local.json", tmp_path / "dask.json", tmp_path / "plain.json"
    common = [*SUBSET, "--profile", "dev", "--seeds", "3", "--quiet"]
    r1 = _theorems("verify", *common, "--json", str(local))
    assert r1.returncode == 0, r1.stdout + r1.stderr
    r2 = _theorems("verify", *common, "--json", str(remote), "--scheduler", cluster["address"])
    assert r2.returncode == 0, r2.stdout + r2.stderr
    a, b = _report(local), _report(remote)
    assert [c["id"] for c in b["claims"]] == sorted(SUBSET) and b["stability"]["seeds"] == [0, 1, 2]
    # every false variant was falsified with a counterexample, so the comparison covers those too
    assert all("counterexample" in v["evidence"] for c in b["claims"] for v in c["false_variants"])
    assert _comparable(a) == _comparable(b)
    # and seed 0 is the report of a plain single-seed local run (the CLI's own process pool)
    r3 = _theorems("verify", *SUBSET, "--profile", "dev", "--quiet", "--jobs", "2", "--json", str(plain))
    assert r3.returncode == 0, r3.stdout + r3.stderr
    assert _comparable(_report(plain)["claims"]) == _comparable(b["claims"])


def test_a_killed_worker_has_its_task_rerun_and_the_report_is_complete(cluster, tmp_path):
    address = cluster["address"]
    extra = _worker(address, "w3-doomed", cluster["logs"] / "w3.log")
    try:
        workers = _wait_workers(address, 3)
        with distributed.Client(address, timeout="20s", set_as_default=False) as c:
            doomed = next(
                w
                for w, info in c.scheduler_info(n_workers=-1)["workers"].items()
                if info["name"] == "w3-doomed"
            )
            out = tmp_path / "killed.json"
            run = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "theorems.cli",
                    "verify",
                    *SUBSET,
                    "--profile",
                    "dev",
                    "--quiet",
                    "--scheduler",
                    address,
                    "--json",
                    str(out),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=_env(),
            )
            try:
                deadline = time.monotonic() + START_TIMEOUT
                while not c.processing().get(doomed):  # a task is on the doomed worker
                    assert run.poll() is None, "the run finished before the worker got a task"
                    assert time.monotonic() < deadline, "the doomed worker never got a task"
                    time.sleep(0.05)
                lost = list(c.processing()[doomed])
                os.killpg(extra.pid, signal.SIGKILL)  # worker and nanny: gone for good
                stdout, stderr = run.communicate(timeout=RUN_TIMEOUT)
            finally:
                if run.poll() is None:
                    run.kill()
        assert run.returncode == 0, stdout + stderr
        assert lost, workers
    finally:
        _stop(extra)
    report = _report(out)
    assert [c["id"] for c in report["claims"]] == sorted(SUBSET)
    assert not report["interrupted"]
    assert all(c["passed"] for c in report["claims"])


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_cancels_the_pending_tasks_and_writes_the_partial_report(cluster, tmp_path):
    out = tmp_path / "partial.json"
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "theorems.cli",
            "verify",
            *SUBSET,
            "--profile",
            "ci",  # tasks of seconds: the Ctrl-C lands while most are pending
            "--seeds",
            "3",
            "--scheduler",
            cluster["address"],
            "--json",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        preexec_fn=_default_sigint,  # as in a terminal, whatever the test process inherited
    )
    try:
        for line in run.stderr:  # progress: one line per finished task
            if line.startswith("[3/"):
                break
        run.send_signal(signal.SIGINT)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130, stdout + stderr
    report = _report(out)
    assert report["interrupted"]
    assert report["stability"]["summary"]["runs_complete"] < 3 and not report["stability"]["summary"]["ok"]
    with distributed.Client(cluster["address"], timeout="20s", set_as_default=False) as c:
        deadline = time.monotonic() + 30
        while any(c.processing().values()):  # the cluster's pending tasks were cancelled
            assert time.monotonic() < deadline, c.processing()
            time.sleep(0.2)


POISON = """
import os
from hypothesis import strategies as st
from theorems import Check, Citation, claim

P = Citation(authors="T. Ester", year=2026, title="A claim that kills its worker")

@claim(id="poison.kills_worker", paper=P, status="conjecture", kind="upper_bound",
       statement="x <= 1 (the predicate kills the process that runs it)",
       strategy=st.fixed_dictionaries({"x": st.floats(0, 1)}))
def kills_worker(inst, ctx):
    os._exit(3)

@claim(id="poison.harmless", paper=P, status="conjecture", kind="upper_bound",
       statement="x <= 2", strategy=st.fixed_dictionaries({"x": st.floats(0, 1)}))
def harmless(inst, ctx):
    return Check.upper(inst["x"], 2.0)
"""


def test_a_task_that_keeps_killing_workers_is_an_error_naming_the_claim(cluster, tmp_path):
    f = tmp_path / "poison.py"
    f.write_text(textwrap.dedent(POISON))
    out = tmp_path / "poison.json"
    r = _theorems(
        "falsify",
        str(f),
        "--profile",
        "dev",
        "--quiet",
        "--scheduler",
        cluster["address"],
        "--json",
        str(out),
    )
    assert r.returncode == 1, r.stdout + r.stderr  # an error was found
    by_id = {c["id"]: c for c in _report(out)["claims"]}
    bad = by_id["poison.kills_worker"]
    assert bad["verdict"] == "error"
    assert "poison.kills_worker" in bad["reason"] and "KilledWorker" in bad["reason"]
    assert by_id["poison.harmless"]["verdict"] == "holds"  # the user's file was imported on workers
    _wait_workers(cluster["address"], 2)  # the nannies restarted the killed workers


def test_an_unreachable_scheduler_is_a_usage_error_naming_the_address():
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    t0 = time.monotonic()
    r = _theorems("verify", "relu1.support_vector_span", "--quiet", "--scheduler", address, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert address in r.stderr and "cannot reach the Dask scheduler" in r.stderr
    assert time.monotonic() - t0 < 60  # a short connect timeout, not a hang


def test_the_environment_variable_names_the_scheduler_too():
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = _env() | {"THEOREMS_SCHEDULER": address}
    r = subprocess.run(
        [sys.executable, "-m", "theorems.cli", "verify", "relu1.support_vector_span", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2 and address in r.stderr
