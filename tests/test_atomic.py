"""Atomic writes: files and folders get the modes the umask gives, like any file the user writes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from planex import atomic


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_atomic_write_text_uses_the_umask(tmp_path: Path, umask_022: None) -> None:
    out = tmp_path / "sub" / "labels.jsonl"
    atomic.write_text(out, "{}\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.read_text() == "{}\n" and [p.name for p in out.parent.iterdir()] == ["labels.jsonl"]


def test_atomic_directory_uses_the_umask_and_replaces(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with atomic.directory(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_atomic_write_text_failure_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "a.txt"
    out.write_text("old")
    with pytest.raises(TypeError):
        atomic.write_text(out, 123)  # type: ignore[arg-type]
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
