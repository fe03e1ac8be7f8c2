"""``planex labels``: check, summarise, pre-annotate, import and export labelled documents."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

from planex import atomic, rules
from planex.formats import FORMATS, export_text, import_file
from planex.formats.offsets import UNITS
from planex.labelfile import (
    Document,
    LabelFileError,
    iter_documents,
    label_files,
    load_documents,
    merge_touching,
    write_documents,
)
from planex.normalise import normalise
from planex.sampling import NOT_PLANS, labelled_ids, sample_ids
from planex.scheme import DEFAULT_SCHEME, load_scheme
from planex.sheet import from_sheet, review_counts, to_sheet
from planex.sources import DEFAULT_CORPUS, source_text
from planex.textio import read_text

OFFSETS_HELP = (
    "how the tool counts span offsets: codepoints (Python; Label Studio's default) or utf16 "
    "(JavaScript; doccano's default, and older Label Studio releases); matters only after emoji or rare CJK characters"
)


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("labels", help="check, summarise, pre-annotate, import and export label files")
    lsub = p.add_subparsers(dest="labels_command", required=True, metavar="ACTION")
    c = lsub.add_parser("check", help="validate label files; exit 1 listing every problem")
    c.add_argument("paths", nargs="+", type=Path, help="JSONL files or folders (searched for *.jsonl)")
    c.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme (default labels/scheme.json)")
    c.set_defaults(func=check)
    s = lsub.add_parser("stats", help="counts per label per document and span-length distributions")
    s.add_argument("paths", nargs="*", type=Path, default=[Path("labels")], help="files or folders (default labels/)")
    s.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme")
    s.set_defaults(func=stats)
    sa = lsub.add_parser("sample", help="draw a seeded random sample of unlabelled corpus documents to label")
    sa.add_argument("n", type=int, help="how many documents")
    sa.add_argument("--seed", type=int, required=True, help="random seed (record it in the batch's notes)")
    sa.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus JSONL")
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
    sa.set_defaults(func=sample)
    a = lsub.add_parser("preannotate", help="normalise raw texts and propose spans with the rule extractor")
    a.add_argument("inputs", nargs="+", type=Path, help=".txt files, or a .jsonl corpus with --ids")
    a.add_argument("--ids", default="", help="comma-separated ids to take from a JSONL corpus")
    a.add_argument("--out", type=Path, required=True, help="draft JSONL to write")
    a.set_defaults(func=preannotate)
    sh = lsub.add_parser("sheet", help="write one editable span sheet (TSV) per document")
    sh.add_argument("draft", type=Path, help="draft JSONL")
    sh.add_argument("--out", type=Path, required=True, help="folder for <id>.tsv and <id>.txt")
    sh.set_defaults(func=sheet)
    ap = lsub.add_parser("apply", help="build final labels from a draft and its reviewed sheets")
    ap.add_argument("draft", type=Path, help="draft JSONL (gives text and proposed spans)")
    ap.add_argument("sheets", type=Path, help="folder of reviewed <id>.tsv sheets")
    ap.add_argument("--out", type=Path, required=True, help="final JSONL to write")
    ap.add_argument("--review", type=Path, help="append review counts (JSON lines) to this file")
    ap.set_defaults(func=apply)
    rn = lsub.add_parser("renormalise", help="re-normalise labelled documents from their sources and move spans")
    rn.add_argument("paths", nargs="+", type=Path, help="label files or folders to update in place")
    rn.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus JSONL for sources 'corpus:ID'")
    rn.set_defaults(func=renormalise)
    im = lsub.add_parser("import", help="convert a Label Studio, doccano or CoNLL file to planex labels")
    im.add_argument("file", type=Path, help="the tool's export (Label Studio: JSON; doccano: JSONL; CoNLL)")
    im.add_argument("--from", dest="fmt", required=True, choices=FORMATS, help="format of FILE")
    im.add_argument("--out", type=Path, required=True, help="planex JSONL to write (only if FILE is valid)")
    im.add_argument("--offsets", choices=UNITS, help=OFFSETS_HELP)
    im.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme (default labels/scheme.json)")
    im.set_defaults(func=import_labels)
    ex = lsub.add_parser("export", help="write planex labels for Label Studio, doccano or as CoNLL")
    ex.add_argument("paths", nargs="+", type=Path, help="label files or folders (searched for *.jsonl)")
    ex.add_argument("--to", dest="fmt", required=True, choices=FORMATS, help="format to write")
    ex.add_argument("--out", type=Path, required=True, help="file to write")
    ex.add_argument("--offsets", choices=UNITS, help=OFFSETS_HELP)
    ex.add_argument("--scheme", type=Path, default=DEFAULT_SCHEME, help="label scheme (default labels/scheme.json)")
    ex.set_defaults(func=export_labels)


def check(args: argparse.Namespace) -> int:
    scheme = load_scheme(args.scheme)
    problems, n_docs, n_spans = [], 0, 0
    for path in label_files(args.paths, feedback=True, heldout=True):
        for doc, found in iter_documents(path, scheme):
            problems.extend(found)
            if doc is not None:
                n_docs += 1
                n_spans += len(doc.spans)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{n_docs} documents, {n_spans} spans, {len(problems)} problems")
    return 1 if problems else 0


def stats(args: argparse.Namespace) -> int:
    scheme = load_scheme(args.scheme)
    docs = load_documents(args.paths, scheme, heldout=True)
    names = scheme.names
    print("document".ljust(28) + "chars".rjust(8) + "".join(n.rjust(11) for n in names))
    total: Counter[str] = Counter()
    lengths: dict[str, list[int]] = {n: [] for n in names}
    for d in docs:
        c = Counter(s.label for s in d.spans)
        total.update(c)
        for s in d.spans:
            lengths[s.label].append(s.end - s.start)
        print(d.id[:27].ljust(28) + str(len(d.text)).rjust(8) + "".join(str(c[n]).rjust(11) for n in names))
    chars = sum(len(d.text) for d in docs)
    print(f"{'TOTAL (' + str(len(docs)) + ' docs)':28}{chars:>8}" + "".join(str(total[n]).rjust(11) for n in names))
    print("\nspan length (characters): min / median / mean / p90 / max")
    for n in names:
        xs = sorted(lengths[n])
        if xs:
            p90 = xs[max(0, -(-9 * len(xs) // 10) - 1)]  # nearest-rank percentile
            print(f"  {n:12} {xs[0]:>4} {statistics.median(xs):>7.1f} {statistics.mean(xs):>7.1f} {p90:>5} {xs[-1]:>5}")
    return 0


def _raw_inputs(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    wanted = [i for i in args.ids.split(",") if i]
    out = []
    for path in args.inputs:
        if path.suffix == ".jsonl":
            records = {r["id"]: r for r in map(json.loads, read_text(path).splitlines()) if r}
            missing = [i for i in wanted if i not in records]
            if missing:
                raise ValueError(f"{path}: no records with ids {', '.join(missing)}")
            out += [(i, f"corpus:{i} {records[i].get('url', '')}".strip(), records[i]["text"]) for i in wanted]
        else:
            out.append((path.stem, f"seeds/{path.name}", read_text(path)))
    return out


def sample(args: argparse.Namespace) -> int:
    if args.n < 1:
        raise ValueError("n must be at least 1")
    exclude = labelled_ids(args.labels)
    ids = sample_ids(args.corpus, args.n, args.seed, exclude, args.prefix, args.not_in_title, args.in_text)
    print(",".join(ids))
    print(f"{len(ids)} ids, seed {args.seed}; {len(exclude)} labelled or drafted ids excluded", file=sys.stderr)
    return 0


def preannotate(args: argparse.Namespace) -> int:
    docs = []
    for doc_id, source, raw in _raw_inputs(args):
        text = normalise(raw).text
        # The rules may propose one label twice in a row, which a label file may not hold (span_problems).
        docs.append(Document(doc_id, text, merge_touching(rules.extract(text)), source))
    write_documents(args.out, docs)
    print(f"wrote {len(docs)} drafts, {sum(len(d.spans) for d in docs)} proposed spans to {args.out}")
    return 0


def sheet(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    for doc in load_documents([args.draft]):
        (args.out / f"{doc.id}.tsv").write_text(to_sheet(doc), encoding="utf-8")
        (args.out / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
    return 0


def apply(args: argparse.Namespace) -> int:
    scheme = load_scheme()
    final, problems, counts = [], [], []
    for doc in load_documents([args.draft]):
        path = args.sheets / f"{doc.id}.tsv"
        spans, found = from_sheet(doc.text, read_text(path), str(path))
        problems += found
        new = Document(doc.id, doc.text, spans, doc.source, doc.meta)
        final.append(new)
        counts.append({"id": doc.id, **review_counts(doc.spans, spans)})
    if not problems:
        try:
            load_documents_inline(final, scheme.names)
        except LabelFileError as e:
            problems += e.problems
    if problems:
        raise LabelFileError(problems)
    write_documents(args.out, final)
    if args.review:
        with args.review.open("a", encoding="utf-8") as f:
            f.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in counts)
    for c in counts:
        print(json.dumps(c, ensure_ascii=False))
    return 0


def load_documents_inline(docs: list[Document], names: tuple[str, ...]) -> None:
    from planex.labelfile import span_problems

    problems = [p for d in docs for p in span_problems(d.text, d.spans, names, d.id)]
    if problems:
        raise LabelFileError(problems)


def renormalise(args: argparse.Namespace) -> int:
    from planex.migrate import migrate_spans

    problems: list[str] = []
    for path in label_files(args.paths, feedback=True, heldout=True):
        docs = load_documents([path])
        changed = 0
        for doc in docs:
            raw = doc.meta.get("raw") if doc.source.startswith("feedback:") else source_text(doc.source, args.corpus)
            new = normalise(str(raw)).text
            if new != doc.text:
                doc.spans, found = migrate_spans(doc.text, new, doc.spans)
                problems += [f"{path} {doc.id}: {p}" for p in found]
                doc.text = new
                changed += 1
        if changed:
            write_documents(path, docs)
        print(f"{path}: {changed} of {len(docs)} documents re-normalised")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def _report(e: LabelFileError, action: str) -> int:
    for p in e.problems:
        print(p, file=sys.stderr)
    print(f"{len(e.problems)} problems; {action}", file=sys.stderr)
    return 1


def import_labels(args: argparse.Namespace) -> int:
    try:
        parsed = import_file(args.fmt, args.file, load_scheme(args.scheme), args.offsets)
    except LabelFileError as e:
        return _report(e, f"{args.out} not written")
    docs = [p.doc for p in parsed]
    write_documents(args.out, docs)
    print(f"wrote {len(docs)} documents, {sum(len(d.spans) for d in docs)} spans to {args.out}")
    unreviewed = [p.doc.id for p in parsed if p.unreviewed]
    if unreviewed:
        print(
            f"note: {len(unreviewed)} of {len(docs)} documents hold only model predictions (not annotated): "
            f"{', '.join(unreviewed[:10])}{' …' if len(unreviewed) > 10 else ''}; review them before calling them gold",
            file=sys.stderr,
        )
    return 0


def export_labels(args: argparse.Namespace) -> int:
    try:
        docs = load_documents(args.paths, load_scheme(args.scheme))
    except LabelFileError as e:
        return _report(e, f"{args.out} not written; fix them (see `planex labels check`)")
    atomic.write_text(args.out, export_text(args.fmt, docs, args.offsets))
    print(f"wrote {len(docs)} documents, {sum(len(d.spans) for d in docs)} spans to {args.out} ({args.fmt})")
    return 0
