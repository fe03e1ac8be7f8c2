"""``planex serve``: the HTTP API and web page (settings from PLANEX_* variables; flags override them)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

NAME = "serve"
HELP = "serve the extraction API and web page (default http://127.0.0.1:8000)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Serve a planex model over HTTP. Every setting is also an environment variable "
        "PLANEX_<NAME> (see serving/README.md); flags given here override them. SIGHUP reloads the model "
        "folder without a restart (the old model serves until the new one passes its checks)."
    )
    p.add_argument("--model", type=Path, help="model folder (PLANEX_MODEL_PATH, default models/default)")
    p.add_argument("--host", help="address to listen on (PLANEX_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (PLANEX_PORT, default 8000)")
    p.add_argument("--device", help="cpu, cuda, mps (PLANEX_DEVICE, default: a GPU when present)")
    p.add_argument(
        "--allow-public-without-key",
        action="store_true",
        default=None,
        help="listen on a non-loopback host without PLANEX_API_KEY (only behind an authenticating proxy)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from serving.server import serve
    from serving.settings import Settings

    flags = {"model_path": args.model, "host": args.host, "port": args.port, "device": args.device,
             "allow_public_without_key": args.allow_public_without_key}  # fmt: skip
    overrides: dict[str, Any] = {k: v for k, v in flags.items() if v is not None}
    return serve(Settings(**overrides))
