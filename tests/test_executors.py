"""Executors without a cluster: the task units, the local pool, seed sweeps and their stability section."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import theorems
from theorems.cli import main
from theorems.core.claims import REGISTRY
from theorems.core.executors import LocalExecutor, make_tasks, run_claims
from theorems.core.runner import run_claim
from theorems.core.stability import diagnose, parse_seeds, stability
from theorems.core.verdicts import ClaimResult, Outcome, Verdict

TOY = """
from hypothesis import strategies as st
from theorems import Check, Citation, claim

P = Citation(authors="T. Ester", year=2026, title="Toys")

@claim(id="toyx.square_nonneg", paper=P, status="derived", kind="lower_bound",
       statement="x^2 >= 0", strategy=st.fixed_dictionaries({"x": st.floats(-10, 10)}))
def square_nonneg(inst, ctx):
    return Check.lower(inst["x"] ** 2, 0.0)

@square_nonneg.false_variant("cube", "x^3 >= 0")
def _(inst, ctx):
    return Check.lower(inst["x"] ** 3, 0.0)

@claim(id="toyx.seed_dependent", paper=P, status="derived", kind="upper_bound",
       statement="ctx.seed is even (false on odd seeds: a deliberately flaky claim)",
       strategy=st.fixed_dictionaries({"x": st.integers(0, 3)}))
def seed_dependent(inst, ctx):
    return Check.upper(float(ctx.seed % 2), 0.0)
"""


@pytest.fixture
def toy_file(tmp_path):
    theorems.registry()
    before = set(REGISTRY.ids())
    p = tmp_path / "toy.py"
    p.write_text(textwrap.dedent(TOY))
    yield p
    for cid in set(REGISTRY.ids()) - before:
        REGISTRY.remove(cid)


def _strip(x):
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if "seconds" not in k and k not in ("created", "command")}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


@pytest.mark.parametrize(
    "spec,expected",
    [("0-4", [0, 1, 2, 3, 4]), ("3", [7, 8, 9]), ("1,5,9", [1, 5, 9]), ("2-2", [2])],
)
def test_parse_seeds(spec, expected):
    assert parse_seeds(spec, base=7) == expected


@pytest.mark.parametrize("spec", ["0", "5-2", "a", "1,1", "-3", ""])
def test_parse_seeds_rejects(spec):
    with pytest.raises(ValueError, match="--seeds"):
        parse_seeds(spec)


def test_tasks_are_one_per_claim_or_variant_and_seed():
    c = theorems.registry()["relu1.norm_identity"]
    tasks = make_tasks([c], [0, 1], "dev")
    assert len(tasks) == 2 * (1 + len(c.false_variants))
    assert {t.target for t in tasks} == {c.id, *(v.id for v in c.false_variants)}
    assert tasks[0].seed == 0 and tasks[-1].seed == 1


def test_task_results_assemble_into_run_claim_results():
    """The task path gives exactly run_claim's result (in-process and in a process pool)."""
    c = theorems.registry()["relu1.support_vector_span"]
    direct = run_claim(c, profile="dev", seed=3)
    for jobs in (1, 2):
        by_seed, interrupted = run_claims(
            [c], seeds=[3], profile="dev", executor=LocalExecutor(jobs), quiet=True
        )
        assert not interrupted
        (got,) = by_seed[3]
        assert _strip(got.to_dict()) == _strip(direct.to_dict())


def test_seed_sweep_flags_a_claim_whose_verdict_depends_on_the_seed(toy_file, tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["falsify", str(toy_file), "--seeds", "0-3", "--quiet", "--json", str(out)])
    assert code == 1  # the flaky claim is falsified on odd seeds
    data = json.loads(out.read_text())
    st = data["stability"]
    assert st["seeds"] == [0, 1, 2, 3]
    flaky = st["claims"]["toyx.seed_dependent"]
    assert flaky["verdicts"] == {"holds": 2, "falsified": 2, "inconclusive": 0, "error": 0}
    assert not flaky["stable"] and flaky["flaky"]
    assert set(flaky["off_seeds"]) in ({"1", "3"}, {"0", "2"})
    assert "toyx.seed_dependent" in st["flagged"]
    steady = st["claims"]["toyx.square_nonneg"]
    assert steady["stable"] and steady["verdicts"]["holds"] == 4
    assert steady["false_variants"]["toyx.square_nonneg:cube"]["verdicts"]["falsified"] == 4
    assert st["summary"]["flaky_claims"] == 1
    text = capsys.readouterr().out
    assert "stability over seeds" in text and "FLAKY toyx.seed_dependent" in text
    # the report's claims are the first seed's, with statement and citation for the HTML report
    c0 = {c["id"]: c for c in data["claims"]}["toyx.square_nonneg"]
    assert c0["statement"] == "x^2 >= 0" and c0["citation"]["year"] == 2026
    assert c0["false_variants"][0]["description"] == "x^3 >= 0"


def _verdict(outcome: Outcome, p_value: float | None = None) -> Verdict:
    ev = {}
    if outcome is Outcome.FALSIFIED:
        details = {"p_value": p_value} if p_value is not None else {}
        ev["counterexample"] = {"instance": {}, "check": {"details": details}}
    return Verdict("a.b", outcome, "", ev)


def test_diagnosis_separates_claim_bugs_from_statistics():
    det = {0: _verdict(Outcome.HOLDS), 1: _verdict(Outcome.FALSIFIED)}
    assert diagnose("holds", det).startswith("claim bug: a deterministic counterexample")
    stat = {0: _verdict(Outcome.HOLDS), 1: _verdict(Outcome.FALSIFIED, p_value=1e-5)}
    assert diagnose("holds", stat).startswith("statistics: a test rejected")
    weak = {0: _verdict(Outcome.FALSIFIED), 1: _verdict(Outcome.INCONCLUSIVE)}
    assert "no counterexample on some seeds" in diagnose("falsified", weak)
    err = {0: _verdict(Outcome.HOLDS), 1: _verdict(Outcome.ERROR)}
    assert "raised" in diagnose("holds", err)


def test_an_interrupted_sweep_is_not_ok():
    r = ClaimResult("a.b", "A 2020", "theorem", "equality", _verdict(Outcome.HOLDS), [])
    nothing = stability({0: [], 1: []}, n_claims=1)
    assert nothing["summary"]["runs_complete"] == 0 and not nothing["summary"]["ok"]
    half = stability({0: [r], 1: []}, n_claims=1)
    assert half["summary"]["runs_complete"] == 1 and not half["summary"]["ok"]


def test_stability_of_identical_seeds_is_stable():
    r = ClaimResult("a.b", "A 2020", "theorem", "equality", _verdict(Outcome.HOLDS), [])
    st = stability({0: [r], 1: [r]})
    assert st["claims"]["a.b"]["stable"] and st["flagged"] == [] and st["summary"]["ok"]


def test_scheduler_without_the_extra_is_a_clear_usage_error():
    """With Dask made unimportable, --scheduler says which extra to install (exit 2)."""
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from theorems.cli import main\n"
        "raise SystemExit(main(['verify', 'relu1.support_vector_span', '--quiet', "
        "'--scheduler', 'tcp://127.0.0.1:1']))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "pip install -e '.[cluster]'" in r.stderr


def test_bad_seeds_is_a_usage_error(capsys):
    assert main(["verify", "relu1.support_vector_span", "--seeds", "9-1"]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_generation_does_not_depend_on_imported_modules(tmp_path):
    """A local module of literals imported before a run must not change the instances drawn.

    Without the pin (theorems/core/determinism.py) hypothesis mixes the literals of imported local
    modules into its draws: a conjecture that fails only at one literal value is then falsified when a
    module holding that literal happens to be imported, and holds otherwise (the unpinned runs show the
    check can fail). The same happened between ``theorems verify`` (which imports ``theorems.cli``) and
    a Dask worker.
    """
    mod = tmp_path / "many_literals.py"
    mod.write_text("MAGIC = 48611\nOTHERS = [" + ", ".join(map(str, range(48600, 48611))) + "]\n")
    code = textwrap.dedent(
        f"""
        import sys, json
        import theorems
        from hypothesis import strategies as st
        from theorems import Check
        from theorems.core import determinism
        from theorems.core.runner import run_predicate
        if sys.argv[2] == "unpinned":
            determinism.DISABLED = True
        if sys.argv[1] == "with":
            sys.path.insert(0, {str(tmp_path)!r})
            import many_literals  # noqa: F401
        v = run_predicate(
            "toy.not_magic",
            lambda inst, ctx: Check(inst["x"] != 48611),
            st.fixed_dictionaries({{"x": st.integers(0, 10**6)}}),
            max_examples=300,
        )
        print(json.dumps([v.outcome.value, v.evidence.get("counterexample")], default=str))
        """
    )

    def run(imports: str, pin: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", code, imports, pin],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        ).stdout

    assert run("without", "unpinned") != run("with", "unpinned")
    pinned = [run("without", "pinned"), run("with", "pinned")]
    assert pinned[0] == pinned[1]


def test_report_html_module_is_not_a_paper():
    from theorems.core.discovery import paper_modules

    assert not any("report_html" in m for m in paper_modules())
    assert Path(theorems.__file__).parent.joinpath("report_html", "templates", "index.html.j2").is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_a_dask_nanny_malloc_trim_setting_is_undone_for_numpy_only_where_it_is_set():
    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which made numpy-heavy claims
    # 1.45x slower (median; 3.9x worst) there than in the local pool; a local run is left alone
    code = (
        "from theorems.core.executors import _undo_dask_malloc_trim as f; "
        "print(f(), f())"  # the second call is a no-op
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert plain.stdout.split() == ["False", "False"], plain.stderr
    dask_like = subprocess.run(
        [sys.executable, "-c", code],
        env=env | {"MALLOC_TRIM_THRESHOLD_": "65536"},
        capture_output=True,
        text=True,
    )
    import platform

    expected = "True" if platform.libc_ver()[0] == "glibc" else "False"
    assert dask_like.stdout.split() == [expected, "False"], dask_like.stderr
