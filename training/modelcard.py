"""The model card (``README.md`` in a model folder): what was trained, on what, how well, decoded how."""

from __future__ import annotations

from typing import Any

from planex.scheme import LabelScheme


def model_card(meta: dict[str, Any], scheme: LabelScheme) -> str:
    m = meta["metrics"]
    dev = m["dev_micro_f1"]
    weak, args = meta.get("weak_documents", 0), meta["training_args"]
    weak_text = (
        f"{weak} from {', '.join(args['weak'])}, {args['weak_epochs']} epoch(s), labelled by `planex.rules`"
        if weak
        else "none"
    )
    synthetic = meta.get("relayout_documents", 0)
    relayout_text = (
        f"{synthetic} from {args['relayout']} pass(es) over the training records (`training.relayout`)"
        if synthetic
        else "none"
    )
    dev_text = f"{dev:.3f}" if isinstance(dev, float) and dev == dev else "n/a (no dev documents)"
    dev_docs = meta["dev_documents"]
    if dev_docs:
        dev_docs_text, epoch_text = f"{len(dev_docs)}: {_some(dev_docs)}", str(m["best_epoch"])
        closing = "The dev score comes from a handful of held-out documents and is noisy; see"
    else:
        # Without dev documents nothing is chosen: every epoch runs and the last is kept (training.stopping).
        epochs = m["best_epoch"]
        cut = ", the last cut short by --max-minutes" if any(h.get("stopped") for h in m.get("history", [])) else ""
        dev_docs_text = (
            f"none (trained on all documents for {epochs} epoch{'s' if epochs != 1 else ''}{cut}, no early stopping)"
        )
        epoch_text = f"{m['best_epoch']} (the last: no dev documents to choose by)"
        closing = "No documents were held out for a dev score; see"
    dropout = args.get("hint_dropout", 0)
    shown = f"{dropout:.0%} of training windows without" if dropout else "on every training window"
    if decoys := args.get("hint_decoys", 0):
        shown += f"; {decoys:.0%} of training windows with decoy hints (`training.decoys`)"
    if scale := args.get("hint_scale", 0):
        shown += f"; hint rows started {scale:g} × the mean character-embedding norm from 'no hint'"
    hints_text = f"`planex.rules` spans as token types ({shown})" if meta.get("rule_hints") else "none"
    single = meta.get("single_token_labels")
    lone_text = (
        "any length"
        if single is None
        else f"one-token spans only for labels seen so in training ({', '.join(single) or 'none'})"
    )
    decoding = (
        "learned linear-chain CRF over the logits (`crf.safetensors`: transition, start and end scores, trained by "
        "its negative log-likelihood) plus the IOB2 constraints; span score: mean token marginal"
        if meta.get("crf")
        else "constrained Viterbi over IOB2"
    )
    return f"""# {meta["name"]} (planex token classifier)

Version `{meta["version"]}`, trained {meta["created"]} by `planex train`.

| | |
|---|---|
| base model | `{meta["base_model"]}` ({meta["init"]} initialisation) |
| labels | {", ".join(scheme.names)} (scheme hash `{scheme.hash}`) |
| training documents | {len(meta["train_documents"])} |
| rule-labelled documents (first stage) | {weak_text} |
| synthetic layouts of the training records | {relayout_text} |
| dev documents (early stopping) | {dev_docs_text} |
| best epoch | {epoch_text} |
| dev micro-F1 (seqeval strict, characters) | {dev_text} |
| training time | {m["train_seconds"] / 60:.1f} minutes on {m["device"]} |
| window | {meta["max_length"]} tokens, stride {meta["stride"]} |
| line breaks | {f"seen as `{meta['line_marker']}`" if meta.get("line_marker") else "dropped (not seen by the model)"} |
| rule hints | {hints_text} |
| decoding | {decoding}; {lone_text} |

{closing}
`reports/benchmark.md` for cross-validated figures. Load with
`planex.modelio.load_model("<this folder>")` or serve with `planex serve --model <this folder>`.
"""


def _some(ids: list[str], n: int = 12) -> str:
    return ", ".join(ids[:n]) + (f" … ({len(ids) - n} more)" if len(ids) > n else "")


CARD_SCORES = "## Scores on labelled documents it never saw"


def with_scores(card: str, result: dict[str, Any], labels: str, documents: int, command: str) -> str:
    """``card`` with its scores section replaced by ``result`` (an evaluate result on ``labels``).

    The section is written by ``planex evaluate --card``, so the card states what was measured on the
    sealed held-out set, by which command, rather than a figure copied by hand."""
    head = card.split(f"\n{CARD_SCORES}\n", 1)[0].rstrip("\n")
    names = list(result["per_label"])
    rows = [
        "| | " + " | ".join(names) + " | micro-F1 |",
        "|---" * (len(names) + 2) + "|",
        "| entity F1 (seqeval strict) | "
        + " | ".join(f"{result['per_label'][n]['f1']:.3f}" for n in names)
        + f" | **{result['micro']['f1']:.3f}** |",
    ]
    links = result.get("links")
    if links:
        kinds = list(links["exact"]["per_kind"])
        rows += [
            "",
            "| task links | " + " | ".join(kinds) + " | link F1 | lenient F1 | rows exactly right |",
            "|---" * (len(kinds) + 4) + "|",
            "| exact spans | "
            + " | ".join(f"{links['exact']['per_kind'][k]['f1']:.3f}" for k in kinds)
            + f" | **{links['exact']['micro']['f1']:.3f}** | {links['lenient']['micro']['f1']:.3f}"
            + f" | {links['rows']['share']:.3f} |",
        ]
    body = "\n".join(rows)
    return f"{head}\n\n{CARD_SCORES}\n\n{documents} documents of `{labels}`, scored by `{command}`:\n\n{body}\n"
