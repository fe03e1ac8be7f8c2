"""Batched extraction, int8 precision and `planex speed`: the same spans however windows are batched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from planex.inference import Extractor, WindowConfig
from planex.modelio import LoadedModel, load_model
from planex.precision import with_precision
from planex_cli.main import main


def _spans(extractor: Extractor, raws: list[str]) -> list[list[tuple[str, int, int, float]]]:
    return [[(e.label, e.start, e.end, e.score) for e in ents] for _, ents in extractor.extract(raws)]


@pytest.mark.parametrize("hints", [False, True])
def test_speed_batched_extraction_equals_one_text_at_a_time(
    tiny_model_dir: Path, hinted: LoadedModel, seed_texts: dict[str, str], hints: bool
) -> None:
    """Windows of several texts share batches, sorted by length: every text gets the spans it gets alone."""
    loaded = hinted if hints else load_model(tiny_model_dir)
    seed = seed_texts["002_09fd2415f66b5df1"]
    raws = [seed[:700], "（一）加强数据管理。（牵头单位：市大数据局）", "", seed[1500:1520], seed[2000:2400]]
    alone = Extractor(loaded, WindowConfig(max_tokens=32, stride=20, batch_size=1))
    together = Extractor(loaded, WindowConfig(max_tokens=32, stride=20, batch_size=7))
    one_by_one = [_spans(alone, [r])[0] for r in raws]
    batched = _spans(together, raws)
    assert sum(map(len, one_by_one)) > 10  # the random model predicts spans, so the comparison means something
    for a, b in zip(one_by_one, batched, strict=True):
        assert [s[:3] for s in a] == [s[:3] for s in b]
        assert [s[3] for s in a] == pytest.approx([s[3] for s in b], abs=2e-4)


def test_speed_int8_quantises_linear_layers_and_keeps_offsets(tiny_model_dir: Path, seed_texts: dict[str, str]) -> None:
    loaded = load_model(tiny_model_dir)
    assert with_precision(loaded, "fp32") is loaded
    q = with_precision(loaded, "int8")
    assert type(q.model.classifier).__module__.startswith("torch.ao.nn.quantized")
    assert type(loaded.model.classifier) is torch.nn.Linear  # the fp32 model is left as it was
    raw = seed_texts["003_73a913652c5a0285"][:2000]
    _, entities = Extractor(q, WindowConfig(max_tokens=32, stride=20)).extract([raw])[0]
    assert entities
    assert all(raw[e.start : e.end] == e.text for e in entities)
    with pytest.raises(ValueError, match="precision must be one of fp32, int8"):
        with_precision(loaded, "fp16")


def test_speed_json_reports_ratios_and_falls_back_to_seeds(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["speed", "--model", str(tiny_model_dir), "--quick", "--repeats", "1", "--json"]
    argv += ["--corpus", str(tmp_path / "absent.jsonl"), "--reports", str(tmp_path)]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)  # stdout holds one JSON object and nothing else
    assert report["ratio_vs_hf_pipeline"] > 0 and report["ratio_vs_bare_forward"] > 0
    assert report["ratio_vs_hf_pipeline_cpu"] > 0 and report["ratio_vs_bare_forward_cpu"] > 0
    assert all(len(v["cpu_seconds"]) == 1 and v["cpu_seconds_median"] > 0 for v in report["results"].values())
    assert "absent: seeds only" in report["note"]
    assert {"planex", "hf_pipeline", "bare_forward", "planex fp32"} <= set(report["results"])
    # planex runs as served, ONNX Runtime int8; torch's int8 is timed beside it, also on both cores.
    assert report["results"]["planex"]["precision"] == "onnx-int8"
    assert {"planex int8", "bare_forward int8", "planex int8 forward_threads=2"} <= set(report["results"])
    assert set(report["results"]["planex"]["stages_median_s"]) >= {"normalise", "forward", "decode", "task table"}
    assert report["machine"]["cores"] and report["load_average"]["before"]
    assert json.loads((tmp_path / "speed.json").read_text(encoding="utf-8")) == report
    md = (tmp_path / "speed.md").read_text(encoding="utf-8")
    assert "planex ÷ HF pipeline" in md and "In CPU time" in md and "| CPU s (median) |" in md
