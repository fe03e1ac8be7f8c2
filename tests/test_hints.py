"""Rule hints: the rule extractor's spans reach the model as token type ids, in training and serving alike."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from planex import rules
from planex.hints import HINT_LABELS, N_HINT_TYPES, RULES_FINGERPRINT, enable_hints, hint_ids, hint_type
from planex.inference import Extractor
from planex.modelio import LoadedModel, load_model, save_model
from planex.modelspec import spec_from_json, spec_to_json
from planex.scheme import load_scheme
from tests.conftest import seed_tokenizer

TEXT = "（一）建设数据平台。到2025年，覆盖率达到90%以上。（牵头单位：市数据局）\n（二）完善制度。"


def test_hint_ids_follow_the_rule_spans_token_by_token() -> None:
    offsets = [(i, i + 1) for i in range(len(TEXT))]  # a character tokenizer
    types = hint_ids(TEXT, offsets)
    spans = rules.extract(TEXT)
    assert {s.label for s in spans} >= {"TASK", "DEADLINE", "LEAD_UNIT"}
    for s in spans:
        assert types[s.start] == hint_type(s.label, True)
        assert all(types[i] == hint_type(s.label, False) for i in range(s.start + 1, s.end))
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert all(t == 0 for i, t in enumerate(types) if i not in covered)
    assert max(types) < N_HINT_TYPES


def test_enable_hints_grows_type_embeddings_without_changing_predictions(tiny_model_dir: Path) -> None:
    model = load_model(tiny_model_dir).model
    ids = torch.tensor([[2, 10, 11, 12, 3]])
    before = model(input_ids=ids).logits
    enable_hints(model)
    assert model.config.type_vocab_size == N_HINT_TYPES
    hinted = torch.tensor([[0, 1, 2, 7, 0]])
    after = model(input_ids=ids, token_type_ids=hinted).logits
    # new rows start as copies of type 0: the model starts exactly where the base was
    assert torch.allclose(before, after, atol=1e-6)


def test_hint_scale_moves_hint_rows_by_the_character_scale_and_keeps_no_hint(tiny_model_dir: Path) -> None:
    model = load_model(tiny_model_dir).model
    row0 = model.bert.embeddings.token_type_embeddings.weight[0].detach().clone()
    chars = float(model.bert.embeddings.word_embeddings.weight.detach().norm(dim=-1).mean())
    enable_hints(model, scale=2.0)
    rows = model.bert.embeddings.token_type_embeddings.weight.detach()
    assert torch.equal(rows[0], row0)  # "no hint" is untouched: unhinted text reads as before
    moved = (rows[1:] - row0).norm(dim=-1)
    assert torch.allclose(moved, torch.full_like(moved, 2.0 * chars), rtol=1e-4)
    assert len({tuple(r.tolist()) for r in rows}) == N_HINT_TYPES  # every hint distinct from the start


def test_hinted_model_saves_loads_and_reads_hints_when_serving(tmp_path: Path, tiny_model_dir: Path) -> None:
    loaded = load_model(tiny_model_dir)
    enable_hints(loaded.model)
    with torch.no_grad():  # make hints matter, as training would
        loaded.model.bert.embeddings.token_type_embeddings.weight[1:].normal_(0, 5.0)
    spec = replace(loaded.spec, rule_hints=HINT_LABELS)
    path = save_model(tmp_path / "hinted", loaded.model, loaded.tokenizer, spec)
    again = load_model(path)
    assert again.model.config.type_vocab_size == N_HINT_TYPES
    hinted = Extractor(again)
    plain = Extractor(replace(again, spec=replace(again.spec, rule_hints=None)))
    assert hinted.rule_hints and not plain.rule_hints
    raw = TEXT * 3
    norm, with_hints = hinted.extract([raw])[0]
    for e in with_hints:
        assert raw[e.start : e.end] == e.text
    probs_h = hinted.token_probs([norm.text])[0][1]
    probs_p = plain.token_probs([norm.text])[0][1]
    assert not torch.allclose(torch.tensor(probs_h), torch.tensor(probs_p))  # the hints reached the model


def _folder(tmp_path: Path, tiny_model_dir: Path, hinted: bool, **meta: object) -> Path:
    """The tiny model saved again, its weights enlarged for hints or not, with ``meta`` in planex.json."""
    loaded = load_model(tiny_model_dir)
    if hinted:
        enable_hints(loaded.model)
    data = {**spec_to_json(loaded.spec), **meta}
    return save_model(tmp_path / "m", loaded.model, loaded.tokenizer, spec_from_json(data, tmp_path / "m"))


def test_a_model_hinted_with_other_labels_is_refused(tmp_path: Path, tiny_model_dir: Path) -> None:
    path = _folder(tmp_path, tiny_model_dir, True, rule_hints=["TASK", "OTHER"])
    with pytest.raises(ValueError, match="retrain"):
        load_model(path)


def test_hints_claimed_by_planex_json_but_missing_from_the_weights_are_refused(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    path = _folder(tmp_path, tiny_model_dir, False, rule_hints=list(HINT_LABELS))  # type_vocab_size stays 2
    with pytest.raises(ValueError, match="inconsistent"):
        load_model(path)


def test_a_model_trained_with_other_rules_warns(tmp_path: Path, tiny_model_dir: Path) -> None:
    path = _folder(tmp_path, tiny_model_dir, True, rule_hints=list(HINT_LABELS), rules_fingerprint="0123456789ab")
    with pytest.warns(UserWarning, match="retrain it"):
        load_model(path)


def test_training_windows_carry_hints_only_when_asked() -> None:
    from planex.document import Document
    from training.data import build_dataset

    doc = Document("d", TEXT, rules.extract(TEXT))
    tok = seed_tokenizer()
    plain, _ = build_dataset([doc], tok, load_scheme(), 32, 30)
    hinted, _ = build_dataset([doc], tok, load_scheme(), 32, 30, hints=True)
    assert "token_type_ids" not in plain.column_names
    rows = hinted.to_list()
    assert all(len(r["token_type_ids"]) == len(r["input_ids"]) for r in rows)
    assert all(r["token_type_ids"][0] == 0 and r["token_type_ids"][-1] == 0 for r in rows)  # [CLS], [SEP]
    flat = [t for r in rows for t in r["token_type_ids"][1:-1]]
    enc = tok(TEXT, add_special_tokens=False, return_offsets_mapping=True)
    assert flat == hint_ids(TEXT, enc["offset_mapping"])


def test_rule_hints_train_end_to_end_and_are_recorded(tmp_path: Path, tiny_base_dir: Path) -> None:
    from planex.document import Document
    from planex.labelfile import write_documents
    from training.config import TrainConfig
    from training.finetune import train
    from training.modelcard import model_card

    docs = [Document(f"d{i}", TEXT, rules.extract(TEXT)) for i in range(3)]
    write_documents(tmp_path / "l.jsonl", docs)
    cfg = TrainConfig(
        labels=[tmp_path / "l.jsonl"],
        base_model=str(tiny_base_dir),
        out=tmp_path / "m",
        epochs=1,
        max_tokens=32,
        dev_fraction=0.34,
        batch_size=4,
        rule_hints=True,
        hint_dropout=0.25,
    )
    train(cfg)
    meta = json.loads((tmp_path / "m" / "planex.json").read_text())
    assert meta["rule_hints"] == list(HINT_LABELS) and meta["rules_fingerprint"] == RULES_FINGERPRINT
    assert load_model(tmp_path / "m").model.config.type_vocab_size == N_HINT_TYPES
    card = (tmp_path / "m" / "README.md").read_text()
    assert "| rule hints | `planex.rules` spans as token types (25% of training windows without) |" in card
    meta["training_args"] = {**meta["training_args"], "hint_dropout": 0.0}
    assert "spans as token types (on every training window) |" in model_card(meta, load_scheme())
    meta["training_args"]["hint_scale"] = 1.0
    assert "window; hint rows started 1 × the mean character-embedding norm from 'no hint') |" in model_card(
        meta, load_scheme()
    )
    with pytest.raises(ValueError, match="cannot be combined"):
        replace(cfg, weak=[tmp_path / "u.jsonl"])


def test_hint_dropout_hides_hints_from_that_share_of_windows() -> None:
    import random

    from training.batches import make_batches

    rows = [{"input_ids": [2, 5, 6, 3], "labels": [-100, 0, 0, -100], "token_type_ids": [0, 1, 2, 0]}] * 400

    def kept(dropout: float) -> int:
        batches = make_batches(rows, 8, random.Random(0), 0, dropout)
        return sum(int(b["token_type_ids"][r].any()) for b in batches for r in range(len(b["input_ids"])))

    assert kept(0.0) == 400 and kept(1.0) == 0
    assert 160 < kept(0.5) < 240
    plain = [{k: v for k, v in r.items() if k != "token_type_ids"} for r in rows[:8]]
    assert "token_type_ids" not in make_batches(plain, 8, random.Random(0), 0)[0]  # models without hints get none


def test_rules_fingerprint_ignores_comments_and_docstrings_but_not_code() -> None:
    from planex.hints import RULE_MODULES, code_fingerprint

    source, *others = (Path(str(m.__file__)).read_text(encoding="utf-8") for m in RULE_MODULES)
    assert code_fingerprint(source, *others) == RULES_FINGERPRINT
    reworded = source.replace('"""A rule-based extractor', '"""A rule extractor, reworded', 1)
    commented = source.replace("\ndef extract(", "\n# a new comment\n\n\ndef extract(", 1)
    assert reworded != source and commented != source
    assert code_fingerprint(reworded, *others) == code_fingerprint(commented, *others) == RULES_FINGERPRINT
    changed = source.replace("_PRINCIPLES = {", '_PRINCIPLES = {"总体原则", ', 1)
    assert changed != source and code_fingerprint(changed, *others) != RULES_FINGERPRINT


def test_rules_fingerprint_covers_every_planex_module_the_rules_read() -> None:
    import ast

    from planex.hints import RULE_MODULES, code_fingerprint

    sources = [Path(str(m.__file__)).read_text(encoding="utf-8") for m in RULE_MODULES]
    imported = set()
    for node in (n for source in sources for n in ast.walk(ast.parse(source))):
        if isinstance(node, ast.ImportFrom) and node.module == "planex":
            imported |= {f"planex.{a.name}" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("planex."):
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names if a.name.startswith("planex")}
    # Span is the rules' output type, not a rule: changing it cannot change which spans they find.
    assert imported - {"planex.document"} == {m.__name__ for m in RULE_MODULES} - {"planex.rules"}
    indicators = sources[1].replace("_MAX_LEFT = 40", "_MAX_LEFT = 41", 1)
    assert indicators != sources[1]
    assert code_fingerprint(sources[0], indicators, *sources[2:]) != RULES_FINGERPRINT


def test_pieces_of_a_hinted_span_are_returned_as_the_hint() -> None:
    from planex.codec import ScoredSpan
    from planex.document import Span
    from planex.hints import snap_to_hints

    hint = [Span(0, 13, "INDICATOR"), Span(20, 29, "DEADLINE")]
    # `普惠小` + `15%` inside the rules' indicator: one span, the best piece's score
    pieces = [ScoredSpan(0, 3, "INDICATOR", 0.6), ScoredSpan(10, 13, "INDICATOR", 0.9)]
    assert snap_to_hints(pieces, hint) == [ScoredSpan(0, 13, "INDICATOR", 0.9)]
    # the network's own decisions stay: a longer span, another label inside, a hint it left out
    longer = [ScoredSpan(0, 15, "INDICATOR", 0.8)]
    assert snap_to_hints(longer, hint) == longer
    mixed = [ScoredSpan(0, 3, "INDICATOR", 0.6), ScoredSpan(5, 8, "LEAD_UNIT", 0.7)]
    assert snap_to_hints(mixed, hint) == mixed
    assert snap_to_hints([ScoredSpan(20, 22, "DEADLINE", 0.5)], hint) == [ScoredSpan(20, 29, "DEADLINE", 0.5)]
    assert snap_to_hints([ScoredSpan(20, 22, "TASK", 0.5)], hint) == [ScoredSpan(20, 22, "TASK", 0.5)]


def test_table_cells_the_network_left_out_are_filled_and_its_own_spans_stay() -> None:
    from planex.codec import ScoredSpan
    from planex.document import Span
    from planex.hints import fill_from_cells

    cells = [Span(2, 10, "TASK"), Span(12, 20, "LEAD_UNIT"), Span(22, 29, "DEADLINE")]
    found = [ScoredSpan(14, 18, "LEAD_UNIT", 0.9), ScoredSpan(30, 35, "INDICATOR", 0.8)]
    filled = fill_from_cells(found, cells, lambda a, b: 0.25)
    # the task and deadline cells had no span: added; the lead cell had one inside: the network's stays
    assert filled == [
        ScoredSpan(2, 10, "TASK", 0.25),
        ScoredSpan(14, 18, "LEAD_UNIT", 0.9),
        ScoredSpan(22, 29, "DEADLINE", 0.25),
        ScoredSpan(30, 35, "INDICATOR", 0.8),
    ]
    assert fill_from_cells(found, [], lambda a, b: 0.0) == found
    # a span touching a cell's edge does not overlap it
    assert fill_from_cells([ScoredSpan(0, 2, "TASK", 0.5)], cells[:1], lambda a, b: 0.1)[1] == ScoredSpan(
        2, 10, "TASK", 0.1
    )


def test_a_hinted_extractor_fills_in_the_table_cells_the_network_left_out(
    hinted: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    extractor = Extractor(hinted)
    text = "| 序号 | 项目名称 | 牵头单位 | 完成时间 |\n| 1 | 城镇老旧小区改造 | 市住房城乡建设局 | 2024年12月底 |\n"
    cells = rules.table_cells(text)
    assert sorted(text[c.start : c.end] for c in cells) == ["2024年12月底", "城镇老旧小区改造", "市住房城乡建设局"]
    monkeypatch.setattr(extractor, "decode", lambda *args: [])  # a network that found nothing
    extractor.fill_cells = False
    assert extractor.predict_normalised([text]) == [[]]
    extractor.fill_cells = True
    (spans,) = extractor.predict_normalised([text])
    assert [(s.start, s.end, s.label) for s in spans] == [(c.start, c.end, c.label) for c in sorted(cells)]
    assert all(0.0 <= s.score <= 1.0 for s in spans)  # the network's own belief that the cell is a span


def test_a_hinted_extractor_fills_in_the_rule_spans_of_the_labels_asked(
    hinted: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    extractor = Extractor(hinted)
    text = "1.推进城市更新。到2025年，改造老旧小区120个。（牵头单位：市住房城乡建设局）"
    ruled = {s.label: text[s.start : s.end] for s in rules.extract(text)}
    assert ruled["INDICATOR"] == "改造老旧小区120个"
    monkeypatch.setattr(extractor, "decode", lambda *args: [])  # a network that found nothing
    assert extractor.predict_normalised([text]) == [[]]  # off by default
    extractor.fill_labels = frozenset({"INDICATOR"})
    (spans,) = extractor.predict_normalised([text])
    assert [(text[s.start : s.end], s.label) for s in spans] == [("改造老旧小区120个", "INDICATOR")]
    extractor.fill_labels = frozenset(ruled)
    (spans,) = extractor.predict_normalised([text])
    assert {s.label: text[s.start : s.end] for s in spans} == ruled
