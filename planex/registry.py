"""Model versions on disk: ``models/<version>/`` folders and ``models/default``, the one served.

``models/default`` is either a folder (as committed, so a fresh clone serves at once) or a
symbolic link to a version folder. Promoting a version swaps the link in one rename, so
a reader never sees a missing or half-written default.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from planex import paths
from planex.modelspec import META_FILE

MODELS = paths.MODELS  # models/, or PLANEX_MODELS_DIR
DEFAULT = "default"


def versions(root: Path = MODELS) -> list[str]:
    """Names of model folders under ``root`` that hold a planex model (the base models are excluded)."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / META_FILE).is_file() and p.name != DEFAULT)


def resolve(name: str | None, root: Path = MODELS) -> Path:
    """Path of version ``name`` (``None`` or ``default``: the default); raise ValueError naming the choices."""
    if name and (("/" in name) or name in (".", "..")):
        raise ValueError(f"model version {name!r} must be a folder name under {root}, not a path")
    path = root / (name or DEFAULT)
    if not path.is_dir():
        choices = ", ".join(versions(root)) or "none yet: run `planex train`"
        raise ValueError(f"no model {name or DEFAULT!r} in {root}; available versions: {choices}")
    return path


def promote(version: str, root: Path = MODELS) -> Path:
    """Point ``models/default`` at ``models/<version>`` atomically (a relative symlink)."""
    target = resolve(version, root)
    link = root / DEFAULT
    tmp = root / f".{DEFAULT}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(target.name, tmp)
    if link.is_dir() and not link.is_symlink():
        # a committed folder: move it aside as a version of its own before linking
        aside = root / f"{DEFAULT}-previous"
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(link, aside)
    os.replace(tmp, link)
    return link
