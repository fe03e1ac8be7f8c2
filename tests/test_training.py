"""Training pieces on tiny inputs: data windows, augmentation, folds, scoring, fine-tuning, pretraining resume."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from planex.document import Document, Span
from planex.scheme import load_scheme
from training.augment import augment, swap_lead_form, swap_markers, swap_width
from training.evaluate import kfold
from training.scoring import char_tags, exact_span_scores, seqeval_scores

DOC = Document(
    "d1",
    "（一）加强数据管理。2025年底前，覆盖率达到95%以上。（牵头单位：市大数据局、市财政局）",
    [
        Span(3, 9, "TASK"),
        Span(10, 17, "DEADLINE"),
        Span(18, 28, "INDICATOR"),
        Span(35, 40, "LEAD_UNIT"),
        Span(41, 45, "LEAD_UNIT"),
    ],
)


def _texts(doc: Document) -> list[tuple[str, str]]:
    return [(s.label, doc.text[s.start : s.end]) for s in sorted(doc.spans)]


def test_training_doc_fixture_is_consistent() -> None:
    assert _texts(DOC) == [
        ("TASK", "加强数据管理"),
        ("DEADLINE", "2025年底前"),
        ("INDICATOR", "覆盖率达到95%以上"),
        ("LEAD_UNIT", "市大数据局"),
        ("LEAD_UNIT", "市财政局"),
    ]


@pytest.mark.parametrize("fn", [swap_width, swap_markers, swap_lead_form])
def test_training_augmentation_keeps_span_words(fn) -> None:
    out = fn(DOC)
    assert _texts(out) == _texts(DOC)
    assert out.text != DOC.text


def test_training_lead_form_rewrite() -> None:
    assert swap_lead_form(DOC).text.endswith("（市大数据局、市财政局牵头）")


def test_training_augment_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown augmentation"):
        augment([DOC], ["flip"])


def test_training_kfold_keeps_documents_whole() -> None:
    docs = [Document(f"d{i}", "字" * (10 + i), []) for i in range(11)]
    folds = kfold(docs, 5)
    ids = [d.id for f in folds for d in f]
    assert sorted(ids) == sorted(d.id for d in docs) and len(set(ids)) == 11
    assert all(f for f in folds)


def test_training_scoring_exact_values() -> None:
    text = "加强数据管理2025年"
    gold = [[Span(0, 6, "TASK"), Span(6, 11, "DEADLINE")]]
    pred = [[Span(0, 6, "TASK"), Span(6, 10, "DEADLINE")]]  # boundary error
    s = seqeval_scores([text], gold, pred, ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"))
    assert s["per_label"]["TASK"]["f1"] == 1.0
    assert s["per_label"]["DEADLINE"]["f1"] == 0.0
    assert s["micro"]["f1"] == pytest.approx(0.5)
    assert s["macro"]["f1"] == pytest.approx(0.25)
    e = exact_span_scores([[(0, 6, "TASK")]], [[(0, 6, "TASK"), (7, 8, "TASK")]], ("TASK",))
    assert e["micro"]["precision"] == 0.5 and e["micro"]["recall"] == 1.0
    assert char_tags("abc", [Span(1, 3, "X")]) == ["O", "B-X", "I-X"]


def test_training_dataset_reports_misaligned(tmp_path: Path) -> None:
    from transformers import BertTokenizerFast

    from planex.codec import MisalignedSpanWarning
    from training.data import build_dataset

    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "2025", "年", "底", "前"])}
    tok = BertTokenizerFast(vocab=vocab, do_lower_case=False)
    doc = Document("w", "2025年底前", [Span(2, 8, "DEADLINE")])  # starts inside the word-piece "2025"
    with pytest.warns(MisalignedSpanWarning, match="1 of 1 spans"):
        ds, report = build_dataset([doc], tok, load_scheme(), 16, 8)
    assert report.misaligned == 1 and len(ds) == 1


def test_training_dataset_records_labels_seen_as_one_token() -> None:
    from transformers import BertTokenizerFast

    from training.data import build_dataset

    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "2025", "年", "底", "前", "省"])}
    tok = BertTokenizerFast(vocab=vocab, do_lower_case=False)
    # "2025年底前" is four tokens; "省" as a LEAD_UNIT is one. A window boundary between "2025" and "年"
    # must not count as a one-token DEADLINE: the report reads whole documents.
    doc = Document("w", "2025年底前省", [Span(0, 7, "DEADLINE"), Span(7, 8, "LEAD_UNIT")])
    _, report = build_dataset([doc], tok, load_scheme(), 3, 1)
    assert report.single_token == {"LEAD_UNIT"}


# One tiny pretraining run, the base of the fine-tuning tests (tests/test_pretrain.py tests pretraining itself).
TINY_PRETRAIN = {
    "layers": 1,
    "hidden": 32,
    "heads": 2,
    "seq_len": 32,
    "batch_size": 4,
    "max_steps": 6,
    "eval_every": 3,
    "checkpoint_every": 3,
    "heldout": 0.3,
    "min_freq": 1,
}


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MLM base made by the real pretraining code on a slice of the seeds."""
    from training.pretrain import PretrainConfig, pretrain

    root = tmp_path_factory.mktemp("pre")
    src = root / "texts"
    src.mkdir()
    for p in sorted(Path("seeds").glob("*.txt"))[:2]:
        (src / p.name).write_text(p.read_text(encoding="utf-8")[:3000], encoding="utf-8")
    metrics = pretrain(PretrainConfig(inputs=[src], out=root / "run", **TINY_PRETRAIN))
    assert metrics["steps"] == 6 and 0 <= metrics["heldout_masked_accuracy"] <= 1
    return root / "run"


def test_training_pretrain_writes_loadable_base(tiny_base: Path) -> None:
    from transformers import AutoModelForMaskedLM

    model = AutoModelForMaskedLM.from_pretrained(tiny_base / "model")
    assert model.config.num_hidden_layers == 1
    card = (tiny_base / "model" / "README.md").read_text()
    assert "held-out masked-token accuracy" in card


def test_training_max_minutes_is_checked_after_every_step(tiny_base: Path) -> None:
    """`--max-minutes 1` with a clock that moves 20 s per reading: the run stops at the first step past
    the minute, in the middle of epoch 1 (it used to be checked only after an epoch), and that
    partial epoch is the one kept."""
    import itertools
    from dataclasses import replace

    from training.config import TrainConfig
    from training.loop import fit

    docs = [Document(f"d{i}", DOC.text, list(DOC.spans)) for i in range(4)]
    cfg = TrainConfig(
        labels=[Path("unused")],
        base_model=str(tiny_base / "model"),
        epochs=50,
        max_tokens=32,
        batch_size=1,
        max_minutes=1,
    )
    ticks = itertools.count()
    result = fit(docs, [], cfg, load_scheme(), progress=False, clock=lambda: next(ticks) * 20.0)
    # Readings: start 0 s, before epoch 1 20 s, after steps 1–3 40, 60, 80 s: 80 > 60 stops it.
    assert [(h["epoch"], h["steps"], h.get("stopped")) for h in result.history] == [(1, 3, "max-minutes")]
    assert result.best_epoch == 1
    whole = fit(docs, [], replace(cfg, max_minutes=0, epochs=1), load_scheme(), progress=False)
    assert whole.history[0]["steps"] > 3 and "stopped" not in whole.history[0]  # without the limit: a full epoch


def test_training_with_renamed_leads_runs_every_document_once_per_epoch(tiny_base: Path) -> None:
    from training.config import TrainConfig
    from training.loop import fit

    docs = [Document(f"d{i}", DOC.text, list(DOC.spans)) for i in range(3)]
    cfg = TrainConfig(labels=[Path("unused")], base_model=str(tiny_base / "model"), epochs=2, max_tokens=32)
    plain = fit(docs, [], cfg, load_scheme(), progress=False)
    renamed = fit(docs, [], replace(cfg, rename_leads=1.0), load_scheme(), progress=False)
    # Renamed units change the text's length, not how many windows each document gives here.
    assert [h["steps"] for h in renamed.history] == [h["steps"] for h in plain.history]


def test_training_finetune_tiny_writes_complete_folder(tiny_base: Path, tmp_path: Path) -> None:
    from planex.labelfile import write_documents
    from planex.modelio import load_model
    from training.config import TrainConfig
    from training.finetune import train

    docs = [DOC, Document("d2", DOC.text.replace("数据", "平台"), list(DOC.spans)), Document("d3", DOC.text, DOC.spans)]
    write_documents(tmp_path / "l.jsonl", docs)
    cfg = TrainConfig(
        labels=[tmp_path / "l.jsonl"],
        base_model=str(tiny_base / "model"),
        out=tmp_path / "m",
        epochs=2,
        max_tokens=32,
        dev_fraction=0.34,
        batch_size=4,
    )
    meta = train(cfg)
    loaded = load_model(tmp_path / "m")
    assert loaded.version == meta["version"]
    assert loaded.spec.line_marker == "§"  # serving marks line breaks as training did
    assert loaded.spec.single_token_labels == ()  # DOC's spans are all longer than one character
    assert loaded.spec.max_length == 32 and meta["stride"] == 22  # the quarter-overlap rule, recorded
    assert set(meta["metrics"]) >= {"dev_micro_f1", "best_epoch", "history", "train_seconds"}
    scores = [h["dev_micro_f1"] for h in meta["metrics"]["history"]]
    # Early stopping keeps the best dev epoch, the later one on a tie (this tiny model scores 0.0 twice).
    assert meta["metrics"]["best_epoch"] == max(e for e, f in enumerate(scores, 1) if f == max(scores))
    for name in (
        "model.safetensors",
        "tokenizer.json",
        "config.json",
        "planex.json",
        "README.md",
        "training_args.json",
    ):
        assert (tmp_path / "m" / name).is_file()


def test_training_pretrain_blocks_carry_the_line_marker() -> None:
    from tests.conftest import seed_tokenizer
    from training.pretrain_data import make_blocks

    tok = seed_tokenizer()
    text = "一、总体要求\n" * 6
    ((marked, _),) = make_blocks([text], tok, 64, False, "§")
    ((plain, _),) = make_blocks([text], tok, 64, False, None)
    assert marked.count(tok.convert_tokens_to_ids("§")) == 6 and len(marked) == len(plain) + 6


def test_training_pretrain_init_from_continues_a_finished_base(tiny_base: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from training.pretrain import PretrainConfig, pretrain

    cfg = PretrainConfig(
        inputs=[tiny_base.parent / "texts"],
        out=tmp_path / "more",
        init_from=str(tiny_base / "model"),
        layers=9,  # ignored: the size comes from the model folder
        seq_len=32,
        batch_size=4,
        max_steps=3,
        eval_every=3,
        checkpoint_every=3,
        heldout=0.3,
    )
    metrics = pretrain(cfg)
    assert metrics["steps"] == 3
    before = AutoTokenizer.from_pretrained(tiny_base / "model")
    after = AutoTokenizer.from_pretrained(tmp_path / "more" / "model")
    assert before.get_vocab() == after.get_vocab()
    card = (tmp_path / "more" / "model" / "README.md").read_text()
    assert "(1 layers, hidden 32)" in card
    assert f"| started from | `{tiny_base / 'model'}`, trained further" in card
    with pytest.raises(ValueError, match="not a model folder"):
        PretrainConfig(inputs=[tmp_path], out=tmp_path / "x", init_from=str(tmp_path / "nope"))


def test_training_weak_documents_are_rule_labelled_and_never_gold_texts(tmp_path: Path) -> None:
    from planex import rules
    from training.weak import weak_documents

    other = "一、加强数据管理\n（一）建设数据平台。2025年底前完成。\n（牵头单位：市数据局）\n"
    src = tmp_path / "u.jsonl"
    src.write_text(
        "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate([DOC.text, other]))
    )
    docs = weak_documents([src], {DOC.text}, 10_000, 0)
    assert [d.text for d in docs] == [other]
    assert docs[0].spans == rules.extract(other) and {s.label for s in docs[0].spans} >= {"TASK", "LEAD_UNIT"}
    assert weak_documents([src], set(), 1, 0)[0].text in (DOC.text, other)  # the budget is whole documents


def test_training_weak_stage_runs_before_gold_epochs(tiny_base: Path, tmp_path: Path) -> None:
    from planex.labelfile import write_documents
    from training.config import TrainConfig
    from training.finetune import train

    docs = [DOC, Document("d2", DOC.text.replace("数据", "平台"), list(DOC.spans))]
    write_documents(tmp_path / "l.jsonl", docs)
    src = tmp_path / "u.jsonl"
    unlabelled = [DOC.text, "（一）建设数据平台。（牵头单位：市数据局）\n（二）完善制度。（牵头单位：市财政局）"]
    src.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in unlabelled))
    cfg = TrainConfig(
        labels=[tmp_path / "l.jsonl"],
        base_model=str(tiny_base / "model"),
        out=tmp_path / "m",
        epochs=1,
        max_tokens=32,
        dev_fraction=0.0,
        batch_size=4,
        weak=[src],
        weak_epochs=2,
    )
    meta = train(cfg)
    history = meta["metrics"]["history"]
    assert [h["epoch"] for h in history] == ["weak-1", "weak-2", 1]
    assert meta["weak_documents"] == 1  # DOC's text has gold labels, so only the other one is used
    assert "| rule-labelled documents (first stage) | 1 from" in (tmp_path / "m" / "README.md").read_text()


def test_training_benchmark_ablations_change_one_option_each(tmp_path: Path) -> None:
    from dataclasses import replace

    from training.benchmark import systems_for
    from training.config import TrainConfig

    cfg = TrainConfig(labels=[tmp_path], base_model="b")
    names = ["bert", "bert-random-init", "bert-no-line-marker", "bert+weak@cross-layout", "bert-sqrt-weights"]
    made = {n: f() for n, f in systems_for(names, cfg, load_scheme(), tmp_path / "plans.jsonl").items()}
    configs = {n: s.cfg for n, s in made.items()}  # type: ignore[attr-defined]
    assert configs["bert"] == cfg
    assert configs["bert-random-init"].init == "random"
    assert configs["bert-no-line-marker"].line_marker == "" and cfg.line_marker == "§"
    assert configs["bert+weak@cross-layout"].weak == [tmp_path / "plans.jsonl"] and cfg.weak == []
    assert configs["bert-sqrt-weights"].class_weights == "sqrt"
    assert systems_for(["bert+hints"], cfg, load_scheme())["bert+hints"]().cfg.rule_hints  # type: ignore[attr-defined]
    hinted = replace(cfg, rule_hints=True, augment=["width"])
    assert systems_for(["bert-no-augment"], hinted, load_scheme())["bert-no-augment"]().cfg.augment == []  # type: ignore[attr-defined]
    assert not systems_for(["bert-no-hints"], hinted, load_scheme())["bert-no-hints"]().cfg.rule_hints  # type: ignore[attr-defined]
    weighted = systems_for(["bert-unweighted"], replace(cfg, class_weights="sqrt"), load_scheme())
    assert weighted["bert-unweighted"]().cfg.class_weights == "none"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown system"):
        systems_for(["bert-xl"], cfg, load_scheme())


def test_training_pretrain_mask_chars_follows_bert_recipe() -> None:
    from tests.conftest import seed_tokenizer
    from training.pretrain_data import make_blocks, mask_chars, pad_blocks

    tok = seed_tokenizer()
    text = sorted(Path("seeds").glob("*.txt"))[0].read_text(encoding="utf-8")[:20000]
    rows = pad_blocks(make_blocks([text], tok, 64, False, "§"), tok)
    assert (rows[:, 0] == tok.cls_token_id).all()
    batch = mask_chars(rows, tok, 0.15, torch.Generator().manual_seed(0))
    chosen = batch["labels"] != -100
    ordinary = ~torch.isin(rows, torch.tensor(tok.all_special_ids))
    assert not (chosen & ~ordinary).any()  # [CLS], [SEP] and padding are never predicted
    assert torch.equal(batch["labels"][chosen], rows[chosen])
    assert torch.equal(batch["input_ids"][~chosen], rows[~chosen])  # unchosen tokens are shown as they are
    assert 0.13 < chosen.sum() / ordinary.sum() < 0.17
    masked = (batch["input_ids"][chosen] == tok.mask_token_id).float().mean()
    assert 0.75 < masked < 0.85
    assert torch.equal(batch["attention_mask"].bool(), rows != tok.pad_token_id)


@pytest.mark.parametrize("keep_best", [True, False])
def test_training_pretrain_keeps_the_best_heldout_weights(tiny_base: Path, tmp_path: Path, keep_best: bool) -> None:
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from training.pretrain import PretrainConfig, pretrain
    from training.pretrain_data import make_blocks, read_source, split_heldout
    from training.pretrain_eval import masked_accuracy

    cfg = PretrainConfig(
        inputs=[tiny_base.parent / "texts"],
        out=tmp_path / "run",
        init_from=str(tiny_base / "model"),
        seq_len=32,
        batch_size=4,
        lr=5e-2,  # large enough that held-out accuracy moves from one evaluation to the next
        max_steps=6,
        eval_every=1,
        checkpoint_every=100,
        heldout=0.3,
        keep_best=keep_best,
    )
    metrics = pretrain(cfg)
    accs = {h["step"]: h["heldout_masked_accuracy"] for h in metrics["history"]}
    if keep_best:
        assert metrics["heldout_masked_accuracy"] == max(accs.values())
        assert accs[metrics["selected_step"]] == max(accs.values())
    else:
        assert metrics["selected_step"] == 6 and metrics["heldout_masked_accuracy"] == accs[6]
    # the saved weights are the selected step's: they reproduce its accuracy
    tok = AutoTokenizer.from_pretrained(cfg.out / "model")
    model = AutoModelForMaskedLM.from_pretrained(cfg.out / "model")
    _, held = split_heldout(read_source(cfg.inputs[0]), cfg.heldout, cfg.seed, cfg.heldout_cap)
    blocks = make_blocks(held, tok, cfg.seq_len, False, cfg.line_marker)
    assert masked_accuracy(model, blocks, tok, torch.device("cpu")) == pytest.approx(metrics["heldout_masked_accuracy"])


def test_training_base_model_load_reports_only_surprising_gaps(tiny_base_dir: Path, tmp_path: Path) -> None:
    import warnings

    from safetensors.torch import load_file, save_file

    from planex.scheme import DEFAULT_SCHEME, load_scheme
    from training.loop import build_model

    scheme = load_scheme(DEFAULT_SCHEME)
    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("transformers").addHandler(handler)  # transformers' loggers report here, not to root
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a masked-LM base: the new classifier is expected, nothing is said
            build_model(str(tiny_base_dir), scheme, "pretrained")
    finally:
        logging.getLogger("transformers").removeHandler(handler)
    assert not [m for m in said if "LOAD REPORT" in m or "not sharded" in m], said
    broken = tmp_path / "broken"
    shutil.copytree(tiny_base_dir, broken)
    weights = load_file(broken / "model.safetensors")
    name = next(k for k in weights if k.endswith("attention.self.query.weight"))
    del weights[name]
    save_file(weights, broken / "model.safetensors", metadata={"format": "pt"})
    with pytest.warns(UserWarning, match="1 weights besides the classifier were initialised at random"):
        build_model(str(broken), scheme, "pretrained")
