"""The site's data: JSON reports read into rows (the verdict table) and claims (one page each)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORTED_SCHEMA = 1


@dataclass
class Run:
    """One JSON report."""

    index: int
    path: str
    name: str
    profile: str
    seed: int
    seeds: list[int]
    created: str
    command: str
    summary: dict[str, Any]
    stability_summary: dict[str, Any] | None
    interrupted: bool
    total_seconds: float
    load_errors: list[dict[str, str]]

    @property
    def label(self) -> str:
        seeds = f"seeds {_seed_text(self.seeds)}" if len(self.seeds) > 1 else f"seed {self.seed}"
        return f"{self.name} ({self.profile}, {seeds})"


@dataclass
class ClaimRun:
    """A claim's entry in one run, with its stability over that run's seeds."""

    run: Run
    data: dict[str, Any]
    stability: dict[str, Any] | None

    @property
    def counterexample(self) -> dict[str, Any] | None:
        return self.data.get("evidence", {}).get("counterexample")


@dataclass
class ClaimPage:
    id: str
    page: str
    info: dict[str, Any]
    runs: list[ClaimRun] = field(default_factory=list)
    figures: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Row:
    """One line of the verdict table: a claim in one run."""

    claim: ClaimPage
    run: Run
    data: dict[str, Any]
    stability: str
    flaky: bool

    @property
    def variants_text(self) -> str:
        vs = self.data.get("false_variants", [])
        k = sum(v["verdict"] == "falsified" for v in vs)
        return f"{k}/{len(vs)}" if vs else "none"

    @property
    def expected_ok(self) -> bool:
        return bool(self.data.get("passed"))


@dataclass
class SiteModel:
    runs: list[Run]
    claims: list[ClaimPage]
    rows: list[Row]
    figure_sources: dict[str, Path] = field(default_factory=dict)

    @property
    def papers(self) -> list[str]:
        return sorted({r.data.get("paper", "") for r in self.rows})

    @property
    def statuses(self) -> list[str]:
        return sorted({r.data.get("status", "") for r in self.rows})

    @property
    def verdicts(self) -> list[str]:
        order = ["holds", "falsified", "inconclusive", "error"]
        return [v for v in order if any(r.data.get("verdict") == v for r in self.rows)]

    def copy_figures(self, outdir: Path) -> None:
        for name, src in self.figure_sources.items():
            outdir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, outdir / name)


def _seed_text(seeds: list[int]) -> str:
    if seeds and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(map(str, seeds))


def _page_name(claim_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", claim_id) + ".html"


def stability_text(entry: dict[str, Any] | None) -> tuple[str, bool]:
    if not entry:
        return "", False
    n = entry.get("seeds_run", 0)
    counts = {k: c for k, c in entry.get("verdicts", {}).items() if c}
    flaky = bool(entry.get("flaky"))
    text = (
        f"{n}/{n} {next(iter(counts))}"
        if entry.get("stable") and counts
        else ", ".join(f"{c} {k}" for k, c in counts.items())
    )
    bad = [vid.split(":")[-1] for vid, v in entry.get("false_variants", {}).items() if not v["stable"]]
    if bad:
        text += "; variants: " + ", ".join(bad)
    return ("flaky: " + text if flaky else text), flaky


def load_reports(paths: list[str]) -> SiteModel:
    """Read the JSON reports; a missing or malformed one is a ValueError naming the file."""
    if not paths:
        raise ValueError("no report given")
    runs: list[Run] = []
    pages: dict[str, ClaimPage] = {}
    rows: list[Row] = []
    figure_sources: dict[str, Path] = {}
    names = [Path(p).name for p in paths]
    for i, p in enumerate(paths):
        path = Path(p)
        if not path.is_file():
            raise ValueError(f"no such report: {p}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{p} is not a JSON report: {exc}") from None
        if not isinstance(data, dict) or "claims" not in data:
            raise ValueError(f"{p} is not a theorems JSON report (no 'claims')")
        if data.get("schema_version") != SUPPORTED_SCHEMA:
            raise ValueError(
                f"{p}: schema_version {data.get('schema_version')!r}, this version reads {SUPPORTED_SCHEMA}"
            )
        stab = data.get("stability") or {}
        name = names[i] if names.count(names[i]) == 1 else str(path)
        run = Run(
            index=i,
            path=str(path),
            name=name,
            profile=str(data.get("profile", "")),
            seed=int(data.get("seed", 0)),
            seeds=list(stab.get("seeds") or [data.get("seed", 0)]),
            created=str(data.get("created", "")),
            command=" ".join(data.get("command", [])),
            summary=data.get("summary", {}),
            stability_summary=stab.get("summary"),
            interrupted=bool(data.get("interrupted")),
            total_seconds=float(data.get("total_seconds", 0.0)),
            load_errors=list(data.get("load_errors", [])),
        )
        runs.append(run)
        for c in data["claims"]:
            cid = c["id"]
            page = pages.get(cid)
            if page is None:
                page = pages[cid] = ClaimPage(cid, _page_name(cid), {})
            for key in ("statement", "citation", "assumptions", "closed_form", "method", "tolerance"):
                if c.get(key) and key not in page.info:
                    page.info[key] = c[key]
            page.info.setdefault("paper", c.get("paper", ""))
            page.info.setdefault("status", c.get("status", ""))
            page.info.setdefault("kind", c.get("kind", ""))
            entry = (stab.get("claims") or {}).get(cid)
            page.runs.append(ClaimRun(run, c, entry))
            for fig in c.get("figures", []):
                _add_figure(page, fig, path.parent, figure_sources)
            text, flaky = stability_text(entry)
            rows.append(Row(page, run, c, text, flaky))
    claims = sorted(pages.values(), key=lambda c: c.id)
    return SiteModel(runs, claims, rows, figure_sources)


def _add_figure(page: ClaimPage, fig: str, base: Path, sources: dict[str, Path]) -> None:
    if fig.startswith("error:"):
        page.figures.append({"path": fig, "href": "", "kind": "error"})
        return
    candidates = [Path(fig)] if Path(fig).is_absolute() else [base / fig, Path.cwd() / fig]
    src = next((c for c in candidates if c.is_file()), None)
    if any(f["path"] == fig for f in page.figures):
        return
    if src is None:
        page.figures.append({"path": fig, "href": "", "kind": "missing"})
        return
    name = f"{len(sources)}-{src.name}"
    sources[name] = src
    kind = "image" if src.suffix.lower() in (".png", ".svg", ".jpg", ".jpeg") else "file"
    page.figures.append({"path": fig, "href": f"figures/{name}", "kind": kind})
