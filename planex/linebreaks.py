"""Make line breaks visible to the model.

BERT tokenizers (ours and the hub's) drop whitespace, so ``一、加强监测\\n（一）…`` reaches the
model as one run of characters and a heading cannot be told from the sentence after it. Task
names are headings, and lead units often close a line, so each ``\\n`` is replaced by a marker
character before tokenising. The replacement is one character for one: token offsets still
index the original text, and no span can start or end on the marker (spans never hold a line
break after normalisation).

The marker travels in the model's ``planex.json`` (``line_marker``) so that serving marks lines
exactly as training did; models trained without one (``None``) see text as before.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads DEFAULT_MARKER for `train --help`, which must not import transformers
    from transformers import PreTrainedTokenizerBase

DEFAULT_MARKER = "§"  # in GB2312 and the hub Chinese vocabularies; absent from the corpus and the seeds


def mark_lines(text: str, marker: str | None) -> str:
    """``text`` with every line break replaced by ``marker`` (unchanged when ``marker`` is None)."""
    return text.replace("\n", marker) if marker else text


def check_marker(tokenizer: PreTrainedTokenizerBase, marker: str) -> None:
    """Refuse a marker the tokenizer would not keep as one token of its own."""
    if len(marker) != 1 or marker.isspace():
        raise ValueError(f"--line-marker must be one visible character, not {marker!r}")
    enc = tokenizer("甲" + marker + "乙", add_special_tokens=False, return_offsets_mapping=True)
    if [tuple(o) for o in enc["offset_mapping"]] != [(0, 1), (1, 2), (2, 3)]:
        raise ValueError(
            f"the tokenizer does not keep {marker!r} as a token of its own; choose another --line-marker "
            "(a punctuation character from its vocabulary) or --line-marker '' to train without one"
        )
    if enc["input_ids"][1] == tokenizer.unk_token_id:
        warnings.warn(
            f"{marker!r} is not in the tokenizer's vocabulary: line breaks will share the [UNK] token",
            stacklevel=2,
        )
