"""``planex benchmark --external NAME``: check the learner on a public Chinese NER benchmark.

The run uses only the documented commands, in process (the CLI passes its ``main`` in), with the benchmark's own label
scheme file (``training/schemes/NAME.json``), so it is also the proof that a new label set
trains without code changes:

1. ``planex labels import --from conll`` for each split (BMES tags, one sentence per document);
2. ``planex train --dev DEV`` twice: from the in-house base, and with ``--init random`` (same
   architecture, same epochs and early stopping on the benchmark's dev split);
3. ``planex evaluate`` on the test split (seqeval, strict).

It writes ``REPORTS/external/NAME.json`` and ``NAME.md`` beside the published figures.
Work files (imported labels, models) go to ``runs/external/NAME/``; ``--resume`` reuses the
models already trained there.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planex import atomic
from planex.sources import ROOT

SCHEMES = Path(__file__).resolve().parent / "schemes"
SYSTEMS = {
    "in-house": [],
    "random-init": ["--init", "random"],
    "in-house+crf": ["--crf"],
    "random-init+crf": ["--init", "random", "--crf"],
}
TITLES = {
    "in_house": "in-house base",
    "random_init": "random init, same architecture",
    "in_house_crf": "in-house base + CRF (`--crf`)",
    "random_init_crf": "random init + CRF (`--crf`)",
}


def system_key(system: str) -> str:
    """The report's key of a system: ``in-house+crf`` → ``in_house_crf``."""
    return system.replace("-", "_").replace("+", "_")


@dataclass(frozen=True)
class Benchmark:
    folder: str
    splits: dict[str, str]  # split name -> file in the folder
    published: tuple[tuple[str, float], ...]  # test F1 (%) as tabulated in the FLAT paper (Li et al., ACL 2020)


BENCHMARKS = {
    "resume": Benchmark(
        "resume",
        {"train": "train.char.bmes", "dev": "dev.char.bmes", "test": "test.char.bmes"},
        (
            ("character BiLSTM-CRF, random init", 94.41),
            ("Lattice LSTM", 94.46),
            ("BERT-base (pretrained on Chinese Wikipedia)", 95.53),
        ),
    ),
}


def benchmark_files(name: str, benchmarks_dir: Path) -> dict[str, Path]:
    """The split files of benchmark ``name``; a clear error if they are not there."""
    if name not in BENCHMARKS:
        raise ValueError(f"--external {name}: unknown benchmark; choose one of {', '.join(BENCHMARKS)}")
    bench = BENCHMARKS[name]
    files = {split: benchmarks_dir / bench.folder / f for split, f in bench.splits.items()}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"--external {name}: {', '.join(missing)} not found; pass --benchmarks-dir, the folder holding "
            f"{bench.folder}/ (the project's copy: ../shared/benchmarks/ner, or benchmarks/ner under $PLANEX_SHARED; "
            "its README says where the files come from)"
        )
    return files


def _run(planex: Callable[[list[str]], int], argv: list[str]) -> None:
    print("$ planex " + " ".join(argv), flush=True)
    if planex(argv) != 0:
        raise ValueError(f"`planex {' '.join(argv)}` failed (see its messages above)")


def run_external(
    planex: Callable[[list[str]], int],
    name: str,
    benchmarks_dir: Path,
    base_model: str,
    train_options: list[str],
    systems: list[str],
    reports: Path,
    resume: bool = False,
    work: Path = Path("runs/external"),
    random_init_epochs: int = 0,
) -> dict[str, Any]:
    """Import, train each system, score test; write the reports and return the JSON report.

    ``planex`` runs one command line (the CLI's ``main``, which this package may not import).
    """
    from training.benchmark import machine

    # Paths as a user would type them from the project, so the report names no machine's folders.
    files = {split: Path(os.path.relpath(path)) for split, path in benchmark_files(name, benchmarks_dir).items()}
    scheme = os.path.relpath(SCHEMES / f"{name}.json")
    work = work / name
    labels = {split: work / "labels" / f"{split}.jsonl" for split in files}
    commands: list[str] = []
    for split, path in files.items():
        argv = ["labels", "import", "--from", "conll", str(path), "--out", str(labels[split]), "--scheme", scheme]
        _run(planex, argv)
        commands.append("planex " + " ".join(argv))
    report: dict[str, Any] = {
        "benchmark": name,
        "data": {split: str(p) for split, p in files.items()},
        "scheme": str((SCHEMES / f"{name}.json").relative_to(ROOT)),
        "reused_models": [],
        "base_model": base_model,
        "base_model_commit": _last_commit(base_model),
        "published_test_f1": dict(BENCHMARKS[name].published),
    }
    for system in systems:
        model = work / system
        argv = ["train", "--labels", str(labels["train"]), "--dev", str(labels["dev"]), "--scheme", scheme]
        argv += ["--base-model", base_model, "--out", str(model), *SYSTEMS[system], *train_options]
        if system.startswith("random-init") and random_init_epochs:
            argv.append(f"--epochs={random_init_epochs}")  # the last --epochs wins
        if resume and (model / "planex.json").is_file():
            print(f"--resume: reusing {model}", flush=True)
            report["reused_models"].append(system)
        else:
            _run(planex, argv)
        evaluate = ["evaluate", "--model", str(model), "--labels", str(labels["test"]), "--out", str(work)]
        _run(planex, evaluate)
        commands += ["planex " + " ".join(argv), "planex " + " ".join(evaluate)]
        report[system_key(system)] = _system_result(model, work / f"evaluate-{model.name}.json")
    report["machine"] = machine()
    report["commands"] = commands
    out = reports / "external"
    atomic.write_text(out / f"{name}.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    atomic.write_text(out / f"{name}.md", render(report))
    return report


def _system_result(model: Path, evaluation: Path) -> dict[str, Any]:
    meta = json.loads((model / "planex.json").read_text(encoding="utf-8"))
    scores = json.loads(evaluation.read_text(encoding="utf-8"))
    (setting,) = scores["results"].values()
    (result,) = setting.values()
    metrics = meta["metrics"]
    history = metrics.get("history", [])
    return {
        "test_micro_f1": round(result["micro"]["f1"], 4),
        "test_micro_precision": round(result["micro"]["precision"], 4),
        "test_micro_recall": round(result["micro"]["recall"], 4),
        "test_entities": result["micro"]["support"],
        "per_type": {k: _rounded(r) for k, r in result["per_label"].items()},
        "dev_micro_f1": round(metrics["dev_micro_f1"], 4),
        "best_epoch": metrics["best_epoch"],
        "epochs_run": len([h for h in history if isinstance(h.get("epoch"), int)]),
        "max_epochs": meta["training_args"]["epochs"],
        "stopped_early": len(history) < meta["training_args"]["epochs"],
        "train_s": metrics["train_seconds"],
        "dev_curve": [round(h["dev_micro_f1"], 4) for h in history if isinstance(h.get("epoch"), int)],
        "init": meta["init"],
        "model": str(model),
    }


def _rounded(scores: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()}


def _last_commit(path: str) -> str | None:
    """The commit that last changed a base model folder in this repository (None for a hub id)."""
    if not (ROOT / path).is_dir():
        return None
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%h %cs", "--", path], cwd=ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def render(report: dict[str, Any]) -> str:
    """The Markdown report: our runs beside the published figures, then per-type F1."""
    m = report["machine"]
    ours = [(k, report[k]) for k in TITLES if k in report]
    lines = [
        f"# External learner check: {report['benchmark']}",
        "",
        f"Test micro-F1, entity level (seqeval strict). Our runs: {m['date']}, commit {m['commit']}"
        f"{' (with uncommitted code)' if m['uncommitted_code'] else ''}, {m['cpu']}, {m['torch_threads']} torch "
        f"thread(s), GPU {m['gpu'] or 'none'}; base `{report['base_model']}` "
        f"(last changed {report['base_model_commit']}); "
        f"label scheme `{report['scheme']}`.",
        "",
        *(
            [
                f"Trained by an earlier run of the same command and reused here (--resume): "
                f"{', '.join(report['reused_models'])}; this run imported and scored them.",
                "",
            ]
            if report.get("reused_models")
            else []
        ),
        "| system | test F1 | P | R | dev F1 | epochs (best) | train minutes |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, r in ours:
        what = TITLES[key]
        lines.append(
            f"| planex, {what} | **{100 * r['test_micro_f1']:.2f}** | {100 * r['test_micro_precision']:.2f} | "
            f"{100 * r['test_micro_recall']:.2f} | {100 * r['dev_micro_f1']:.2f} | {r['epochs_run']} of "
            f"{r['max_epochs']} ({r['best_epoch']}) | {r['train_s'] / 60:.1f} |"
        )
    for system, f1 in report["published_test_f1"].items():
        lines.append(f"| published: {system} | {f1:.2f} | | | | | |")
    lines += ["", "Per type (test F1, support):", "", "| type | " + " | ".join(k for k, _ in ours) + " |"]
    lines.append("|---|" + "---|" * len(ours))
    for label in ours[0][1]["per_type"] if ours else []:
        cells = [f"{100 * r['per_type'][label]['f1']:.2f} ({r['per_type'][label]['support']})" for _, r in ours]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Commands (run by `planex benchmark --external`):", "", "```sh", *report["commands"], "```", ""]
    return "\n".join(lines)
