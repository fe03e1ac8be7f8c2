"""``planex load``: N concurrent clients against a local planex server; requests/s, latency and memory."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "load"
HELP = "load-test a local planex server with concurrent clients; write reports/load.md"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Start `planex serve` on 127.0.0.1 (a free port), send labelled plan texts from --clients threads until "
        "--requests are answered or --seconds pass, and report requests/s, latency percentiles and the server's "
        "resident memory over time. --baseline also runs the settings planex served with before issue 25 (fp32, "
        "one inference thread), alternating with yours, for a ratio from one run."
    )
    p.add_argument("--model", type=Path, default=Path("models/default"), help="model folder to serve")
    p.add_argument("--clients", type=int, default=8, help="concurrent clients, each sending one request at a time")
    p.add_argument("--requests", type=int, default=120, help="most requests per run")
    p.add_argument("--seconds", type=float, default=60.0, help="most seconds per run")
    p.add_argument("--max-chars", type=int, default=10_000, help="texts are cut to this many characters")
    p.add_argument("--labels", nargs="+", type=Path, default=[Path("labels/corpus"), Path("labels/seeds")],
                   help="label files or folders whose texts are sent")  # fmt: skip
    p.add_argument("--set", dest="settings", action="append", default=[], metavar="PLANEX_NAME=VALUE",
                   help="a server setting for the run (repeatable), e.g. PLANEX_PRECISION=fp32")  # fmt: skip
    p.add_argument("--baseline", action="store_true", help="also run the pre-issue-25 settings, alternating")
    p.add_argument("--rounds", type=int, default=1, help="runs of each configuration, alternating")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="folder for load.json and load.md")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.benchmark_report import machine
    from training.loadtest import BASELINE, LoadConfig, run_configs
    from training.speed_report import write_load

    env = {}
    for item in args.settings:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item!r}: write PLANEX_NAME=VALUE")
        env[key] = value
    common = {"model": args.model, "clients": args.clients, "requests": args.requests, "seconds": args.seconds,
              "labels": tuple(args.labels), "max_chars": args.max_chars}  # fmt: skip
    configs = {"settings": LoadConfig(**common, env=env)}
    if args.baseline:
        configs = {"baseline": LoadConfig(**common, env=BASELINE), **configs}
    if args.rounds < 1:
        raise ValueError("--rounds must be at least 1")
    report = run_configs(configs, args.rounds, log=lambda line: print(line, file=sys.stderr))
    report["machine"] = machine()
    report["command"] = args.command_line
    _, md = write_load(report, args.reports)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(md.read_text(encoding="utf-8"))
    return 0
