"""Execute notebooks top to bottom and save each back in place with its outputs.

    python -m tools.run_notebooks notebooks/01_labels.ipynb notebooks/02_evaluation.ipynb

Each notebook runs in a fresh kernel whose working directory is the repository root,
so notebooks read ``labels/`` and ``reports/`` by relative path. The kernel is always
this interpreter (``sys.executable -m ipykernel_launcher``), whatever kernelspecs are
installed for the user or the system: nothing is registered, and a ``python3``
kernelspec elsewhere cannot send the notebooks to a Python without ``planex``.

A notebook is written only when every cell ran (atomically, so a reader never sees half
a file); a failing cell leaves the file as it was, prints the cell's error, and the
command exits 1 after trying the remaining notebooks.
"""

from __future__ import annotations

import argparse
import re
import stat
import sys
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets import default

from planex import atomic

ROOT = Path(__file__).resolve().parent.parent
KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 900
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _ThisPythonSpecs(KernelSpecManager):  # type: ignore[misc]
    """Kernelspecs where ``python3`` is always the interpreter running this module."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name != KERNEL_NAME:
            return super().get_kernel_spec(kernel_name)
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (ipykernel)",
            language="python",
            resource_dir=str(ROOT),
        )


class _ThisPythonKernels(AsyncKernelManager):  # type: ignore[misc]
    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return _ThisPythonSpecs(data_dir=self.data_dir)


def _merge_adjacent_streams(nb: Any) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    How printed text is split into messages depends on timing; joining the neighbours makes
    re-running an unchanged notebook give the same file. (nbclient's ``coalesce_streams``
    would also move text printed after a plot to before it.)
    """
    for cell in nb.cells:
        merged: list[Any] = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if last and output.output_type == last.output_type == "stream" and output.name == last.name:
                last.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def execute(path: str | Path, out: str | Path | None = None, cwd: str | Path = ROOT) -> Any:
    """Run every cell of notebook ``path`` with ``cwd`` as working directory; write it to ``out``.

    ``out`` defaults to ``path`` (in place). Raises nbclient's ``CellExecutionError`` (or
    ``CellTimeoutError``, ``DeadKernelError``) when a cell fails, before anything is written.
    Returns the executed notebook.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=_ThisPythonKernels,
        timeout=CELL_TIMEOUT_S,
        record_timing=False,  # no per-cell timestamps: re-running changes only what the cells print
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    _merge_adjacent_streams(nb)
    target = Path(out) if out is not None else path
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    atomic.write_text(target, nbformat.writes(nb) + "\n")
    target.chmod(mode)  # the atomic write's temporary file is private (0600); keep the file's usual mode
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run_notebooks", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to execute and save in place")
    args = parser.parse_args(argv)
    failed = []
    for path in args.notebooks:
        if not path.is_file():
            print(f"{path}: no such notebook", file=sys.stderr)
            failed.append(path)
            continue
        print(f"executing {path} ...", flush=True)
        try:
            execute(path)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            print(f"{path}: a cell failed; the notebook was not saved.\n{_ANSI.sub('', str(e))}", file=sys.stderr)
            failed.append(path)
            continue
        print(f"saved {path} with outputs", flush=True)
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(map(str, failed))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
