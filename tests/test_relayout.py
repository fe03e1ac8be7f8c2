"""Relayout: gold task records written again in other layouts, with exact spans and links (no training)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planex.document import Document, Span
from planex.labelfile import load_documents, write_documents
from planex.links import Link
from planex.normalise import normalise
from planex.scheme import load_scheme
from training.relayout import LAYOUTS, relayout, relayout_document
from training.relayout_records import Record, task_records

ITEMS = [
    ("加强数据管理", "2025年底前", ["市大数据局", "市财政局"], "数据共享率达到95%以上"),
    ("建设城市大脑", "2024年6月底前", ["市数据中心"], ""),
    ("推进一网通办", "", ["市政务服务局"], "网上可办率达到90%"),
    ("完善安全体系", "到2025年", [], ""),
    ("优化营商环境", "2023年年底前", ["市发展改革委", "市商务局"], ""),
    ("提升基层治理能力", "", [], ""),
]


def _gold() -> Document:
    """Six items in the seed plans' layout, with every span linked to its item's task."""
    text, spans, links = "重点任务\n", [], []
    for n, (task, deadline, leads, target) in enumerate(ITEMS, 1):
        text += f"{n}. "
        t = (len(text), len(text) + len(task))
        text += task + "。"
        spans.append(Span(*t, "TASK"))
        attrs = []
        if deadline:
            attrs.append((len(text), len(text) + len(deadline), "DEADLINE"))
            text += deadline + "，"
        if target:
            attrs.append((len(text), len(text) + len(target), "INDICATOR"))
            text += target + "。"
        if leads:
            text += "（牵头单位："
            for i, lead in enumerate(leads):
                text += "、" * (i > 0)
                attrs.append((len(text), len(text) + len(lead), "LEAD_UNIT"))
                text += lead
            text += "）"
        text += "\n"
        spans += [Span(*a) for a in attrs]
        links += [Link(t, a[:2]) for a in attrs]
    return Document("g1", text, spans, "gold.txt", links=links)


def _pairs(doc: Document) -> set[tuple[str, str, str]]:
    label = {(s.start, s.end): s.label for s in doc.spans}
    return {(doc.text[k.task[0] : k.task[1]], label[k.span], doc.text[k.span[0] : k.span[1]]) for k in doc.links or []}


def test_relayout_gold_fixture_is_consistent() -> None:
    doc = _gold()
    assert [doc.text[s.start : s.end] for s in sorted(doc.spans) if s.label == "TASK"] == [i[0] for i in ITEMS]
    assert task_records(doc)[0] == Record(
        "加强数据管理", ("2025年底前",), ("市大数据局", "市财政局"), ("数据共享率达到95%以上",)
    )
    assert task_records(doc)[3] == Record("完善安全体系", ("到2025年",))


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_relayout_each_layout_keeps_span_texts_and_links(layout: str) -> None:
    gold = _gold()
    texts = {(s.label, gold.text[s.start : s.end]) for s in gold.spans}
    made = [d for copy in range(3) for d in relayout_document(gold, seed=1, copy=copy, layouts=[layout])]
    assert made and all(d.meta["relayout"] == layout for d in made)
    for doc in made:
        assert doc.links
        by_offsets = {(s.start, s.end): s.label for s in doc.spans}
        for s in doc.spans:
            assert (s.label, doc.text[s.start : s.end]) in texts  # exact offsets, the source span's text
        for link in doc.links:
            assert by_offsets[link.task] == "TASK" and by_offsets[link.span] != "TASK"
        assert _pairs(doc) <= _pairs(gold)  # each attribute still belongs to its own task
        linked = {k.span for k in doc.links}
        assert all((s.start, s.end) in linked for s in doc.spans if s.label != "TASK")


def test_relayout_writer_gives_the_text_the_server_would_read() -> None:
    """The raw layout is normalised like any input: a long cell that does not end a sentence joins the
    next line (as in a real cell-per-line export), and the spans move with it."""
    from training.relayout_records import Writer

    w = Writer()
    task = "推进全市政务数据公共数据和社会数据统筹管理融合应用"
    w.put("1\n")
    w.put(task, "TASK")
    w.put("\n")
    w.put("市大数据局", "LEAD_UNIT")
    w.put("\n")
    doc = w.document("x", "", {})
    assert doc is not None and doc.text == normalise("1\n" + task + "\n市大数据局\n").text == f"1\n{task}市大数据局\n"
    assert [(s.label, doc.text[s.start : s.end]) for s in doc.spans] == [("TASK", task), ("LEAD_UNIT", "市大数据局")]
    task_span, lead_span = doc.spans
    assert doc.links == [Link((task_span.start, task_span.end), (lead_span.start, lead_span.end))]


def test_relayout_helpers_and_open_deadlines_stay_unlabelled() -> None:
    """Units in 配合 / 责任单位-beside-a-lead slots and ``长期坚持``-style cells are written but never spans."""
    gold = _gold()
    made = [d for copy in range(40) for d in relayout_document(gold, seed=0, copy=copy)]
    helper_seen = open_seen = False
    for doc in made:
        spans = {doc.text[s.start : s.end] for s in doc.spans}
        helper_seen |= any(u in doc.text and "配合" in doc.text for u in ["市商务局", "市政务服务局"])
        open_seen |= any(w in doc.text for w in ("长期坚持", "持续推进", "长期推进"))
        assert not spans & {"长期坚持", "持续推进", "长期推进"}
    assert helper_seen and open_seen
    # Pairs are a subset of the gold's: a helper unit labelled as lead would link to a task it does not lead.
    assert all(_pairs(d) <= _pairs(gold) for d in made)


def test_relayout_draws_every_layout_and_is_deterministic() -> None:
    gold = _gold()
    docs = relayout([gold], 60, seed=5)
    assert {d.meta["relayout"] for d in docs} == set(LAYOUTS)
    again = relayout([gold], 60, seed=5)
    assert [d.to_json() for d in docs] == [d.to_json() for d in again]
    assert [d.to_json() for d in relayout([gold], 60, seed=6)] != [d.to_json() for d in docs]


def test_relayout_skips_documents_without_links() -> None:
    gold = _gold()
    assert relayout([Document("a", gold.text, gold.spans)], 3) == []  # links not labelled yet
    assert relayout([Document("b", gold.text, gold.spans, links=[])], 3) == []  # labelled: no links
    assert relayout([gold], 0) == []
    with pytest.raises(ValueError, match="unknown layout"):
        relayout_document(gold, layouts=["poem"])


def test_relayout_documents_pass_the_label_checks(tmp_path: Path) -> None:
    """Written out and read back as `planex labels check` reads label files: spans, links, ids all valid."""
    docs = relayout([_gold()], 20, seed=2)
    path = tmp_path / "synthetic.jsonl"
    write_documents(path, docs)
    assert len(load_documents([path], load_scheme())) == len(docs)


def test_relayout_long_tasks_only_go_into_tables() -> None:
    """A heading of 30 characters or more is prose in an item (T10), so such records are written as table rows."""
    long_task = "推进全市政务数据、公共数据和社会数据的统筹管理与融合应用，提升数据资源配置效率"
    assert len(long_task) >= 30
    gold = _gold()
    text = gold.text + f"7. {long_task}。\n"
    start = text.index(long_task)
    spans = [*gold.spans, Span(start, start + len(long_task), "TASK")]
    doc = Document("g2", text, spans, links=gold.links)
    made = [d for copy in range(20) for d in relayout_document(doc, copy=copy)]
    with_long = [d for d in made if long_task in d.text]
    assert with_long and all(
        d.meta["relayout"].endswith("table") or d.meta["relayout"] == "cell_per_line" for d in with_long
    )


def test_relayout_config_and_benchmark_system(tmp_path: Path) -> None:
    from training.benchmark import systems_for
    from training.config import TrainConfig

    cfg = TrainConfig(labels=[tmp_path], base_model="b")
    assert cfg.relayout == 0
    system = systems_for(["bert+relayout"], cfg, load_scheme())["bert+relayout"]()
    assert system.cfg.relayout == 2 and system.cfg.augment == cfg.augment  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="--relayout"):
        TrainConfig(labels=[tmp_path], base_model="b", relayout=-1)


def test_relayout_reaches_training_documents_only(tiny_base_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fit() encodes the training documents and their relayouts; the dev documents are left as labelled."""
    import training.loop
    from training.config import TrainConfig

    encoded: list[list[str]] = []

    def capture(docs: list[Document], *args: object, **kwargs: object) -> None:
        encoded.append([d.id for d in docs])
        raise StopIteration  # enough: the documents are what is checked

    monkeypatch.setattr(training.loop, "build_dataset", capture)
    train, dev = _gold(), Document("dev", _gold().text, _gold().spans, links=_gold().links)
    cfg = TrainConfig(labels=[Path("unused")], base_model=str(tiny_base_dir), relayout=2, epochs=1, max_tokens=32)
    with pytest.raises(StopIteration):
        training.loop.fit([train], [dev], cfg, load_scheme(), progress=False)
    ids = encoded[0]
    assert ids[0] == "g1" and len(ids) > 1 and all(i.startswith("g1+relayout") for i in ids[1:])


@pytest.mark.skipif(not Path("labels/corpus").is_dir(), reason="needs the repository's gold labels")
def test_relayout_gold_labels_render_and_pass_checks() -> None:
    """On the repository's gold: nearly every chunk of records renders, and what renders passes the checks."""
    docs = [d for d in load_documents(["labels/"], load_scheme()) if d.links]
    made = relayout(docs, 1, seed=0)
    linked = sum(bool(r.deadlines or r.leads or r.indicators) for d in docs for r in task_records(d))
    written = {(d.id.split("+")[0], d.text[s.start : s.end]) for d in made for s in d.spans if s.label == "TASK"}
    records = {(d.id, r.task) for d in docs for r in task_records(d) if r.deadlines or r.leads or r.indicators}
    assert linked > 400 and len(records & written) >= 0.9 * len(records)  # records with links: all kept
    texts = {(s.label, d.text[s.start : s.end]) for d in docs for s in d.spans}
    assert all((s.label, d.text[s.start : s.end]) in texts for d in made for s in d.spans)
