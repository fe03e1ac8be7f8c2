"""Pretraining runs on tiny inputs: exact resume, the time budget, mixed and gzipped sources, evaluation."""

from __future__ import annotations

import gzip
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import torch

TINY: dict[str, Any] = {
    "layers": 1,
    "hidden": 32,
    "heads": 2,
    "seq_len": 32,
    "batch_size": 4,
    "max_steps": 8,
    "eval_every": 2,
    "checkpoint_every": 3,
    "heldout": 0.3,
    "min_freq": 1,
}


def _texts(root: Path) -> tuple[Path, Path]:
    """Two sources: a folder of seed slices and a gzipped JSONL of other slices."""
    seeds = sorted(Path("seeds").glob("*.txt"))
    folder = root / "plans"
    folder.mkdir()
    for p in seeds[:2]:
        (folder / p.name).write_text(p.read_text(encoding="utf-8")[:2500], encoding="utf-8")
    records = [{"id": f"r{i}", "text": p.read_text(encoding="utf-8")[3000:4500]} for i, p in enumerate(seeds)]
    gz = root / "other.jsonl.gz"
    gz.write_bytes(gzip.compress("\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()))
    return folder, gz


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def _history(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in h.items() if k != "elapsed_s"} for h in metrics["history"]]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from training.pretrain import PretrainConfig, pretrain

    root = tmp_path_factory.mktemp("pre")
    plans, other = _texts(root)
    cfg = PretrainConfig(inputs=[plans, other], mix=[3, 1], out=root / "run", **TINY)
    return root, pretrain(cfg)


@pytest.mark.parametrize("how", ["signal", "crash"])
def test_pretrain_resume_matches_an_uninterrupted_run(
    uninterrupted: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Stopped at step 5 (SIGTERM: checkpoint at 5; a crash: last checkpoint at 3), then resumed:
    the same losses, accuracies and weights, bit for bit, as the run that was never stopped."""
    import training.pretrain as pre
    from training.pretrain import Interrupted, PretrainConfig, pretrain

    root, expected = uninterrupted
    cfg = PretrainConfig(inputs=[root / "plans", root / "other.jsonl.gz"], mix=[3, 1], out=tmp_path / "run", **TINY)
    real_loss, calls = pre._masked_loss, [0]

    def stop_at_five(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        calls[0] += 1
        if calls[0] == 5:
            if how == "crash":
                raise RuntimeError("power cut")
            os.kill(os.getpid(), signal.SIGTERM)
        return real_loss(model, batch)

    monkeypatch.setattr(pre, "_masked_loss", stop_at_five)
    with pytest.raises(Interrupted if how == "signal" else RuntimeError):
        pretrain(cfg)
    state = json.loads((cfg.out / "checkpoint" / "trainer_state.json").read_text())
    assert state["step"] == (5 if how == "signal" else 3)
    assert not (cfg.out / "model").exists()
    monkeypatch.setattr(pre, "_masked_loss", real_loss)
    cfg.resume = True
    resumed = pretrain(cfg)
    assert _history(resumed) == _history(expected)
    want, got = _weights(root / "run" / "model"), _weights(cfg.out / "model")
    assert want.keys() == got.keys()
    assert all(torch.equal(want[k], got[k]) for k in want)


def test_pretrain_mix_weights_sources_and_reports_each(uninterrupted: tuple[Path, dict[str, Any]]) -> None:
    from training.pretrain_data import Sources

    root, metrics = uninterrupted
    plans, other = (str(root / "plans"), str(root / "other.jsonl.gz"))
    assert [s["input"] for s in metrics["sources"]] == [plans, other]
    assert [s["share"] for s in metrics["sources"]] == [0.75, 0.25]
    assert set(metrics["history"][-1]["heldout_by_input"]) == {plans, other}
    assert metrics["sources"][1]["documents"] == len(list(Path("seeds").glob("*.txt")))  # read from the .gz
    sources = Sources.from_file(root / "run" / "data.pt")
    picks = sources.sample(20000, torch.Generator().manual_seed(1))
    from_plans = (picks < metrics["sources"][0]["train_sequences"]).float().mean()
    assert 0.72 < from_plans < 0.78  # sequences come from each source at its --mix share, whatever its size
    card = (root / "run" / "model" / "README.md").read_text(encoding="utf-8")
    assert f"| `{other}` | {len(list(Path('seeds').glob('*.txt')))} |" in card


def test_pretrain_max_minutes_stops_within_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The schedule is fitted to --max-minutes from the measured speed; when the machine then slows
    down, the run still stops at the first step past the budget, and its resumption runs nothing."""
    import training.pretrain as pre
    from training.pretrain import PretrainConfig, pretrain

    plans, _ = _texts(tmp_path)
    now = [0.0]

    def clock() -> float:  # 1 s a step, then 20 s a step from the 50th reading on (a busy machine)
        now[0] += 1.0 if now[0] < 50 else 20.0
        return now[0]

    monkeypatch.setattr(pre, "_clock", clock)
    opts = {**TINY, "max_steps": 10_000, "eval_every": 10_000, "checkpoint_every": 10_000}
    cfg = PretrainConfig(inputs=[plans], out=tmp_path / "run", max_minutes=1, **opts)
    metrics = pretrain(cfg)
    last = metrics["history"][-1]
    assert last["step"] == metrics["steps"] < 55  # fitted to about 58 steps, stopped by the clock, evaluated
    assert 60 <= last["elapsed_s"] < 60 + 20  # at the first step past the 60 s budget
    resumed = pretrain(PretrainConfig(inputs=[plans], out=tmp_path / "run", max_minutes=1, resume=True, **opts))
    assert resumed["steps"] == metrics["steps"]


def test_pretrain_schedule_follows_a_changing_speed() -> None:
    from training.pretrain import _fit_to_budget
    from training.pretrain_config import PretrainConfig

    cfg = PretrainConfig(inputs=[Path("x")], out=Path("y"), max_minutes=100, max_steps=10**6)
    state = {"step": 3, "total_steps": 10**6, "fit_from": None, "fitted": False}
    _fit_to_budget(cfg, state, 10.0)
    state["step"] = 60
    _fit_to_budget(cfg, state, 10.0 + 57 * 2)  # 2 s a step
    assert state["total_steps"] == 60 + int((6000 - 124) / 2 * 0.97)
    warm = state["warmup_steps"]
    state["step"] = 100
    _fit_to_budget(cfg, state, 124 + 40 * 10)  # then 10 s a step, over more than 5% of the budget
    assert state["total_steps"] == 100 + int((6000 - 524) / 10 * 0.97)
    assert state["warmup_steps"] == warm  # the warm-up is not reopened
    state["step"] = 101
    _fit_to_budget(cfg, state, 6000.0)
    assert state["total_steps"] == 101  # out of time: stop now


def test_pretrain_wwm_masks_whole_words() -> None:
    from tests.conftest import seed_tokenizer
    from training.pretrain_data import mask_chars, rows_of

    tok = seed_tokenizer()
    text = sorted(Path("seeds").glob("*.txt"))[0].read_text(encoding="utf-8")[:3000]
    rows, words = rows_of([text], tok, 64, True, "§")
    assert words is not None and rows.shape == words.shape
    batch = mask_chars(rows, tok, 0.15, torch.Generator().manual_seed(0), words)
    chosen = batch["labels"] != -100
    ordinary = ~torch.isin(rows.long(), torch.tensor(tok.all_special_ids))
    assert 0.1 < chosen.sum() / ordinary.sum() < 0.2
    # every word is predicted whole or not at all
    for r in range(len(rows)):
        for w in words[r][ordinary[r]].unique():
            where = ordinary[r] & (words[r] == w)
            assert chosen[r][where].all() or not chosen[r][where].any()
    multi = [(words[r][ordinary[r]] == w).sum() > 1 for r in range(len(rows)) for w in words[r][ordinary[r]].unique()]
    assert sum(multi) > 20  # jieba found many words of two or more characters


def test_pretrain_exclude_ids_and_eval_command(tmp_path: Path, uninterrupted: tuple[Path, dict[str, Any]]) -> None:
    from planex_cli.main import main
    from training.pretrain_data import read_source

    root, _ = uninterrupted
    gz = root / "other.jsonl.gz"
    assert len(read_source(gz, exclude_ids=frozenset({"r0", "r1"}))) == len(read_source(gz)) - 2
    ids = tmp_path / "ids.txt"
    ids.write_text("r0\nr1\n")
    out = tmp_path / "eval.json"
    assert main(["pretrain-eval", str(root / "run" / "model"), str(gz), "--ids", str(ids), "--out", str(out)]) == 0
    (result,) = json.loads(out.read_text())["results"]
    assert result["documents"] == 2 and 0 <= result["masked_accuracy"] <= 1
    assert main(["pretrain-eval", str(root / "run" / "model"), str(gz), "--heldout", "0.3"]) == 0
