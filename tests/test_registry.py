"""Model versions: promotion swaps models/default atomically; unknown versions are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planex import registry


def test_registry_promote_and_resolve(tiny_model_dir: Path, tmp_path: Path) -> None:
    for v in ("v1", "v2"):
        shutil.copytree(tiny_model_dir, tmp_path / v)
    shutil.copytree(tiny_model_dir, tmp_path / "default")  # a committed folder, as on a fresh clone
    assert registry.versions(tmp_path) == ["v1", "v2"]
    registry.promote("v1", tmp_path)
    assert (tmp_path / "default").resolve() == (tmp_path / "v1").resolve()
    assert (tmp_path / "default-previous" / "planex.json").is_file()  # the old default was kept, not lost
    registry.promote("v2", tmp_path)
    assert registry.resolve(None, tmp_path).resolve() == (tmp_path / "v2").resolve()


@pytest.mark.parametrize(("name", "message"), [("nope", "available versions: v1"), ("../x", "not a path")])
def test_registry_resolve_errors(tiny_model_dir: Path, tmp_path: Path, name: str, message: str) -> None:
    shutil.copytree(tiny_model_dir, tmp_path / "v1")
    with pytest.raises(ValueError, match=message):
        registry.resolve(name, tmp_path)
