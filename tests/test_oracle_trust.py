"""Regression tests for the oracle's silent wrong answers (issue "An oracle a researcher can trust").

Each test failed before its fix: a verdict that read "holds" when it should not, a run that died without
a report, an error message that named the wrong problem.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from hypothesis import strategies as st

import theorems
from theorems import Check, Citation, claim
from theorems.cli import main
from theorems.core.claims import REGISTRY, Registry
from theorems.core.discovery import load_file
from theorems.core.runner import instance_key, run_predicate
from theorems.core.verdicts import Outcome

ROOT = Path(__file__).resolve().parent.parent
P = Citation(authors="T. Ester", year=2026, title="Toys")
X = st.fixed_dictionaries({"x": st.floats(-10, 10)})


@pytest.fixture(autouse=True)
def _clean_registry():
    theorems.registry()
    before = set(REGISTRY.ids())
    yield
    for cid in set(REGISTRY.ids()) - before:
        REGISTRY.remove(cid)


def _write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return p


HEADER = """
from hypothesis import strategies as st
from theorems import Check, Citation, claim
P = Citation(authors="T. Ester", year=2026, title="Toys")
X = st.fixed_dictionaries({"x": st.floats(-10, 10)})
"""


def _cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "theorems.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


# ------------------------------------------------------------------------------------------ item 1
def test_falsify_runs_only_the_files_own_claims_when_it_imports_a_paper_module(tmp_path):
    f = _write(
        tmp_path,
        "uses_helper.py",
        HEADER
        + """
from theorems.diagonal_networks import implicit_solution  # a helper, not a request for built-ins

@claim(id="mine.own", paper=P, status="conjecture", kind="upper_bound", statement="x <= 3",
       strategy=X)
def own(inst, ctx):
    return Check.upper(inst["x"], 3.0)
""",
    )
    out = _cli("falsify", str(f), "--json", str(tmp_path / "r.json"), "--quiet", "--jobs", "1")
    data = json.loads((tmp_path / "r.json").read_text())
    assert [c["id"] for c in data["claims"]] == ["mine.own"], out.stdout[-2000:]
    assert "1 conjectures falsified" in out.stdout or "1 of 1 conjectures falsified" in out.stdout


# ------------------------------------------------------------------------------------------ item 2
def test_numpy_booleans_are_read_as_the_bools_they_are():
    assert Check(np.False_).ok is False
    assert Check(np.bool_(True)).ok is True
    assert Check(np.array(False)).ok is False
    with pytest.raises(TypeError, match="Check.ok must be True, False or None"):
        Check("yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Check.ok"):
        Check(np.array([True, False]))  # type: ignore[arg-type]
    v = run_predicate("toy.np_bool", lambda inst, ctx: Check(np.float64(inst["x"]) < 5), X, max_examples=20)
    assert v.outcome is Outcome.FALSIFIED
    assert v.evidence["counterexample"]["instance"]["x"] >= 5


# ------------------------------------------------------------------------------------------ item 3
def test_a_predicate_calling_sys_exit_is_an_error_verdict_with_a_report(tmp_path):
    f = _write(
        tmp_path,
        "exits.py",
        HEADER
        + """
import sys

@claim(id="toy.exits", paper=P, status="conjecture", kind="equality", statement="exits", strategy=X)
def exits(inst, ctx):
    if inst["x"] > 1:
        sys.exit(3)
    return Check.close(1.0, 1.0)

@claim(id="toy.fine", paper=P, status="conjecture", kind="equality", statement="fine", strategy=X)
def fine(inst, ctx):
    return Check.close(1.0, 1.0)
""",
    )
    report = tmp_path / "r.json"
    code = main(["falsify", str(f), "--json", str(report), "--quiet", "--jobs", "1"])
    assert code == 1
    by_id = {c["id"]: c for c in json.loads(report.read_text())["claims"]}
    assert by_id["toy.exits"]["verdict"] == "error"
    assert "SystemExit" in by_id["toy.exits"]["reason"]
    assert by_id["toy.exits"]["evidence"]["error_instance"]["x"] > 1
    assert by_id["toy.fine"]["verdict"] == "holds"


# ------------------------------------------------------------------------------------------ item 4
def test_a_user_claim_may_not_reuse_a_builtin_id(tmp_path):
    builtin = "engine.gd_min_norm"
    f = _write(
        tmp_path,
        "clash.py",
        HEADER
        + f"""
@claim(id="{builtin}", paper=P, status="conjecture", kind="equality", statement="mine")
def mine(inst, ctx):
    return Check.close(0.0, 1.0)
""",
    )
    loaded = load_file(f)
    assert loaded.error is not None and loaded.claims == []
    assert "defined twice" in loaded.error and builtin in loaded.error
    assert "clash.py" in loaded.error and "engine" in loaded.error  # both places are named
    # the built-in is untouched: replay runs the paper's predicate, not the user's
    assert REGISTRY[builtin].module.startswith("theorems.engine")


def test_registry_refuses_duplicates_naming_both_modules():
    reg = Registry()
    claim(id="dup.one", paper=P, status="derived", kind="equality", statement="a", registry=reg)(
        lambda i, c: Check(True)
    )
    with pytest.raises(ValueError, match="defined twice"):
        claim(id="dup.one", paper=P, status="derived", kind="equality", statement="b", registry=reg)(
            lambda i, c: Check(True)
        )


# ------------------------------------------------------------------------------------------ item 5
@pytest.mark.parametrize(
    "opt,bad",
    [
        ("--json", "DIR"),
        ("--json", ""),
        ("--json", "FILE/inside.json"),
        ("--junit", "DIR"),
        ("--junit", "FILE/x.xml"),
        ("--figures", "FILE"),
        ("--figures", "FILE/sub"),
    ],
)
def test_bad_output_paths_are_usage_errors_before_the_run(tmp_path, capsys, opt, bad):
    (tmp_path / "DIR").mkdir()
    (tmp_path / "FILE").write_text("x")
    path = bad.replace("DIR", str(tmp_path / "DIR")).replace("FILE", str(tmp_path / "FILE"))
    t0 = time.perf_counter()
    code = main(["verify", "engine.em_weak_order", opt, path, "--quiet", "--jobs", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert opt in err and err.strip().count("\n") == 0
    assert time.perf_counter() - t0 < 30  # refused up front, not after running the claim


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_output_directory_is_a_usage_error(tmp_path):  # pragma: no cover - not root
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    assert main(["verify", "engine.gd_min_norm", "--json", str(ro / "r.json"), "--quiet"]) == 2


def test_docs_into_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "f").write_text("x")
    assert main(["docs", str(tmp_path / "f")]) == 2


def test_a_report_that_cannot_be_written_at_the_end_keeps_the_table(tmp_path, capsys, monkeypatch):
    import theorems.core.report as report

    def fail(path, rep):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "write_json", fail)
    code = main(["verify", "engine.gd_min_norm", "--json", str(tmp_path / "r.json"), "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "engine.gd_min_norm" in out and "claims as expected" in out  # the verdicts were shown
    assert "could not write" in err and "r.json" in err


# ------------------------------------------------------------------------------------------ item 6
def test_nan_p_value_is_never_a_pass():
    with pytest.raises(ValueError, match="NaN p-value"):
        Check.test(reject=False, p_value=float("nan"), level=0.01)
    v = run_predicate(
        "toy.nan_p",
        lambda inst, ctx: Check.test(reject=False, p_value=float("nan"), level=ctx.level),
        X,
        max_examples=5,
    )
    assert v.outcome is Outcome.ERROR and "NaN" in v.reason
    # a decision by confidence interval states no p-value, and that is allowed
    assert Check.test(reject=False, p_value=None, level=0.01).ok is True


# ------------------------------------------------------------------------------------------ item 7
def test_the_instance_cache_is_keyed_by_content_not_repr():
    a = np.zeros(5000)
    b = a.copy()
    b[2500] = 1.0  # differs only in the part numpy's repr elides
    assert repr(a) == repr(b) and instance_key(a) != instance_key(b)
    assert instance_key({"x": a}) == instance_key({"x": a.copy()})
    assert instance_key(np.zeros(3, dtype=np.float32)) != instance_key(np.zeros(3))
    assert instance_key(np.zeros((2, 3))) != instance_key(np.zeros((3, 2)))
    v = run_predicate(
        "toy.big_arrays",
        lambda arr, ctx: Check(bool(arr[2500] == 0.0)),
        st.sampled_from([a, b]),
        max_examples=10,
    )
    assert v.outcome is Outcome.FALSIFIED


# ------------------------------------------------------------------------------------------ item 8
def test_an_interrupted_run_is_not_ok(tmp_path):
    f = _write(
        tmp_path,
        "interrupt.py",
        HEADER
        + """
@claim(id="toy4.a_first", paper=P, status="derived", kind="equality", statement="ok")
def a(inst, ctx):
    return Check.close(1.0, 1.0)

@a.false_variant("off", "off by one")
def _(inst, ctx):
    return Check.close(2.0, 1.0)

@claim(id="toy4.b_second", paper=P, status="derived", kind="equality", statement="^C")
def b(inst, ctx):
    raise KeyboardInterrupt
""",
    )
    report = tmp_path / "partial.json"
    assert main(["falsify", str(f), "--json", str(report), "--quiet", "--jobs", "1"]) == 130
    data = json.loads(report.read_text())
    assert data["interrupted"] is True and data["summary"]["ok"] is False


def test_a_bad_theorems_profile_is_one_usage_error():
    out = _cli("verify", "engine.gd_min_norm", "--json", "-", env={"THEOREMS_PROFILE": "bogus"})
    assert out.returncode == 2
    assert "THEOREMS_PROFILE" in out.stderr and "bogus" in out.stderr
    assert "KeyError" not in out.stderr + out.stdout


# ------------------------------------------------------------------------------------------ item 9
def test_a_hanging_predicate_meets_its_deadline_and_the_rest_goes_on(tmp_path):
    f = _write(
        tmp_path,
        "hangs.py",
        HEADER
        + """
import time

@claim(id="toy.hangs", paper=P, status="conjecture", kind="equality", statement="hangs",
       strategy=X, deadline=0.5)
def hangs(inst, ctx):
    if inst["x"] > 0:
        time.sleep(120)
    return Check.close(1.0, 1.0)

@claim(id="toy.after", paper=P, status="conjecture", kind="equality", statement="fine", strategy=X)
def after(inst, ctx):
    return Check.close(1.0, 1.0)
""",
    )
    report = tmp_path / "r.json"
    assert main(["falsify", str(f), "--json", str(report), "--quiet", "--jobs", "1"]) == 1
    by_id = {c["id"]: c for c in json.loads(report.read_text())["claims"]}
    hang = by_id["toy.hangs"]
    assert hang["verdict"] == "error" and "deadline" in hang["reason"]
    assert hang["evidence"]["error_instance"]["x"] > 0
    assert by_id["toy.after"]["verdict"] == "holds"


# ------------------------------------------------------------------------------------------ verdict rules
def test_inconclusive_instances_are_rejected_not_counted():
    def pred(inst, ctx):
        if inst["x"] < 0:
            return Check.inconclusive("negative x says nothing")
        return Check.lower(inst["x"], 0.0)

    v = run_predicate("toy.half_inconclusive", pred, X, max_examples=15)
    assert v.outcome is Outcome.HOLDS, v.reason
    assert v.evidence["instances_conclusive"] == 15
    assert v.evidence["instances_inconclusive"] > 0
    assert "negative x says nothing" in v.evidence["rejection_reasons"]


def test_vacuous_instances_are_counted_apart_and_never_evidence():
    v = run_predicate(
        "toy.always_vacuous",
        lambda inst, ctx: Check.vacuous_instance("no inactive point"),
        X,
        max_examples=5,
    )
    assert v.outcome is Outcome.INCONCLUSIVE
    assert v.evidence["instances_vacuous"] >= 10 and v.evidence["instances_conclusive"] == 0
    assert "vacuous: no inactive point" in v.reason


def test_a_mostly_rejected_strategy_ends_with_a_clear_message():
    v = run_predicate(
        "toy.mostly_rejected",
        lambda inst, ctx: Check.inconclusive("did not converge") if inst["x"] < 9.9 else Check(True),
        X,
        max_examples=20,
    )
    assert v.outcome is Outcome.INCONCLUSIVE
    assert "did not converge" in v.reason and "needed" in v.reason and "cap" in v.reason


def test_too_few_conclusive_instances_is_inconclusive_not_holds():
    # a finite strategy with two instances cannot give the three conclusive instances a verdict needs
    v = run_predicate(
        "toy.two_instances",
        lambda inst, ctx: Check.lower(inst["x"], 0.0),
        st.fixed_dictionaries({"x": st.sampled_from([1.0, 2.0])}),
        max_examples=20,
    )
    assert v.outcome is Outcome.INCONCLUSIVE and "only 2 conclusive" in v.reason


def test_refuted_conjectures_stay_refuted(tmp_path):
    reg = Registry()

    @claim(
        id="toy.refuted",
        paper=P,
        status="refuted",
        kind="upper_bound",
        statement="x <= 9.99",
        strategy=X,
        pinned=[{"x": 9.995}],
        registry=reg,
    )
    def refuted(inst, ctx):
        return Check.upper(inst["x"], 9.99)

    from theorems.core.runner import run_claim

    r = run_claim(refuted)
    assert r.verdict.outcome is Outcome.FALSIFIED  # found by replaying the pin: random search misses it
    assert r.verdict.evidence["pinned"] == [{"instance": {"x": 9.995}, "ok": False, "falsified": True}]
    assert r.passed
    # a regression: the pinned counterexample no longer fails -> the run fails
    refuted.predicate = lambda inst, ctx: Check.upper(inst["x"], 10.0)
    r2 = run_claim(refuted)
    assert not r2.passed
    with pytest.raises(ValueError, match="must pin its counterexample"):
        claim(id="toy.unpinned", paper=P, status="refuted", kind="equality", statement="s", registry=reg)


def test_falsify_max_examples_budget_default_report_and_details(tmp_path, capsys, monkeypatch):
    f = _write(
        tmp_path,
        "hunt.py",
        HEADER
        + """
@claim(id="toy.hunt_holds", paper=P, status="conjecture", kind="lower_bound", statement="x^2>=0",
       strategy=X)
def holds(inst, ctx):
    return Check.lower(inst["x"] ** 2, 0.0)

@claim(id="toy.hunt_fails", paper=P, status="conjecture", kind="upper_bound", statement="x<=3",
       strategy=X)
def fails(inst, ctx):
    return Check.upper(inst["x"], 3.0, note="attached by the predicate")

@claim(id="toy.hunt_raises", paper=P, status="conjecture", kind="equality", statement="raises",
       strategy=X)
def raises(inst, ctx):
    return helper_that_fails(inst["x"])

def helper_that_fails(x):
    raise ZeroDivisionError("deep in the user's helper")
""",
    )
    monkeypatch.chdir(tmp_path)
    code = main(["falsify", str(f), "--max-examples", "7", "--budget", "60", "--quiet", "--jobs", "1"])
    assert code == 1
    out = capsys.readouterr().out
    data = json.loads((tmp_path / "theorems-falsify-report.json").read_text())  # written by default
    by_id = {c["id"]: c for c in data["claims"]}
    assert by_id["toy.hunt_holds"]["evidence"]["instances_conclusive"] == 7
    ce = by_id["toy.hunt_fails"]["evidence"]["counterexample"]
    assert ce["check"]["details"]["note"] == "attached by the predicate"
    assert "attached by the predicate" in out
    assert "helper_that_fails" in out  # the user's own traceback, not only its last line
    assert "instance:" in out


def test_falsify_import_failure_prints_no_empty_table(tmp_path, capsys):
    f = _write(tmp_path, "broken.py", "raise RuntimeError('my import bug')\n")
    assert main(["falsify", str(f), "--json", str(tmp_path / "r.json"), "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert "0 of 0" not in out and "my import bug" in err


def test_falsify_on_a_directory_says_so(tmp_path, capsys):
    assert main(["falsify", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_reports_are_written_with_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "r.json"
        assert main(["verify", "engine.gd_min_norm", "--json", str(path), "--quiet", "--jobs", "1"]) == 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    finally:
        os.umask(old)


def test_junit_keeps_the_counterexample_of_a_falsified_conjecture(tmp_path):
    f = _write(
        tmp_path,
        "junit.py",
        HEADER
        + """
@claim(id="toy.junit_conj", paper=P, status="conjecture", kind="upper_bound", statement="x<=3",
       strategy=X)
def conj(inst, ctx):
    return Check.upper(inst["x"], 3.0)
""",
    )
    xml = tmp_path / "r.xml"
    main(["falsify", str(f), "--junit", str(xml), "--json", "-", "--quiet", "--jobs", "1"])
    case = next(c for c in ET.parse(xml).getroot().iter("testcase") if c.get("name") == "toy.junit_conj")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["verdict"] == "falsified" and '"x"' in props["counterexample"]
    assert "counterexample" in case.find("system-out").text


def test_evidence_column_labels_a_bound_as_a_bound(tmp_path, capsys):
    f = _write(
        tmp_path,
        "bound.py",
        HEADER
        + """
@claim(id="toy.bounded", paper=P, status="conjecture", kind="upper_bound", statement="x<=10",
       strategy=X)
def bounded(inst, ctx):
    return Check.upper(inst["x"], 10.0)
""",
    )
    assert main(["falsify", str(f), "--json", "-", "--jobs", "1"]) == 0
    assert "vs bound (<=) 10" in capsys.readouterr().out


def _default_sigint() -> None:
    """In the child: SIGINT with its default action and unblocked, as in a terminal. Ignored and
    blocked signals are inherited across exec, and in a full pytest run the test process's state made
    the CLI miss the interrupt (the same test passes alone)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_with_two_jobs_returns_promptly(tmp_path):
    f = _write(
        tmp_path,
        "slow.py",
        HEADER
        + """
import time

from pathlib import Path

HERE = Path(__file__).parent

@claim(id="toy.slow_a", paper=P, status="conjecture", kind="equality", statement="slow")
def slow_a(inst, ctx):
    (HERE / "a.started").touch()
    time.sleep(60)
    return Check.close(1.0, 1.0)

@claim(id="toy.slow_b", paper=P, status="conjecture", kind="equality", statement="slow")
def slow_b(inst, ctx):
    (HERE / "b.started").touch()
    time.sleep(60)
    return Check.close(1.0, 1.0)
""",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "theorems.cli",
            "falsify",
            str(f),
            "--jobs",
            "2",
            "--quiet",
            "--json",
            str(tmp_path / "r.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120  # let both workers start their 60 s claims (a loaded machine is slow)
    while not ((tmp_path / "a.started").exists() and (tmp_path / "b.started").exists()):
        assert time.monotonic() < deadline and proc.poll() is None, "the workers never started"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C does: the whole process group
    try:
        proc.wait(timeout=30)  # well before the claims' 60 s: the workers were ended, not awaited
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert json.loads((tmp_path / "r.json").read_text())["interrupted"] is True


# ------------------------------------------------------------------------------------------ sim
def test_a_diverged_gd_run_warns():
    import sim

    X = np.array([[3.0, 0.0], [0.0, 1.0]])
    prob = sim.LeastSquares(X, np.array([1.0, 1.0]))
    with pytest.warns(sim.DivergenceWarning, match="1 of 1 replicas diverged"):
        res = sim.gd(prob, np.zeros(2), lr=1.0, n_steps=400)  # lr > 2/L: the first coordinate blows up
    assert res.diverged and res.diverged[0].replica == 0


def test_sgd_with_replacement_accepts_a_batch_larger_than_the_data():
    import sim

    prob = sim.LeastSquares(np.eye(3), np.ones(3))
    res = sim.sgd(prob, np.zeros(3), lr=0.1, n_steps=5, batch_size=7, replace=True, seed=1)
    assert res.theta.shape == (1, 3) and not res.diverged
    with pytest.raises(ValueError, match="without replacement"):
        sim.sgd(prob, np.zeros(3), lr=0.1, n_steps=5, batch_size=7, replace=False)


def test_an_empty_private_registry_is_used_not_the_builtin_one():
    reg = Registry()  # empty, hence falsy: must still receive the claim
    claim(id="private.first", paper=P, status="derived", kind="equality", statement="s", registry=reg)(
        lambda i, c: Check(True)
    )
    assert "private.first" in reg and "private.first" not in REGISTRY


def test_warnings_of_a_predicate_are_tallied_in_the_evidence_not_printed(capfd):
    import warnings

    reg = Registry()

    @claim(
        id="trust.warns",
        paper=Citation(authors="T. Tester", year=2026, title="Warnings", venue="tests"),
        statement="Warns and holds.",
        status="theorem",
        kind="equality",
        strategy=st.fixed_dictionaries({"k": st.integers(0, 100)}),
        examples={"dev": 3},
        registry=reg,
    )
    def warns(inst, ctx):
        warnings.warn("the run diverged on purpose", RuntimeWarning, stacklevel=1)
        return Check.close(1.0, 1.0, rtol=0.0)

    v = run_predicate("trust.warns", warns.predicate, warns.get_strategy(), max_examples=3)
    assert v.outcome is Outcome.HOLDS
    tally = v.evidence["warnings"]
    assert tally == {"RuntimeWarning: the run diverged on purpose": v.evidence["instances_tried"]}
    assert "diverged on purpose" not in capfd.readouterr().err
