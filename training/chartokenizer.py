"""Build the project's character-level vocabulary and save it as a standard fast tokenizer.

Vocabulary rule: the five special tokens, every character of GB2312 (the 6,763 common
simplified Han characters plus punctuation, digits and letters), every printable ASCII
character, and every other character seen at least ``min_freq`` times in the pretraining
text. Text is normalised to simplified script before tokenising, so GB2312 covers almost
everything a plan contains and unseen characters rarely become ``[UNK]``.

Every non-space character is its own token, so token offsets are character offsets and
entity spans always fall on token boundaries. Whitespace is skipped, not tokenised.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def gb2312_chars() -> list[str]:
    chars = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([hi, lo]).decode("gb2312"))
    return chars


def build_vocab(texts: Iterable[str], min_freq: int = 2) -> list[str]:
    """Return the vocabulary in id order (specials first, then a stable sorted order)."""
    counts = Counter(ch for t in texts for ch in t if not ch.isspace())
    chars = set(gb2312_chars()) | {chr(c) for c in range(0x21, 0x7F)}
    chars |= {ch for ch, n in counts.items() if n >= min_freq}
    return SPECIALS + sorted(chars - set(SPECIALS))


def make_tokenizer(vocab: list[str], model_max_length: int = 512) -> PreTrainedTokenizerFast:
    ids = {tok: i for i, tok in enumerate(vocab)}
    tok = Tokenizer(models.WordLevel(ids, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex("."), "isolated")]
    )
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
    )


def save_tokenizer(vocab: list[str], out: Path) -> PreTrainedTokenizerFast:
    tokenizer = make_tokenizer(vocab)
    tokenizer.save_pretrained(out)
    return tokenizer
