"""Span codec: spans ↔ IOB2 tags, ill-formed tag decoding, window merging."""

from __future__ import annotations

import numpy as np
import pytest

from planex.codec import MisalignedSpanWarning, merge_windows, spans_to_tags, tags_to_spans, windows
from planex.document import Span
from planex.normalise import normalise
from training.chartokenizer import build_vocab, make_tokenizer


def test_codec_encodes_character_spans() -> None:
    offsets = [(0, 0), (0, 1), (1, 2), (2, 3), (3, 4), (0, 0)]
    enc = spans_to_tags(offsets, [Span(1, 3, "TASK"), Span(3, 4, "DEADLINE")])
    assert enc.tags == [None, "O", "B-TASK", "I-TASK", "B-DEADLINE", None]
    assert enc.misaligned == []


def test_codec_reports_misaligned_span_never_drops_silently() -> None:
    offsets = [(0, 4), (4, 6)]  # a WordPiece-like token "2023" then "年底"
    with pytest.warns(MisalignedSpanWarning, match="1 span"):
        enc = spans_to_tags(offsets, [Span(2, 6, "DEADLINE")])
    assert enc.misaligned == [Span(2, 6, "DEADLINE")]
    assert enc.tags == ["O", "O"]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["B-TASK", "I-TASK", "O"], [(0, 2, "TASK")]),
        (["O", "I-TASK", "I-TASK"], [(1, 3, "TASK")]),  # stray I- starts an entity
        (["B-TASK", "I-DEADLINE"], [(0, 1, "TASK"), (1, 2, "DEADLINE")]),  # label switch splits
        (["B-TASK", "B-TASK"], [(0, 1, "TASK"), (1, 2, "TASK")]),
        (["I-TASK", None, "I-TASK"], [(0, 1, "TASK"), (2, 3, "TASK")]),  # special token closes
        (["O", "O"], []),
    ],
)
def test_codec_decoding_policy(tags: list[str | None], expected: list[tuple[int, int, str]]) -> None:
    offsets = [(i, i + 1) for i in range(len(tags))]
    assert [(s.start, s.end, s.label) for s in tags_to_spans(tags, offsets)] == expected


def test_codec_scores_are_token_means() -> None:
    spans = tags_to_spans(["B-TASK", "I-TASK"], [(0, 1), (1, 2)], [0.5, 1.0])
    assert spans[0].score == pytest.approx(0.75)


@pytest.mark.parametrize(("n", "size", "stride"), [(0, 4, 2), (3, 4, 2), (10, 4, 3), (100, 7, 5), (8, 8, 8)])
def test_codec_windows_cover_every_token(n: int, size: int, stride: int) -> None:
    ws = windows(n, size, stride)
    covered = set()
    for a, b in ws:
        assert 0 <= a < b <= n or n == 0
        assert b - a <= size
        covered.update(range(a, b))
    assert covered == set(range(n))


def test_codec_merge_prefers_central_window() -> None:
    ws = windows(10, 4, 3)  # (0,4) (3,7) (6,10)
    probs = [np.full((b - a, 1), float(k)) for k, (a, b) in enumerate(ws)]
    merged = merge_windows(probs, ws, 10).ravel().tolist()
    # token 3 sits on the edge of window 0 and at position 0 of window 1: ties go to the earlier
    assert merged == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_codec_window_merge_equals_single_pass_on_identical_predictions() -> None:
    rng = np.random.default_rng(0)
    full = rng.random((50, 3))
    ws = windows(50, 16, 10)
    merged = merge_windows([full[a:b] for a, b in ws], ws, 50)
    assert np.array_equal(merged, full)  # no duplicates, nothing lost


def test_codec_round_trip_on_seed_labels(seed_texts: dict[str, str]) -> None:
    """spans → tags → spans is the identity for the character tokenizer on real seed text."""
    from tests.test_labels_data import seed_documents

    docs = seed_documents()
    tokenizer = make_tokenizer(build_vocab([d.text for d in docs], min_freq=1))
    for doc in docs:
        enc = tokenizer(doc.text, return_offsets_mapping=True, verbose=False)
        offsets = enc["offset_mapping"]
        encoded = spans_to_tags(offsets, doc.spans)
        assert encoded.misaligned == []
        decoded = tags_to_spans(encoded.tags, offsets)
        assert [(s.start, s.end, s.label) for s in decoded] == [(s.start, s.end, s.label) for s in sorted(doc.spans)]
    assert normalise(seed_texts["002_09fd2415f66b5df1"]).text in {d.text for d in docs}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([[0.6, 0.3, 0.1], [0.2, 0.1, 0.7]], ["B-X", "I-X"]),  # argmax O,I-X is ill-formed
        ([[0.1, 0.1, 0.8], [0.1, 0.1, 0.8]], ["B-X", "I-X"]),  # cannot start with I-X
        ([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05]], ["O", "O"]),
        ([[0.1, 0.8, 0.1], [0.1, 0.5, 0.4]], ["B-X", "I-X"]),  # argmax B-X,B-X would cut one span in two
        ([], []),
    ],
)
def test_codec_viterbi_returns_well_formed_best_path(rows, expected) -> None:
    from planex.codec import viterbi_tags

    probs = np.array(rows, dtype=float).reshape(len(rows), 3)
    assert viterbi_tags(probs, ["O", "B-X", "I-X"]) == expected


def test_codec_viterbi_never_ill_formed_on_random_probabilities() -> None:
    from planex.codec import viterbi_tags

    tags = ["O", "B-A", "I-A", "B-B", "I-B"]
    probs = np.random.default_rng(0).dirichlet(np.ones(5), size=400)
    path = viterbi_tags(probs, tags)
    for prev, cur in zip(["O", *path], path, strict=False):
        if cur.startswith("I-"):
            assert prev in ("B-" + cur[2:], cur)
        if cur.startswith("B-"):
            assert prev not in (cur, "I-" + cur[2:])  # spans of one label never touch


def test_codec_viterbi_drops_one_token_spans_of_labels_never_seen_so() -> None:
    from planex.codec import viterbi_tags

    tags = ["O", "B-A", "I-A", "B-B", "I-B"]
    # Token 0 leans B-A, token 1 is clearly outside: the lone B-A is a fragment.
    probs = np.array([[0.3, 0.7, 0.0, 0.0, 0.0], [0.9, 0.0, 0.05, 0.05, 0.0], [0.1, 0.0, 0.0, 0.6, 0.3]])
    assert viterbi_tags(probs, tags) == ["B-A", "O", "B-B"]  # no constraint: every length allowed
    assert viterbi_tags(probs, tags, single={"B"}) == ["O", "O", "B-B"]  # B may be one token, A may not
    assert viterbi_tags(probs, tags, single=set()) == ["O", "O", "O"]  # nor may the text end on a lone B
    rng = np.random.default_rng(1)
    path = viterbi_tags(rng.dirichlet(np.ones(5), size=300), tags, single={"B"})
    for cur, nxt in zip(path, [*path[1:], "O"], strict=True):
        if cur == "B-A":
            assert nxt == "I-A"


def _brute_force_best(logp: np.ndarray, tags: list[str], single: set[str] | None, breaks: set[int]) -> list[str]:
    """The best well-formed path by trying every tag sequence (tiny inputs only)."""
    import itertools

    best: tuple[float, list[str]] = (-np.inf, [])
    for path in itertools.product(range(len(tags)), repeat=len(logp)):
        seq = [tags[k] for k in path]
        if any(seq[i] != "O" for i in breaks):
            continue
        ok = True
        for prev, cur in zip(["O", *seq], [*seq, "O"], strict=True):
            if cur.startswith("I-") and prev not in ("B-" + cur[2:], cur):
                ok = False
            if cur.startswith("B-") and prev in (cur, "I-" + cur[2:]):
                ok = False
            if single is not None and prev.startswith("B-") and prev[2:] not in single and cur != "I-" + prev[2:]:
                ok = False
        score = float(sum(logp[i, k] for i, k in enumerate(path)))
        if ok and score > best[0]:
            best = (score, seq)
    return best[1]


@pytest.mark.parametrize("seed", range(12))
def test_codec_viterbi_with_breaks_is_the_best_path_with_breaks_pinned_to_o(seed: int) -> None:
    from planex.codec import viterbi_tags

    rng = np.random.default_rng(seed)
    tags = ["O", "B-A", "I-A", "B-B", "I-B"]
    n = int(rng.integers(1, 8))
    probs = rng.dirichlet(np.ones(5) * 0.5, size=n)
    breaks = {int(b) for b in rng.integers(0, n, size=int(rng.integers(0, 3)))}
    single = None if seed % 2 else {"B"}
    expected = _brute_force_best(np.log(np.clip(probs, 1e-12, 1.0)), tags, single, breaks)
    assert viterbi_tags(probs, tags, single, sorted(breaks)) == expected


def test_codec_viterbi_lines_side_by_side_equal_one_run_per_line() -> None:
    from planex.codec import viterbi_tags

    rng = np.random.default_rng(7)
    tags = ["O", "B-A", "I-A", "B-B", "I-B"]
    probs = rng.dirichlet(np.ones(5) * 0.3, size=900)
    breaks = sorted({int(b) for b in rng.integers(0, 900, size=40)} | {0, 899})
    together = viterbi_tags(probs, tags, {"B"}, breaks)
    bounds = zip([0, *(b + 1 for b in breaks)], [*breaks, 900], strict=True)
    one_by_one = ["O"] * 900
    for a, b in bounds:
        one_by_one[a:b] = viterbi_tags(probs[a:b], tags, {"B"})
    assert together == one_by_one
    assert all(together[b] == "O" for b in breaks)
    assert any(t != "O" for t in together)
