"""The layering of the code, stated and checked.

planex (the library) ← training, serving ← planex_cli (the ``planex`` command, the top floor):
planex imports none of the others; serving and training never import each other; nothing imports
planex_cli. The command modules import torch, transformers, training and serving only inside the
functions that run a command, so ``planex --help`` starts without them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = {"torch", "transformers", "datasets", "training", "serving"}


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("planex", {"training", "serving", "planex_cli"}),
        ("serving", {"training", "planex_cli"}),
        ("training", {"serving", "planex_cli"}),
    ],
)
def test_layout_import_rule(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & forbidden)
        for p in (ROOT / package).rglob("*.py")
        if _imports(p) & forbidden
    }
    assert offenders == {}


def test_layout_cli_modules_import_heavy_packages_only_inside_functions() -> None:
    offenders = {
        p.name: sorted(_imports(p, top_level_only=True) & HEAVY)
        for p in (ROOT / "planex_cli").glob("*.py")
        if _imports(p, top_level_only=True) & HEAVY
    }
    assert offenders == {}


def test_layout_every_command_module_is_registered() -> None:
    from planex_cli import main

    helpers = {"__init__", "main", "dataclass_options"}
    modules = {p.stem for p in (ROOT / "planex_cli").glob("*.py")} - helpers
    assert {m.__name__.rsplit(".", 1)[1] for m in main.COMMANDS} == modules
    for command in main.COMMANDS:
        assert command.NAME and command.HELP and callable(command.add_arguments)


@pytest.mark.parametrize("argv", [["--help"], ["labels", "check", "--help"], ["normalise", "--help"]])
def test_layout_help_imports_no_torch(argv: list[str]) -> None:
    code = (
        "import sys\nfrom planex_cli.main import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted({'torch', 'transformers', 'training', 'serving'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
