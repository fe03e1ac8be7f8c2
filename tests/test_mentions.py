"""Mention replacement (training.mentions): lead units renamed, every other span's words kept."""

from __future__ import annotations

import random

from planex.document import Document, Span
from training.augment import augment
from training.mentions import NamePool, replace_mentions


def _doc(id_: str, text: str, units: list[str], task: str) -> Document:
    spans = [Span(text.index(task), text.index(task) + len(task), "TASK")]
    spans += [Span(text.index(u), text.index(u) + len(u), "LEAD_UNIT") for u in units]
    return Document(id_, text, sorted(spans))


DOCS = [
    _doc("a", "1.建设数据平台（牵头单位：汉阳区大数据局、市财政局）。", ["汉阳区大数据局", "市财政局"], "建设数据平台"),
    _doc("b", "2.整治农村道路。责任单位：成安县交通运输局。", ["成安县交通运输局"], "整治农村道路"),
    _doc("c", "3.推进城市更新（市住房城乡建设局、市委组织部负责）", ["市住房城乡建设局", "市委组织部"], "推进城市更新"),
    Document("d", "附件：工作要点", []),
]


def test_pool_splits_names_into_places_and_organs_only_at_a_place() -> None:
    pool = NamePool.of(DOCS)
    assert set(pool.places) == {"汉阳区", "市", "成安县"}
    # `市委组织部` is not 市 + 委组织部, and `住房城乡` is no place.
    assert set(pool.organs) == {"大数据局", "财政局", "交通运输局", "住房城乡建设局"}
    rng = random.Random(3)
    assert all(pool.draw(rng, "市财政局") != "市财政局" for _ in range(50))


def test_replaced_copies_keep_every_other_span_and_relabel_the_new_names() -> None:
    copies = replace_mentions(DOCS, seed=5, share=1.0)
    assert [c.id for c in copies] == ["a+mentions", "b+mentions", "c+mentions"]  # d has no lead unit
    names = NamePool.of(DOCS).names
    for copy, doc in zip(copies, DOCS, strict=False):
        old = [doc.text[s.start : s.end] for s in doc.spans]
        new = [copy.text[s.start : s.end] for s in copy.spans]
        assert [s.label for s in copy.spans] == [s.label for s in doc.spans]
        assert new[0] == old[0]  # the task keeps its words
        assert all(n != o for n, o in zip(new[1:], old[1:], strict=True))
        pool = NamePool.of(DOCS)
        assert all(n in names or any(n.endswith(o) for o in pool.organs) for n in new[1:])
        # the text around the names is unchanged
        assert copy.text.startswith(doc.text[: doc.spans[1].start]) and copy.text[-2:] == doc.text[-2:]


def test_augment_adds_mention_copies_beside_layout_copies() -> None:
    out = augment(DOCS, ["width", "mentions"], seed=1)
    assert {d.id.split("+", 1)[1] for d in out} == {"width", "mentions"}


def test_each_epoch_shows_a_share_of_lead_documents_renamed_in_place_of_their_originals() -> None:
    from training.loop import renamed_rows

    def encode(docs: list[Document]) -> tuple[list[dict[str, object]], object]:
        return [{"doc_id": d.id, "text": d.text} for d in docs], None

    rows, _ = encode(DOCS)
    pool = NamePool.of(DOCS)
    shown = renamed_rows(rows, DOCS, pool, random.Random(0), 1.0, encode)  # type: ignore[arg-type]
    assert sorted(r["doc_id"] for r in shown) == ["a+mentions", "b+mentions", "c+mentions", "d"]
    assert renamed_rows(rows, DOCS, pool, random.Random(0), 0.0, encode) == rows  # type: ignore[arg-type]
    half = [renamed_rows(rows, DOCS, pool, random.Random(s), 0.5, encode) for s in range(20)]  # type: ignore[arg-type]
    assert all(len(h) == len(DOCS) for h in half)  # every document once per epoch, renamed or not
    assert {r["doc_id"] for h in half for r in h} >= {"a", "a+mentions"}


def test_rename_share_must_be_a_share() -> None:
    from pathlib import Path

    import pytest

    from training.config import TrainConfig

    with pytest.raises(ValueError, match="rename-leads"):
        TrainConfig(labels=[Path("x")], base_model="b", rename_leads=1.5)
