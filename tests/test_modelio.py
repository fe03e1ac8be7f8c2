"""Model folders: a good one loads; incomplete, unsafe or mismatched ones are refused with a reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from planex.modelio import ModelLoadError, load_model, resolve_base
from planex.scheme import parse_scheme


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "m"
    shutil.copytree(src, dst)
    return dst


def test_modelio_loads_tiny_model(tiny_model_dir: Path) -> None:
    loaded = load_model(tiny_model_dir)
    assert loaded.scheme.names == ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR")
    assert loaded.model.config.id2label[1] == "B-TASK"
    assert loaded.version == "test-0"


def test_modelio_missing_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"nope does not exist; train one"):
        load_model(tmp_path / "nope")


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("planex.json", "planex.json is missing"),
        ("model.safetensors", "safetensors only"),
        ("config.json", "config.json is missing"),
    ],
)
def test_modelio_incomplete_folder_refused(tiny_model_dir: Path, tmp_path: Path, remove: str, message: str) -> None:
    m = _copy(tiny_model_dir, tmp_path)
    (m / remove).unlink()
    with pytest.raises(ModelLoadError, match=message):
        load_model(m)


def test_modelio_corrupt_weights_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    m = _copy(tiny_model_dir, tmp_path)
    (m / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="weights cannot be loaded"):
        load_model(m)


def test_modelio_weights_missing_a_tensor_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    # A readable file that lacks the classifier would otherwise load with a random head and serve noise.
    from safetensors.torch import load_file, save_file

    m = _copy(tiny_model_dir, tmp_path)
    weights = load_file(m / "model.safetensors")
    del weights["classifier.weight"]
    save_file(weights, m / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ModelLoadError, match=r"lacks 1 weights \(classifier\.weight"):
        load_model(m)


def test_modelio_corrupt_meta_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    m = _copy(tiny_model_dir, tmp_path)
    (m / "planex.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match=r"planex\.json is not valid JSON"):
        load_model(m)


def test_modelio_edited_scheme_hash_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    m = _copy(tiny_model_dir, tmp_path)
    meta = json.loads((m / "planex.json").read_text())
    meta["scheme"]["labels"].append({"name": "SUPPORT_UNIT", "description": "", "color": "#123456"})
    (m / "planex.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="scheme_hash does not match"):
        load_model(m)


def test_modelio_scheme_mismatch_refused(tiny_model_dir: Path) -> None:
    other = parse_scheme({"labels": [{"name": "TASK"}, {"name": "SUPPORT_UNIT"}]})
    with pytest.raises(ModelLoadError, match="trained with labels TASK, DEADLINE, LEAD_UNIT, INDICATOR"):
        load_model(tiny_model_dir, scheme=other)


def test_modelio_offline_hub_id_fails_fast_naming_alternatives() -> None:
    with pytest.raises(ModelLoadError, match=r"models/base/"):
        resolve_base("bert-base-chinese")


def test_modelio_base_folder_without_safetensors_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="no safetensors weights"):
        resolve_base(str(tmp_path))
