"""The model spec (planex.json) and the one window rule every caller uses."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from planex.modelio import ModelLoadError, load_model
from planex.modelspec import ModelSpec, WindowConfig, read_spec, spec_from_json, spec_to_json, window_config
from planex.scheme import load_scheme

ROOT = Path(__file__).resolve().parent.parent


def _spec_json(**fields: object) -> dict[str, object]:
    scheme = load_scheme()
    return {"scheme": scheme.to_dict(), "scheme_hash": scheme.hash, **fields}


def test_modelspec_round_trips_and_keeps_provenance(tmp_path: Path) -> None:
    spec = ModelSpec(
        load_scheme(),
        "m",
        "v1",
        max_length=128,
        line_marker="§",
        rule_hints=("TASK", "DEADLINE"),
        rules_fingerprint="abc",
        single_token_labels=(),
        info={"base_model": "b", "metrics": {"best_epoch": 3}},
    )
    data = spec_to_json(spec)
    assert data["stride"] == 94 and data["metrics"] == {"best_epoch": 3}
    again = spec_from_json(json.loads(json.dumps(data)), tmp_path)
    assert again == spec and again.info == spec.info


def test_modelspec_committed_default_model_loads_with_its_windows() -> None:
    # Written before the spec existed (its planex.json says stride 96, which no reader ever used).
    spec = read_spec(ROOT / "models" / "default")
    assert (spec.max_length, spec.line_marker, spec.single_token_labels) == (128, "§", ())
    assert window_config(spec) == WindowConfig(max_tokens=128, stride=94, batch_size=8)


def test_modelspec_old_folder_without_fields_gets_the_served_defaults(tmp_path: Path) -> None:
    spec = spec_from_json(_spec_json(name="old"), tmp_path)
    assert (spec.max_length, spec.line_marker, spec.rule_hints, spec.single_token_labels) == (512, None, None, None)
    assert window_config(spec) == WindowConfig(max_tokens=256, stride=190)  # capped, as the server always did
    assert spec_from_json(_spec_json(rule_hints=[]), tmp_path).rule_hints is None  # [] meant no hints too


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rule_hints": "TASK"}, "rule_hints must be a list of label names"),
        ({"single_token_labels": [1]}, "single_token_labels must be a list"),
        ({"max_length": "128"}, "max_length must be a whole number"),
        ({"line_marker": "§§"}, "line_marker must be one character"),
    ],
)
def test_modelspec_bad_fields_are_refused_by_name(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    with pytest.raises(ModelLoadError, match=message):
        spec_from_json(_spec_json(**fields), tmp_path)


def test_dev_score_windows_are_the_served_windows(tiny_model_dir: Path) -> None:
    """The bug this fixed: dev F1 (early stopping, benchmark folds) decoded with TrainConfig.stride (96 for
    128-token windows) while the server and `planex evaluate` used the quarter-overlap rule (94)."""
    from serving.reload import served_windows
    from serving.settings import Settings
    from training.config import TrainConfig
    from training.devscore import extractor_for, model_spec

    loaded = load_model(tiny_model_dir)
    for max_tokens in (64, 128, 512):
        cfg = TrainConfig(labels=[Path("labels")], base_model="m", max_tokens=max_tokens)
        dev = extractor_for(loaded.model, loaded.tokenizer, loaded.scheme, cfg, [])
        served = replace(loaded, spec=model_spec(cfg, loaded.scheme, []))
        assert dev.config == served_windows(served, Settings())
    assert dev.config.max_tokens == 256 and dev.config.stride == 190
