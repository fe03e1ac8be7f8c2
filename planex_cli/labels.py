"""``planex labels``: check, summarise, pre-annotate, import and export labelled documents."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from planex import paths
from planex.scheme import DEFAULT_SCHEME

NAME = "labels"
HELP = "check, summarise, pre-annotate, import and export label files"
CORPUS_HELP = f"the plan corpus JSONL (default: {paths.CORPUS}; $PLANEX_CORPUS or $PLANEX_SHARED move it)"
OFFSETS_HELP = (
    "how the tool counts span offsets: codepoints (Python; Label Studio's default) or utf16 "
    "(JavaScript; doccano's default, and older Label Studio releases); matters only after emoji or rare CJK characters"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from planex.formats import FORMATS
    from planex.formats.offsets import UNITS
    from planex.sampling import NOT_PLANS

    lsub = p.add_subparsers(dest="labels_command", required=True, metavar="ACTION")
    c = lsub.add_parser("check", help="validate label files; exit 1 listing every problem")
    c.add_argument("paths", nargs="+", type=Path, help="JSONL files or folders (searched for *.jsonl)")
    c.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme (default labels/scheme.json)")
    c.add_argument("--corpus", type=Path, help=f"for sources 'corpus:ID' (stale-offset check): {CORPUS_HELP}")
    c.set_defaults(func=check)
    s = lsub.add_parser("stats", help="counts per label per document and span-length distributions")
    s.add_argument("paths", nargs="*", type=Path, default=[Path("labels")], help="files or folders (default labels/)")
    s.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme")
    s.set_defaults(func=stats)
    sa = lsub.add_parser("sample", help="draw a seeded random sample of unlabelled corpus documents to label")
    sa.add_argument("n", type=int, help="how many documents")
    sa.add_argument("--seed", type=int, required=True, help="random seed (record it in the batch's notes)")
    sa.add_argument("--corpus", type=Path, help=CORPUS_HELP)
    sa.add_argument("--labels", type=Path, nargs="+", default=[Path("labels")], help="label folders to exclude")
    sa.add_argument("--prefix", default="", help="only ids starting with this (p: web excerpts, s: State Council)")
    sa.add_argument(
        "--not-in-title",
        nargs="*",
        default=list(NOT_PLANS),
        help="skip records whose normalised title contains any of these (default: %(default)s)",
    )
    sa.add_argument(
        "--in-text",
        nargs="+",
        default=[],
        help="draw only from records whose normalised text contains one of these (a stratum, e.g. 牵头 责任单位)",
    )
    sa.add_argument("--family", default="", help="draw only from one layout family (labels/LAYOUTS.md)")
    sa.add_argument("--families", type=Path, default=Path("labels/families.tsv"), help="id<TAB>family file")
    sa.set_defaults(func=sample)
    a = lsub.add_parser("preannotate", help="normalise raw texts and propose spans with the rule extractor")
    a.add_argument("inputs", nargs="+", type=Path, help=".txt files, or a .jsonl corpus with --ids")
    a.add_argument("--ids", default="", help="comma-separated ids to take from a JSONL corpus")
    a.add_argument("--out", type=Path, required=True, help="draft JSONL to write")
    a.set_defaults(func=preannotate)
    sh = lsub.add_parser("sheet", help="write one editable span sheet (TSV) per document")
    sh.add_argument("draft", type=Path, help="draft JSONL")
    sh.add_argument("--out", type=Path, required=True, help="folder for <id>.tsv and <id>.txt")
    sh.add_argument("--overwrite", action="store_true", help="rewrite sheets already in --out (their edits are lost)")
    sh.set_defaults(func=sheet)
    ap = lsub.add_parser("apply", help="build final labels from a draft and its reviewed sheets")
    ap.add_argument("draft", type=Path, help="draft JSONL (gives text and proposed spans)")
    ap.add_argument("sheets", type=Path, help="folder of reviewed <id>.tsv sheets")
    ap.add_argument(
        "--out",
        type=Path,
        required=True,
        help="final JSONL to write; the task links of documents already in it are kept where their spans still stand",
    )
    ap.add_argument(
        "--review",
        type=Path,
        help="add review counts (JSON lines) to this file; a document applied again replaces its line",
    )
    ap.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme (default labels/scheme.json)")
    ap.set_defaults(func=apply)
    rn = lsub.add_parser("renormalise", help="re-normalise labelled documents from their sources and move spans")
    rn.add_argument("paths", nargs="+", type=Path, help="label files or folders to update in place")
    rn.add_argument("--corpus", type=Path, help=f"for sources 'corpus:ID': {CORPUS_HELP}")
    rn.set_defaults(func=renormalise)
    im = lsub.add_parser("import", help="convert a Label Studio, doccano or CoNLL file to planex labels")
    im.add_argument("file", type=Path, help="the tool's export (Label Studio: JSON; doccano: JSONL; CoNLL)")
    im.add_argument("--from", dest="fmt", required=True, choices=FORMATS, help="format of FILE")
    im.add_argument("--out", type=Path, required=True, help="planex JSONL to write (only if FILE is valid)")
    im.add_argument("--offsets", choices=UNITS, help=OFFSETS_HELP)
    im.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme (default labels/scheme.json)")
    im.add_argument(
        "--keep-line-breaks",
        action="store_true",
        help="the data's lines are sentences, not wrapped paragraphs: mark each document so that re-normalising "
        "it from its source (renormalise, evaluate, check) never joins its lines",
    )
    im.set_defaults(func=import_labels)
    ex = lsub.add_parser("export", help="write planex labels for Label Studio, doccano or as CoNLL")
    ex.add_argument("paths", nargs="+", type=Path, help="label files or folders (searched for *.jsonl)")
    ex.add_argument("--to", dest="fmt", required=True, choices=FORMATS, help="format to write")
    ex.add_argument("--out", type=Path, required=True, help="file to write")
    ex.add_argument("--offsets", choices=UNITS, help=OFFSETS_HELP)
    ex.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme (default labels/scheme.json)")
    ex.set_defaults(func=export_labels)


def check(args: argparse.Namespace) -> int:
    from planex.labelstats import check_files
    from planex.scheme import load_scheme

    result = check_files(args.paths, load_scheme(args.scheme), args.corpus)
    for p in result.problems:
        print(p, file=sys.stderr)
    if result.unread:
        print(
            f"note: {len(result.unread)} documents not compared with their source (e.g. {result.unread[0]})",
            file=sys.stderr,
        )
    print(f"{result.documents} documents, {result.spans} spans, {len(result.problems)} problems")
    return 1 if result.problems else 0


def stats(args: argparse.Namespace) -> int:
    from planex.labelfile import load_documents
    from planex.labelstats import stats_table
    from planex.scheme import load_scheme

    scheme = load_scheme(args.scheme)
    print(stats_table(load_documents(args.paths, scheme, heldout=True), scheme.names))
    return 0


def sample(args: argparse.Namespace) -> int:
    from planex import sources
    from planex.sampling import labelled_ids, sample_ids

    if args.n < 1:
        raise ValueError("n must be at least 1")
    exclude = labelled_ids(args.labels)
    families = None
    if args.family:
        from planex.layouts import NAMES, read_families

        if args.family not in NAMES:
            raise ValueError(f"unknown family {args.family!r}; the families are: {', '.join(NAMES)}")
        families = read_families(args.families)
    corpus = args.corpus or sources.DEFAULT_CORPUS
    ids = sample_ids(
        corpus, args.n, args.seed, exclude, args.prefix, args.not_in_title, args.in_text, args.family, families
    )
    print(",".join(ids))
    print(f"{len(ids)} ids, seed {args.seed}; {len(exclude)} labelled or drafted ids excluded", file=sys.stderr)
    return 0


def preannotate(args: argparse.Namespace) -> int:
    from planex.drafts import raw_inputs, rule_drafts
    from planex.labelfile import write_documents

    docs = rule_drafts(raw_inputs(args.inputs, [i for i in args.ids.split(",") if i]))
    write_documents(args.out, docs)
    print(f"wrote {len(docs)} drafts, {sum(len(d.spans) for d in docs)} proposed spans to {args.out}")
    return 0


def sheet(args: argparse.Namespace) -> int:
    from planex.labelfile import load_documents
    from planex.sheet import write_sheets

    docs = load_documents([args.draft])
    kept = write_sheets(docs, args.out, overwrite=args.overwrite)
    print(f"wrote {len(docs) - len(kept)} sheets to {args.out}")
    if kept:
        print(f"kept {len(kept)} sheets already there, with any edits ({', '.join(kept)}); --overwrite rewrites them")
    return 0


def apply(args: argparse.Namespace) -> int:
    from planex.labelfile import LabelFileError, load_documents, write_documents
    from planex.scheme import load_scheme
    from planex.sheet import apply_sheets, carry_links, write_review_counts

    drafts = load_documents([args.draft])
    final, counts = apply_sheets(drafts, args.sheets, load_scheme(args.scheme))
    # Task links are labelled after the spans: keep those of a document applied before (in --out) or of a draft
    # that is itself a labelled file (adding a label to gold), wherever both spans still stand.
    linked = {d.id: d for d in drafts}
    if args.out.exists():
        try:
            linked |= {d.id: d for d in load_documents([args.out])}
        except LabelFileError as e:
            print(f"warning: {args.out} is rewritten without its task links, it does not load: {e}", file=sys.stderr)
    final, notes = carry_links(final, linked.values())
    for note in notes:
        print(f"{note} (link them again)", file=sys.stderr)
    carried = sum(len(d.links) for d in final if d.links)
    if carried:
        print(f"kept {carried} task links of documents labelled before", file=sys.stderr)
    write_documents(args.out, final)
    if args.review:
        write_review_counts(args.review, counts)
    for c in counts:
        print(json.dumps(c, ensure_ascii=False))
    return 0


def renormalise(args: argparse.Namespace) -> int:
    from planex.labelfile import label_files
    from planex.migrate import renormalise_file

    problems: list[str] = []
    for path in label_files(args.paths, feedback=True, heldout=True):
        changed, total, found = renormalise_file(path, args.corpus)
        problems += found
        print(f"{path}: {changed} of {total} documents re-normalised")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def _report(problems: list[str], action: str) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problems; {action}", file=sys.stderr)
    return 1


def import_labels(args: argparse.Namespace) -> int:
    from planex.formats import import_file
    from planex.labelfile import LabelFileError, write_documents
    from planex.scheme import load_scheme
    from planex.sources import KEEP_LINES, KEEP_LINES_KEY

    try:
        parsed = import_file(args.fmt, args.file, load_scheme(args.scheme), args.offsets)
    except LabelFileError as e:
        return _report(e.problems, f"{args.out} not written")
    docs = [p.doc for p in parsed]
    if args.keep_line_breaks:
        for d in docs:
            d.meta[KEEP_LINES_KEY] = KEEP_LINES
    warned = [w for p in parsed for w in p.warnings]
    for w in warned[:20]:
        print(f"warning: {w}", file=sys.stderr)
    if len(warned) > 20:
        print(f"warning: … and {len(warned) - 20} more", file=sys.stderr)
    write_documents(args.out, docs)
    print(
        f"wrote {len(docs)} documents, {sum(len(d.spans) for d in docs)} spans to {args.out}"
        + (f" ({len(warned)} warnings)" if warned else "")
    )
    unreviewed = [p.doc.id for p in parsed if p.unreviewed]
    if unreviewed:
        print(
            f"note: {len(unreviewed)} of {len(docs)} documents hold only model predictions (not annotated): "
            f"{', '.join(unreviewed[:10])}{' …' if len(unreviewed) > 10 else ''}; review them before calling them gold",
            file=sys.stderr,
        )
    return 0


def export_labels(args: argparse.Namespace) -> int:
    from planex import atomic
    from planex.formats import dropped, export_text
    from planex.labelfile import LabelFileError, load_documents
    from planex.scheme import load_scheme

    try:
        docs = load_documents(args.paths, load_scheme(args.scheme))
    except LabelFileError as e:
        return _report(e.problems, f"{args.out} not written; fix them (see `planex labels check`)")
    atomic.write_text(args.out, export_text(args.fmt, docs, args.offsets))
    print(f"wrote {len(docs)} documents, {sum(len(d.spans) for d in docs)} spans to {args.out} ({args.fmt})")
    if note := dropped(args.fmt, docs):
        print(note, file=sys.stderr)
    return 0
