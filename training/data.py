"""Turn labelled documents into token-classification windows (a ``datasets.Dataset``).

normalised text → line breaks marked (``planex.linebreaks``) → tokenise with offsets → IOB2
tag ids via the shared codec → overlapping windows with ``[CLS]``/``[SEP]``. Special tokens and
padding get label -100 so the loss ignores them. Windows start every ``stride`` tokens;
fine-tuning passes ``stride = max_tokens - 2`` (no overlap: overlap would only repeat tokens).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from datasets import Dataset
from transformers import PreTrainedTokenizerBase

from planex import rules
from planex.codec import MisalignedSpanWarning, single_token_labels, spans_to_tags, windows
from planex.document import Document
from planex.hints import hint_ids
from planex.linebreaks import mark_lines
from planex.scheme import LabelScheme
from training.decoys import decoy_spans

IGNORE = -100  # positions the loss skips: special tokens, padding, unencodable spans


@dataclass
class EncodingReport:
    documents: int = 0
    windows: int = 0
    spans: int = 0
    misaligned: int = 0
    example: str = ""
    single_token: set[str] = field(default_factory=set)  # labels with a one-token span (decoding allows only these)


def iter_windows(
    docs: list[Document],
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    max_tokens: int,
    stride: int,
    report: EncodingReport,
    line_marker: str | None = None,
    hints: bool = False,
    decoys: bool = False,
) -> Iterator[dict[str, Any]]:
    label2id = scheme.label2id
    body = max_tokens - 2
    for doc in docs:
        enc = tokenizer(
            mark_lines(doc.text, line_marker), add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MisalignedSpanWarning)  # counted and reported once below
            encoded = spans_to_tags(enc["offset_mapping"], doc.spans, warn=False)
        report.documents += 1
        report.spans += len(doc.spans)
        report.misaligned += len(encoded.misaligned)
        report.single_token |= single_token_labels(encoded.tags)  # whole documents: windows would cut spans
        if encoded.misaligned and not report.example:
            s = encoded.misaligned[0]
            report.example = f"{doc.id} {s.label} {s.start}-{s.end} {doc.text[s.start : s.end]!r}"
        ids = enc["input_ids"]
        tag_ids = [IGNORE if t is None else label2id[t] for t in encoded.tags]
        # Hints read the unmarked text: marking replaces characters one for one, so offsets agree.
        ruled = rules.extract(doc.text) if hints else []
        types = hint_ids(doc.text, enc["offset_mapping"], ruled) if hints else None
        decoy_types = (
            hint_ids(doc.text, enc["offset_mapping"], decoy_spans(doc.text, ruled)) if hints and decoys else None
        )
        for a, b in windows(len(ids), body, min(stride, body)):
            report.windows += 1
            row = {
                "doc_id": doc.id,
                "input_ids": [tokenizer.cls_token_id, *ids[a:b], tokenizer.sep_token_id],
                "labels": [IGNORE, *tag_ids[a:b], IGNORE],
                # Whether the window starts and ends its document: a CRF's start and end scores apply only there.
                "edges": [a == 0, b == len(ids)],
            }
            if types is not None:
                row["token_type_ids"] = [0, *types[a:b], 0]
            if decoy_types is not None:
                row["decoy_type_ids"] = [0, *decoy_types[a:b], 0]
            yield row


def build_dataset(
    docs: list[Document],
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    max_tokens: int,
    stride: int,
    line_marker: str | None = None,
    hints: bool = False,
    decoys: bool = False,
) -> tuple[Dataset, EncodingReport]:
    """Return the windows as a Dataset and a report of spans that could not be encoded.

    With ``hints``, each window also carries ``token_type_ids`` from the rule extractor
    (:mod:`planex.hints`); with ``decoys`` as well, ``decoy_type_ids`` with the decoy hints of
    :mod:`training.decoys`.
    """
    report = EncodingReport()
    rows = list(iter_windows(docs, tokenizer, scheme, max_tokens, stride, report, line_marker, hints, decoys))
    if report.misaligned:
        warnings.warn(
            f"{report.misaligned} of {report.spans} spans do not fall on token boundaries and are not trained on, "
            f"e.g. {report.example}; check them with planex.codec.spans_to_tags",
            MisalignedSpanWarning,
            stacklevel=2,
        )
    return Dataset.from_list(rows), report
