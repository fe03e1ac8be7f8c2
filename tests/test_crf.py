"""The learned CRF (``--crf``): its loss and decoding against brute force, its file, training and serving with it."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from planex.codec import constraints
from planex.crf import CRF_FILE, CrfFileError, CrfScores, crf_tags, iob2_allowed, read_crf, save_crf
from planex.document import Document, Span
from planex.scheme import load_scheme
from training.crf import CrfHead
from training.data import IGNORE

TAGS = ("O", "B-A", "I-A", "B-B", "I-B")


def _head(seed: int) -> CrfHead:
    head = CrfHead(TAGS)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in head.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    return head


def _path_score(em: np.ndarray, path: tuple[int, ...], trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> float:
    total = start[path[0]] + end[path[-1]] + sum(em[i, k] for i, k in enumerate(path))
    return float(total + sum(trans[a, b] for a, b in itertools.pairwise(path)))


def _brute_nll(em: np.ndarray, gold: list[int], head: CrfHead, first: bool, last: bool) -> float:
    """log Z - gold score by summing over every tag sequence (tiny inputs only)."""
    s = head.scores()
    start = s.start if first else np.zeros(len(TAGS))  # a window cut inside a span may start with I-X
    end = s.end if last else np.zeros(len(TAGS))
    scores = [
        _path_score(em, p, s.transitions, start, end) for p in itertools.product(range(len(TAGS)), repeat=len(em))
    ]
    log_z = float(np.logaddexp.reduce(scores))
    return log_z - _path_score(em, tuple(gold), s.transitions, start, end)


@pytest.mark.parametrize("seed", range(4))
def test_crf_loss_equals_brute_force_log_partition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    head = _head(seed)
    # Two windows: [CLS] 4 tokens [SEP] and [CLS] 3 tokens [SEP] + padding; the second is cut inside a span.
    em = rng.normal(size=(2, 6, len(TAGS))).astype(np.float32)
    labels = torch.tensor([[IGNORE, 0, 1, 2, 0, IGNORE], [IGNORE, 2, 0, 3, IGNORE, IGNORE]])
    edges = torch.tensor([[True, True], [False, True]])
    loss = head.nll(torch.from_numpy(em), labels, edges)
    expected = _brute_nll(em[0, 1:5], [0, 1, 2, 0], head, True, True)
    expected += _brute_nll(em[1, 1:4], [2, 0, 3], head, False, True)
    assert float(loss.detach()) == pytest.approx(expected / 7, rel=1e-5)  # per labelled token
    loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in head.parameters())  # the -inf transitions stay out
    assert float(head.transitions.grad[0, 2]) == 0.0  # O → I-A is never learned


def test_crf_loss_skips_unlabelled_tokens_inside_a_window() -> None:
    head = _head(9)
    em = torch.randn(1, 5, len(TAGS))
    holed = head.nll(em, torch.tensor([[IGNORE, 1, IGNORE, 2, IGNORE]]))
    packed = head.nll(em[:, [1, 3]], torch.tensor([[1, 2]]))
    assert float(holed.detach()) == pytest.approx(float(packed.detach()))


def _brute_best(em: np.ndarray, crf: CrfScores, single: set[str] | None, breaks: set[int]) -> tuple[list[str], float]:
    fixed, learned = constraints(TAGS, single), (crf.transitions, crf.start, crf.end)
    trans, start, end = (a + b for a, b in zip(fixed, learned, strict=True))
    best, best_score, scores = None, -np.inf, []
    for path in itertools.product(range(len(TAGS)), repeat=len(em)):
        if any(path[i] != 0 for i in breaks):
            continue
        score = _path_score(
            np.where(np.isin(np.arange(len(em)), list(breaks))[:, None], 0.0, em), path, trans, start, end
        )
        scores.append((score, path))
        if score > best_score:
            best, best_score = path, score
    assert best is not None
    # The marginal of the best path's tag at token 0.
    z = np.logaddexp.reduce([s for s, _ in scores])
    marginal0 = float(np.exp(np.logaddexp.reduce([s for s, p in scores if p[0] == best[0]]) - z))
    return [TAGS[k] for k in best], marginal0


@pytest.mark.parametrize("seed", range(10))
def test_crf_decode_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    crf = _head(100 + seed).scores()
    n = int(rng.integers(1, 7))
    em = rng.normal(scale=2.0, size=(n, len(TAGS)))
    breaks = {int(b) for b in rng.integers(1, n, size=int(rng.integers(0, 2)))} if n > 1 else set()
    single = None if seed % 2 else {"B"}
    tags, marginal = crf_tags(em, crf, single, sorted(breaks))
    expected, marginal0 = _brute_best(em, crf, single, breaks)
    assert tags == expected
    if not breaks:  # with breaks the brute force pins them in its sum too, but token 0's line is checked alone
        assert marginal[0] == pytest.approx(marginal0)
    assert all(marginal[b] == 1.0 for b in breaks) and ((marginal > 0) & (marginal <= 1 + 1e-9)).all()


def test_crf_scores_file_round_trip_and_refusals(tmp_path: Path) -> None:
    crf = _head(1).scores()
    save_crf(tmp_path, crf)
    back = read_crf(tmp_path, TAGS)
    for name in ("transitions", "start", "end"):
        np.testing.assert_allclose(getattr(back, name), getattr(crf, name), rtol=1e-6)
    assert np.isneginf(back.transitions[0, 2]) and np.isneginf(back.start[2])
    with pytest.raises(CrfFileError, match="scores the tags"):
        read_crf(tmp_path, ("O", "B-A", "I-A"))
    with pytest.raises(CrfFileError, match="shape"):
        CrfScores(TAGS, np.zeros((4, 4)), np.zeros(5), np.zeros(5))
    with pytest.raises(CrfFileError, match="NaN"):
        CrfScores(TAGS, np.zeros((5, 5)), np.full(5, np.nan), np.zeros(5))
    (tmp_path / CRF_FILE).write_bytes(b"not safetensors")
    with pytest.raises(CrfFileError, match="cannot be read"):
        read_crf(tmp_path, TAGS)


def test_crf_iob2_allowed_matches_the_decoder_constraints() -> None:
    allowed, first = iob2_allowed(TAGS)
    trans, start, _ = constraints(TAGS)
    assert (np.isfinite(trans) <= allowed).all()  # the decoder forbids at least what IOB2 forbids
    assert (np.isfinite(start) == first).all()


def add_crf(folder: Path, tags: tuple[str, ...], seed: int = 0) -> None:
    """Give a tiny model folder a CRF: random scores in crf.safetensors, and ``crf: true`` in its spec."""
    head = CrfHead(tags)
    with torch.no_grad():
        for p in head.parameters():
            p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(seed)))
    save_crf(folder, head.scores())
    meta = folder / "planex.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "crf": True}))


@pytest.fixture(scope="module")
def crf_model(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crf") / "tiny-crf"
    shutil.copytree(tiny_model_dir, folder)
    add_crf(folder, load_scheme().tags)
    return folder


def test_crf_model_loads_serves_raw_offsets_and_plain_transformers(crf_model: Path) -> None:
    from transformers import AutoModelForTokenClassification

    from planex.inference import Extractor
    from planex.modelio import load_model

    loaded = load_model(crf_model)
    assert loaded.crf is not None and loaded.spec.crf and loaded.crf.tags == load_scheme().tags
    raw = "（一）加强\r\n数据管理。２０２５年底前完成。\n（牵头单位：市大数据局）" * 30
    [(_, entities)] = Extractor(loaded).extract([raw])
    assert entities  # a random CRF still predicts spans here
    for e in entities:
        assert raw[e.start : e.end] == e.text and 0 < e.score <= 1
    plain = AutoModelForTokenClassification.from_pretrained(str(crf_model), use_safetensors=True)
    assert plain.config.id2label[0] == "O"


def test_crf_model_refused_when_its_file_is_missing_or_wrong(crf_model: Path, tmp_path: Path) -> None:
    from planex.modelio import ModelLoadError, load_model

    shutil.copytree(crf_model, tmp_path / "missing")
    (tmp_path / "missing" / CRF_FILE).unlink()
    with pytest.raises(ModelLoadError, match=r"crf\.safetensors is missing"):
        load_model(tmp_path / "missing")
    shutil.copytree(crf_model, tmp_path / "wrong")
    save_crf(tmp_path / "wrong", _head(0).scores())  # five tags, not the scheme's nine
    with pytest.raises(ModelLoadError, match="scores the tags"):
        load_model(tmp_path / "wrong")


def test_crf_training_saves_scores_that_load_back(tiny_base_dir: Path, tmp_path: Path) -> None:
    from planex.labelfile import write_documents
    from planex.modelio import load_model
    from training.config import TrainConfig
    from training.finetune import train

    text = "（一）加强数据管理。2025年底前，覆盖率达到95%以上。（牵头单位：市大数据局、市财政局）"
    spans = [Span(3, 9, "TASK"), Span(10, 17, "DEADLINE"), Span(35, 40, "LEAD_UNIT")]
    docs = [Document(f"d{i}", text, spans) for i in range(3)]
    write_documents(tmp_path / "l.jsonl", docs)
    cfg = TrainConfig(
        labels=[tmp_path / "l.jsonl"], base_model=str(tiny_base_dir), out=tmp_path / "m", epochs=2,
        max_tokens=24, dev_fraction=0.34, batch_size=4, crf=True,
    )  # fmt: skip
    meta = train(cfg)
    loaded = load_model(tmp_path / "m")
    assert meta["crf"] and loaded.crf is not None
    assert json.loads((tmp_path / "m" / "training_args.json").read_text())["crf"] is True
    assert "crf.safetensors" in (tmp_path / "m" / "README.md").read_text()
    assert np.abs(loaded.crf.transitions[np.isfinite(loaded.crf.transitions)]).max() > 0  # it learned
    with pytest.raises(ValueError, match="per-tag weights"):
        TrainConfig(labels=[tmp_path], base_model="b", crf=True, class_weights="sqrt")


def test_crf_benchmark_system_and_external_names(tmp_path: Path) -> None:
    from training.benchmark import systems_for
    from training.config import TrainConfig
    from training.external import SYSTEMS, system_key

    cfg = TrainConfig(labels=[tmp_path], base_model="b", class_weights="sqrt")
    system = systems_for(["bert+crf"], cfg, load_scheme())["bert+crf"]()
    assert system.cfg.crf and system.cfg.class_weights == "none"  # type: ignore[attr-defined]
    assert "--crf" in SYSTEMS["random-init+crf"] and system_key("in-house+crf") == "in_house_crf"
