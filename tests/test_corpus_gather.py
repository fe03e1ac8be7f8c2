"""Gathering plan documents: the filter, near-duplicates, the reserved check and the raw formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex import corpus_gather as cg

PLAN = (
    "一、重点任务\n1.推进老旧小区改造，年内完成120个小区。（县住建局牵头，县财政局配合，2024年12月底前完成）\n"
    "2.新建幼儿园3所。责任单位：县教育局；完成时限：2024年9月。\n"
)


def test_corpus_gather_windows_drop_whitespace_and_slide_by_one() -> None:
    assert cg.windows("一二三 四五六七八九十\n甲乙丙丁") == ["一二三四五六七八九十甲乙丙", "二三四五六七八九十甲乙丙丁"]
    assert cg.windows("短文") == ["短文"]
    assert cg.windows("  ") == []


def test_corpus_gather_window_hash_is_the_first_16_hex_of_sha256() -> None:
    assert cg.window_hash("abc") == "ba7816bf8f01cfea"


def test_corpus_gather_reserved_share_counts_the_t2s_form_too() -> None:
    simplified = "推进老旧小区改造年内完成一百二十个小区"
    reserved = frozenset(cg.window_hash(w) for w in cg.windows(simplified))
    assert cg.reserved_share(simplified, reserved) == 1.0
    assert cg.reserved_share("推進老舊小區改造年內完成一百二十個小區", reserved) == 1.0
    assert cg.reserved_share("完全不同的另一段文字内容用于检验比例", reserved) == 0.0


@pytest.mark.parametrize(
    ("title", "text", "kept"),
    [
        ("关于印发2024年重点工作任务分工方案的通知", PLAN, True),
        ("某县森林火灾应急预案", PLAN, False),
        ("2023年政府信息公开工作年度报告", PLAN, False),
        ("2024年政府工作报告重点任务分解", PLAN, True),
        ("某县实施方案", "一、总体要求。坚持稳中求进。", False),
        ("某縣民生實事責任分工方案", "1.新建公園。（縣住建局牽頭）", True),
        ("乡镇2023年工作要点", "一、做强产业。1.发展茶产业。", True),
        ("某县政策解读", PLAN, False),
        ("某县行动方案", "1.建设智慧社区10个。（县民政局负责）", True),
        ("某县实施方案", "2.推进老旧小区改造，由县住建局承办。", True),
        # half-width brackets, as traditional reposts and older sites write them
        ("某省分工意见", "（一）加快项目建设。(省發改委負責)", True),
        ("某省分工意见", "（二）治理畜牧业产品污染(省经贸委主办,省农业厅协办)", True),
        ("某县工作方案", "1.完成摸底排查,11月30日前报县政府。", True),
        ("某區實施方案", "1.加強醫療服務。(區(qū)衛(wèi)生健康委負責)", True),
        ("某省分解意见", "1.城镇登记失业率控制在4%。(就业处、就管中心)", True),
        ("某县清洁城市方案", "序号 工作任务 负责部门 时间进度", True),
        ("某县整治方案", "二、职责分工\n县公安局负责打击违法犯罪。", True),
        ("某县任务分解表", "序号 工 作 任 务 牵 头 部 门 完 成 时 限", True),
        ("某县整改方案", "1.河道垃圾问题。整改时限：2024年6月。", True),
        ("某县实施方案", "各单位要高度重视，主要负责同志亲自抓。", False),
        ("某镇防汛工作方案", "序号 | 任务清单 | 责任清单 | 时限清单", True),
        ("某镇工作计划", "1.清理河道。责任人：张三", True),
        ("某市食品安全工作方案", "1.加强源头治理。(市农业农村局负责,市市场监管局配合)", True),
        ("某市食品安全工作方案", "2.开展专项整治。(各县区政府负责,下同)", True),
        ("某县实施方案", "各级党委要落实主体责任人的职责。", False),
        # a department's own plan names its offices
        ("某市卫生局任务分解", "1.加强卫生监督。（分管领导：王局长，责任处室：卫监处）", True),
        ("某市民生工程", "乡镇综合文化站建设。承办部门：市文广新局", True),
    ],
)
def test_corpus_gather_plan_reason_keeps_plans_that_assign_tasks(title: str, text: str, kept: bool) -> None:
    assert (cg.plan_reason(title, text) is None) is kept


def test_corpus_gather_script_of_tells_traditional_from_simplified() -> None:
    assert cg.script_of("推进老旧小区改造，县住建局牵头。") == "simplified"
    assert cg.script_of("推進老舊小區改造，縣住建局牽頭。") == "traditional"


def test_corpus_gather_near_duplicates_match_a_traditional_repost_and_a_longer_version() -> None:
    seen = cg.NearDuplicates()
    seen.add("p1", PLAN)
    assert seen.match(PLAN + "三、保障措施。加强组织领导，强化督查考核，确保各项任务落到实处。") == "p1"
    assert seen.match(cg.to_simplified(PLAN).replace("县", "縣").replace("牵头", "牽頭")) == "p1"
    assert seen.match("完全不同的一段文字，讲的是另一件事情，与上文没有任何关系，也不共享十三个字的窗口。") is None


def test_corpus_gather_drops_reserved_duplicates_and_non_plans_and_numbers_the_rest() -> None:
    other = PLAN.replace("老旧小区", "农村公路").replace("幼儿园3所", "卫生院2所")
    secret = "这是一份留作评估的文件：（市发展改革委牵头）推进重大项目建设，年底前完成投资五十亿元。"
    reserved = frozenset(cg.window_hash(w) for w in cg.windows(secret))
    raw = [
        {"url": "u1", "title": "甲方案", "text": PLAN},
        {"url": "u2", "title": "甲方案（转载）", "text": PLAN},
        {"url": "u3", "title": "乙方案", "text": secret},
        {"url": "u4", "title": "应急预案", "text": PLAN},
        {"url": "u5", "title": "丙方案", "text": other},
    ]
    kept, report = cg.gather(
        raw, known=[("p9", "与任何文件都不相同的已知文本，只用来占位。")], reserved=reserved, start=7
    )
    assert [(r["id"], r["url"]) for r in kept] == [("m00007", "u1"), ("m00008", "u5")]
    assert report.read == 5 and report.kept == 2 and report.reserved == 1
    assert report.duplicates == [("u2", "m00007")]
    assert sum(report.not_plan.values()) == 1


def test_corpus_gather_against_a_known_text_drops_it() -> None:
    kept, report = cg.gather([{"url": "u", "title": "方案", "text": PLAN}], [("s001", PLAN)], frozenset())
    assert kept == [] and report.duplicates == [("u", "s001")]


def test_corpus_gather_reads_blocks_and_jsonl(tmp_path: Path) -> None:
    blocks = tmp_path / "pages.txt"
    blocks.write_text("@@@ http://a | 甲方案\n第一行\n\n第二行\n@@@ http://b | 乙方案\n正文\n", encoding="utf-8")
    assert list(cg.read_raw(blocks)) == [
        {"url": "http://a", "title": "甲方案", "text": "第一行\n\n第二行"},
        {"url": "http://b", "title": "乙方案", "text": "正文"},
    ]
    lines = tmp_path / "raw.jsonl"
    lines.write_text(json.dumps({"url": "u", "title": "t", "text": "x"}) + "\n\n", encoding="utf-8")
    assert list(cg.read_raw(lines)) == [{"url": "u", "title": "t", "text": "x"}]


@pytest.mark.parametrize(
    ("content", "message"),
    [("@@@ http://a\n正文\n", "header reads"), ("前言\n@@@ http://a | 甲\n", "before the first")],
)
def test_corpus_gather_bad_block_file_names_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        list(cg.read_raw(path))


def test_corpus_gather_bad_jsonl_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"url": "u", "title": "t", "text": "x"}\n{"url": 1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        list(cg.read_raw(path))


def test_corpus_gather_purge_reserved_rewrites_the_raw_file_without_them(tmp_path: Path) -> None:
    secret = "这是一份留作评估的文件：（市发展改革委牵头）推进重大项目建设。"
    reserved = frozenset(cg.window_hash(w) for w in cg.windows(secret))
    path = tmp_path / "pages.txt"
    path.write_text(f"@@@ http://a | 甲\n{PLAN}\n@@@ http://b | 乙\n{secret}\n", encoding="utf-8")
    assert cg.purge_reserved(path, reserved) == 1
    assert [r["url"] for r in cg.read_raw(path)] == ["http://a"]
    assert cg.purge_reserved(path, reserved) == 0


def test_corpus_gather_into_numbers_by_its_own_prefix_only(tmp_path: Path) -> None:
    out = tmp_path / "plans_more.jsonl"
    old = [
        {"id": "m00007", "url": "u", "title": "t", "script": "simplified", "text": "甲" * 40},
        {"id": "mx00002", "url": "u", "title": "t", "script": "simplified", "text": "乙" * 40},
    ]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in old), encoding="utf-8")
    raw = tmp_path / "pages.txt"
    raw.write_text(f"@@@ http://a | 重点任务分工方案\n{PLAN}", encoding="utf-8")
    reserved = tmp_path / "reserved.txt"
    reserved.write_text("", encoding="utf-8")
    report = cg.gather_into(out, [raw], [], [], reserved, prefix="m")
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert report.kept == 1 and ids == ["m00007", "mx00002", "m00008"]
