"""``planex corpus gather|families``: add gathered plan documents to the project corpus; file every document
under its layout family (``corpus/README.md``, ``labels/LAYOUTS.md``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planex import paths

NAME = "corpus"
HELP = "gather plan documents into corpus/plans_more.jsonl; survey layout families"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    g = sub.add_parser("gather", help="add the plans in raw files (block files or JSONL) to a corpus file")
    g.add_argument("raw", nargs="+", type=Path, help="block files ('@@@ URL | TITLE' then text) or .jsonl records")
    g.add_argument("--out", type=Path, default=paths.PROJECT_CORPUS, help="corpus file to extend")
    g.add_argument("--against", type=Path, nargs="*", default=[paths.CORPUS], help="known corpora")
    g.add_argument("--seeds", type=Path, default=paths.SEEDS, help="folder of seed texts (*.txt), also known")
    g.add_argument("--reserved", type=Path, default=paths.RESERVED, help="reserved hashes")
    g.add_argument("--prefix", default="m", help="id prefix of new records")
    g.set_defaults(func=gather)
    f = sub.add_parser("families", help="write id<TAB>family for every document; print the survey table")
    f.add_argument("--corpora", type=Path, nargs="*", default=[paths.CORPUS, paths.PROJECT_CORPUS])
    f.add_argument("--seeds", type=Path, default=paths.SEEDS, help="folder of seed texts (*.txt)")
    f.add_argument("--labels", type=Path, default=paths.LABELS, help="labels folder (counts labelled documents)")
    f.add_argument("--out", type=Path, default=paths.LABELS / "families.tsv", help="families file to write")
    f.set_defaults(func=families)


def gather(args: argparse.Namespace) -> int:
    from planex import corpus_gather as cg

    report = cg.gather_into(
        args.out, args.raw, args.against, sorted(args.seeds.glob("*.txt")), args.reserved, args.prefix
    )
    reserved = cg.load_reserved(args.reserved)
    purged = sum(cg.purge_reserved(path, reserved) for path in args.raw)  # reserved texts may not stay anywhere
    print(
        f"{report.read} read, {report.kept} kept ({dict(report.scripts)}), {len(report.duplicates)} near-duplicates, "
        f"{sum(report.not_plan.values())} not plans, {report.reserved} reserved ({purged} removed from the raw files)",
        file=sys.stderr,
    )
    for url, earlier in report.duplicates:
        print(f"duplicate of {earlier}: {url}", file=sys.stderr)
    return 0


def families(args: argparse.Namespace) -> int:
    from planex import layouts
    from planex.sampling import labelled_ids

    table = layouts.family_table(layouts.documents(args.corpora, sorted(args.seeds.glob("*.txt"))))
    layouts.write_families(table, args.out)
    sys.stdout.write(layouts.markdown_table(table, labelled_ids([args.labels])))
    return 0
