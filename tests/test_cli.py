"""The CLI's exit codes, reports and error paths; adding a claim in one file; reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import theorems
from theorems.cli import main
from theorems.core.claims import REGISTRY

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "my_conjectures.py"


@pytest.fixture(autouse=True)
def _clean_registry():
    """Claims loaded from users' files during a test are removed afterwards."""
    theorems.registry()
    before = set(REGISTRY.ids())
    yield
    for cid in set(REGISTRY.ids()) - before:
        REGISTRY.remove(cid)


def _write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return p


TOY = """
from hypothesis import strategies as st
from theorems import Check, Citation, claim

P = Citation(authors="T. Ester", year=2026, title="Toys")

@claim(id="toy{n}.square_nonneg", paper=P, status="derived", kind="lower_bound",
       statement="$x^2 \\\\ge 0$", strategy=st.fixed_dictionaries({{"x": st.floats(-10, 10)}}))
def square_nonneg(inst, ctx):
    return Check.lower(inst["x"] ** 2, 0.0)

@square_nonneg.false_variant("cube", "x^3 >= 0")
def _(inst, ctx):
    return Check.lower(inst["x"] ** 3, 0.0)

@claim(id="toy{n}.wrong", paper=P, status="conjecture", kind="upper_bound",
       statement="$x \\\\le 3$ for every x", strategy=st.fixed_dictionaries({{"x": st.floats(-10, 10)}}))
def wrong(inst, ctx):
    return Check.upper(inst["x"], 3.0)

@claim(id="toy{n}.raises", paper=P, status="conjecture", kind="equality",
       statement="raises for x > 1", strategy=st.fixed_dictionaries({{"x": st.floats(-10, 10)}}))
def raises(inst, ctx):
    if inst["x"] > 1:
        raise ZeroDivisionError("user bug at x > 1")
    return Check.close(1.0, 1.0)
"""


def test_falsify_reports_a_shrunk_counterexample_and_errors(tmp_path, capsys):
    f = _write(tmp_path, "conj.py", TOY.format(n=1))
    report = tmp_path / "r.json"
    code = main(["falsify", str(f), "--json", str(report), "--quiet"])
    assert code == 1  # a counterexample (and an error) was found
    data = json.loads(report.read_text())
    by_id = {c["id"]: c for c in data["claims"]}
    assert by_id["toy1.square_nonneg"]["verdict"] == "holds"
    assert by_id["toy1.square_nonneg"]["false_variants"][0]["verdict"] == "falsified"
    wrong = by_id["toy1.wrong"]
    assert wrong["verdict"] == "falsified"
    # hypothesis shrinks x > 3 to a simple float just above the bound
    x = wrong["evidence"]["counterexample"]["instance"]["x"]
    assert 3.0 < x <= 4.0
    assert "theorems.replay('toy1.wrong'" in wrong["evidence"]["replay"]["call"]
    err = by_id["toy1.raises"]
    assert err["verdict"] == "error" and "ZeroDivisionError" in err["reason"]
    assert "user bug at x > 1" in err["evidence"]["traceback"]
    assert "conj.py" in err["evidence"]["traceback"]  # the user's frame, not only ours
    assert err["evidence"]["error_instance"]["x"] > 1


def test_a_new_claim_in_one_file_is_verified_without_touching_other_files(tmp_path):
    f = _write(tmp_path, "new_claim.py", TOY.format(n=2))
    loaded = theorems.core.discovery.load_file(f)
    assert loaded.error is None
    assert [c.id for c in loaded.claims] == ["toy2.raises", "toy2.square_nonneg", "toy2.wrong"]
    result = theorems.verify("toy2.square_nonneg")
    assert result.passed and result.verdict.outcome.value == "holds"
    # replaying the variant's counterexample reproduces the violation
    ce = result.false_variants[0].evidence["counterexample"]["instance"]
    assert theorems.replay("toy2.square_nonneg:cube", ce).ok is False


def test_conjecture_file_that_fails_to_import_is_an_error_not_a_crash(tmp_path, capsys):
    f = _write(tmp_path, "broken.py", "import numpy as np\nraise RuntimeError('my import bug')\n")
    report = tmp_path / "r.json"
    code = main(["falsify", str(f), "--json", str(report), "--quiet"])
    assert code == 1
    data = json.loads(report.read_text())
    assert "my import bug" in data["load_errors"][0]["traceback"]
    assert "my import bug" in capsys.readouterr().err


def test_usage_errors_exit_2_with_one_line(capsys):
    assert main(["verify", "engine.em_strng_order"]) == 2
    err = capsys.readouterr().err
    assert "nearest: engine.em_strong_order" in err and len(err.strip().splitlines()) == 1
    assert main(["verify", "--profile", "fast"]) == 2
    assert main(["verify", "--jobs", "0"]) == 2
    assert main(["verify", "--seed", "-3"]) == 2
    assert main(["show", "nope.nothing"]) == 2
    assert main([]) == 2
    assert main(["falsify", "/no/such/file.py"]) == 2
    assert main(["bogus"]) == 2


def test_verify_writes_json_and_junit_and_same_seed_same_report(tmp_path):
    j1, j2, x = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "r.xml"
    assert main(["verify", "engine.gd_min_norm", "--json", str(j1), "--junit", str(x), "--quiet"]) == 0
    assert main(["verify", "engine.gd_min_norm", "--json", str(j2), "--quiet"]) == 0
    a, b = json.loads(j1.read_text()), json.loads(j2.read_text())
    for key in (
        "schema_version",
        "seed",
        "profile",
        "versions",
        "summary",
        "claims",
        "total_seconds",
        "interrupted",
    ):
        assert key in a
    assert {"numpy", "scipy", "sympy", "hypothesis"} <= set(a["versions"])
    c = a["claims"][0]
    for key in (
        "id",
        "paper",
        "status",
        "kind",
        "verdict",
        "evidence",
        "seconds",
        "false_variants",
    ):
        assert key in c
    assert {"id", "verdict"} <= set(c["false_variants"][0])

    def strip(rep):
        return [
            {k: v for k, v in cl.items() if k != "seconds"}
            | {
                "false_variants": [
                    {k: v for k, v in fv.items() if k != "seconds"} for fv in cl["false_variants"]
                ]
            }
            for cl in rep["claims"]
        ]

    assert strip(a) == strip(b)
    cases = ET.parse(x).getroot().findall(".//testcase")
    assert {tc.get("name") for tc in cases} == {"engine.gd_min_norm", "engine.gd_min_norm:any_init"}


def test_verify_exits_1_when_a_claim_fails(tmp_path):
    f = _write(
        tmp_path,
        "failing.py",
        """
        from hypothesis import strategies as st
        from theorems import Check, Citation, claim
        P = Citation(authors="T. Ester", year=2026, title="Toys")
        @claim(id="toy3.false_theorem", paper=P, status="theorem", kind="upper_bound",
               statement="x <= 0", strategy=st.fixed_dictionaries({"x": st.floats(0, 1)}))
        def c(inst, ctx):
            return Check.upper(inst["x"], 0.5)
        @c.false_variant("same", "same")
        def _(inst, ctx):
            return Check.upper(inst["x"], 0.5)
    """,
    )
    theorems.core.discovery.load_file(f)
    assert main(["verify", "toy3", "--json", "-", "--quiet"]) == 1


def test_interrupt_writes_the_partial_report(tmp_path):
    f = _write(
        tmp_path,
        "interrupt.py",
        """
        from hypothesis import strategies as st
        from theorems import Check, Citation, claim
        P = Citation(authors="T. Ester", year=2026, title="Toys")
        @claim(id="toy4.a_first", paper=P, status="derived", kind="equality", statement="ok")
        def a(inst, ctx):
            return Check.close(1.0, 1.0)
        @claim(id="toy4.b_second", paper=P, status="derived", kind="equality", statement="^C")
        def b(inst, ctx):
            raise KeyboardInterrupt
    """,
    )
    report = tmp_path / "partial.json"
    assert main(["falsify", str(f), "--json", str(report), "--quiet", "--jobs", "1"]) == 130
    data = json.loads(report.read_text())
    assert data["interrupted"] is True
    assert [c["id"] for c in data["claims"]] == ["toy4.a_first"]


def test_parallel_jobs_give_the_same_verdicts(tmp_path):
    f = _write(tmp_path, "par.py", TOY.format(n=5))
    j1, j2 = tmp_path / "1.json", tmp_path / "2.json"
    main(["falsify", str(f), "--json", str(j1), "--quiet"])
    main(["falsify", str(f), "--json", str(j2), "--quiet", "--jobs", "2"])
    v1 = {
        c["id"]: (c["verdict"], c["evidence"].get("counterexample"))
        for c in json.loads(j1.read_text())["claims"]
    }
    v2 = {
        c["id"]: (c["verdict"], c["evidence"].get("counterexample"))
        for c in json.loads(j2.read_text())["claims"]
    }
    assert v1 == v2


def test_list_show_and_docs(tmp_path, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "engine.em_strong_order" in out
    assert main(["show", "engine.em_strong_order"]) == 0
    out = capsys.readouterr().out
    assert "Kloeden" in out and "False variants" in out and "order_one" in out
    assert main(["docs", str(tmp_path / "claims")]) == 0
    page = (tmp_path / "claims" / "engine.em_strong_order.md").read_text()
    assert "## Statement" in page and "engine.em_strong_order:order_one" in page


def test_example_conjectures_from_the_tutorial(tmp_path):
    report = tmp_path / "t.json"
    assert main(["falsify", str(EXAMPLES), "--json", str(report), "--quiet"]) == 1
    data = {c["id"]: c for c in json.loads(report.read_text())["claims"]}
    assert data["mine.gd_finds_min_l1"]["verdict"] == "falsified"
    assert data["mine.min_norm_beats_l1_in_l2"]["verdict"] == "holds"


def test_console_script_is_installed():
    out = subprocess.run(
        [sys.executable, "-m", "theorems.cli", "verify", "--profile", "x"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_pytest_plugin_fixture(theorems_oracle):
    result = theorems_oracle.verify("engine.gd_min_norm")
    assert result.passed


def test_committed_claim_pages_match_the_claim_records(tmp_path):
    """docs/claims is generated; regenerate with `theorems docs docs/claims` when a claim changes."""
    from theorems.core.docs_gen import write_claim_pages

    committed = Path(__file__).resolve().parent.parent / "docs" / "claims"
    write_claim_pages(tmp_path)
    fresh = {p.name: p.read_text() for p in tmp_path.glob("*.md")}
    old = {p.name: p.read_text() for p in committed.glob("*.md")}
    stale = sorted(n for n in fresh.keys() | old.keys() if fresh.get(n) != old.get(n))
    assert not stale, f"stale pages (run `theorems docs docs/claims`): {stale[:5]}"
