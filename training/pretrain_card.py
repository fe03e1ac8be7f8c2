"""The model folder a pretraining run writes: weights, tokenizer, options, metrics and its card."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transformers import BertForMaskedLM, PreTrainedTokenizerBase

from planex import atomic

if TYPE_CHECKING:
    from training.pretrain_config import PretrainConfig


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "cpu"


def save_final(
    cfg: PretrainConfig, model: BertForMaskedLM, tokenizer: PreTrainedTokenizerBase, metrics: dict[str, Any]
) -> None:
    """Write the model folder atomically: weights, tokenizer, config, metrics and a model card."""
    with atomic.directory(cfg.out / "model") as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        options = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()}
        options["inputs"] = [str(p) for p in cfg.inputs]
        (tmp / "pretrain_config.json").write_text(json.dumps(options, indent=2, ensure_ascii=False))
        (tmp / "pretrain_metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
        (tmp / "README.md").write_text(model_card(cfg, metrics), encoding="utf-8")


def _selected(m: dict[str, Any]) -> str:
    step = m.get("selected_step", m["steps"])
    if step == m["steps"]:
        return f"the last step's ({step})"
    return f"step {step}'s, the best held-out evaluation of the first input (training ran to step {m['steps']})"


def _corpus_rows(m: dict[str, Any]) -> str:
    lines = [
        "| input | documents | characters | share of training sequences | held-out characters | "
        "held-out masked-token accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for s in m["sources"]:
        acc = m.get("heldout_by_input", {}).get(s["input"])
        shown = "n/a" if acc is None or acc != acc else f"{acc:.3f}"
        lines.append(
            f"| `{s['input']}` | {s['documents']:,} | {s['characters']:,} | {s['share']:.0%} | "
            f"{s['heldout_characters']:,} | {shown} |"
        )
    return "\n".join(lines)


def model_card(cfg: PretrainConfig, m: dict[str, Any]) -> str:
    acc = m["heldout_masked_accuracy"]
    start = f"`{cfg.init_from}`, trained further with a new schedule" if cfg.init_from else "random weights"
    threads = f"{m['torch_threads']} thread" + ("" if m["torch_threads"] == 1 else "s")
    return f"""# planex character BERT base ({m["layers"]} layers, hidden {m["hidden"]})

A small BERT pretrained with masked-language modelling by `planex pretrain`,
as the offline base for planex's token classifier. It reads simplified Chinese
normalised by `planex.normalise` (one token per character).

| | |
|---|---|
| architecture | BERT, {m["layers"]} layers, hidden {m["hidden"]}, {m["heads"]} heads, {m["parameters"]:,} parameters |
| vocabulary | {m["vocab_size"]:,} characters (GB2312 + ASCII + characters seen ≥ {cfg.min_freq}×) |
| corpus | {m["documents"]} documents, {m["characters"]:,} characters (table below) |
| held out | {m["heldout_characters"]:,} characters (whole documents, {cfg.heldout:.0%} of each input, \
at most {cfg.heldout_cap:,} characters each) |
| masking | {cfg.masking}, {cfg.mask_prob:.0%} of tokens |
| line breaks | {f"seen as `{cfg.line_marker}` (masked like any character)" if cfg.line_marker else "dropped"} |
| training | {m["steps"]} steps × {cfg.batch_size} sequences × {cfg.seq_len} tokens, peak lr {cfg.lr} |
| weights | {_selected(m)} |
| started from | {start} |
| time | {m["train_seconds"] / 60:.1f} minutes on {m["device"]} ({m["device_name"]}, {threads}) |
| **held-out masked-token accuracy** | **{acc:.3f}** (first input, character masking, 15%) |

{_corpus_rows(m)}

The accuracy is measured, by the command that made this folder, on each input's held-out
documents only. A randomly initialised model scores about 1/{m["vocab_size"]}.

Load it offline: `AutoModelForMaskedLM.from_pretrained("<this folder>")`; fine-tune it with
`planex train --base-model <this folder>`.
"""
