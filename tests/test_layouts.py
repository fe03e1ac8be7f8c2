"""Layout families: one hand-made text per family, and the families file round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from planex import layouts

CASES = [
    ("pipe_table", "", "| 序号 | 工作任务 | 责任单位 |\n| 1 | 新建公园 | 县住建局 |\n| 2 | 新建学校 | 县教育局 |\n"),
    ("cell_per_line", "", "序号\n民生实事\n责任单位\n完成时限\n1\n新建2座人行天桥。\n县住建局\n9月投入使用\n"),
    ("space_table", "", "序号 类别 主要任务 牵头单位 参与单位\n1 水资源 严守红线 市水利局 市发展改革委\n"),
    ("flattened_table", "", "1、分解表序号项目名称主要内容牵头单位配合单位1增加教育资源供给新建学校12个。教育局各街道"),
    ("lead_resp_bracket", "", "1.承接下放事项。〔牵头单位:区政府办公室,责任单位:区政府有关部门〕\n"),
    ("lead_resp_lines", "", "1.地区生产总值增长6%。\n牵头单位:区发改局\n责任单位:各街道\n"),
    ("lead_helper_lines", "", "(一)小街巷整治。牵头领导:王副局长责任部门:城建科、市政管理处"),
    ("resp_lenticular", "", "1.推进老旧小区改造。〔责任单位:市住建局〕\n"),
    ("resp_bracket", "", "1.完善应急预案体系。\n(责任单位:市直各有关单位)\n"),
    ("resp_line", "", "1.生产总值增长6%以上。\n责任单位:市发改委\n"),
    ("inline_lead", "", "1.全面实施行政许可事项清单管理。(市政府办公室牵头,市级各有关部门按职责分工负责)"),
    ("lead_in_prose", "", "建立由市商务局牵头的联席会议制度,统筹推进各项工作。"),
    ("work_points", "2024年政务公开工作要点", "一、围绕稳增长推进公开。"),
    ("cover_notice", "关于印发任务分解表的通知", "现将任务分解表印发给你们。各牵头单位要细化措施。"),
    ("emergency_plan", "某县防汛应急预案", "1 总则 1.1 编制目的"),
    ("report", "2023年政府信息公开工作年度报告", "一、总体情况"),
    ("deadline_rows", "", "1.开工老旧小区改造项目50个,5月底前完成。2.背街小巷整治,6月底前完成。"),
    ("development_plan", "某县国民经济和社会发展第十四个五年规划纲要", "主要目标:到2025年。"),
    ("goal_paragraphs", "", "主要目标:到2025年,全市新建5G基站1万个。"),
    ("other", "", "为深入贯彻落实党中央决策部署,结合我市实际,制定本方案。"),
]


@pytest.mark.parametrize(("family", "title", "text"), CASES, ids=[c[0] for c in CASES])
def test_layouts_classify_names_each_family(family: str, title: str, text: str) -> None:
    assert layouts.classify(text, title) == family


def test_layouts_box_drawn_table_is_a_pipe_table() -> None:
    rows = ["┌──┬──┬──┐", "│ 工 作 任 务 │分管领导│牵头组织实施单位│", "├──┼──┼──┤", "│ 抓好财税 │梁志强│市财政局│"]
    box = "\n".join([*rows, "├──┼──┼──┤", "│ 优先发展教育 │ │市教育局│", "└──┴──┴──┘"])
    assert layouts.classify(box) == "pipe_table"


def test_layouts_every_family_has_a_case() -> None:
    assert {c[0] for c in CASES} | {layouts.TRADITIONAL} == set(layouts.NAMES)


def test_layouts_traditional_script_comes_first() -> None:
    assert layouts.classify("1.地区生产总值增长。\n牽頭單位:區發改局\n", script="traditional") == layouts.TRADITIONAL


def test_layouts_families_file_round_trips(tmp_path: Path) -> None:
    table = layouts.family_table(
        [("m00002", "责任单位:市发改委\n", "", "simplified"), ("m00001", "无", "", "simplified")]
    )
    assert table["resp_line"] == ["m00002"] and table["other"] == ["m00001"]
    path = tmp_path / "families.tsv"
    layouts.write_families(table, path)
    assert path.read_text(encoding="utf-8").splitlines()[:2] == ["id\tfamily", "m00001\tother"]
    assert layouts.read_families(path) == {"m00001": "other", "m00002": "resp_line"}
    (tmp_path / "bad.tsv").write_text("m1 other\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a families file"):
        layouts.read_families(tmp_path / "bad.tsv")


def test_layouts_sampler_draws_within_one_family(tmp_path: Path) -> None:
    import json

    from planex.sampling import sample_ids

    corpus = tmp_path / "plans_more.jsonl"
    records = [{"id": f"m{i:05d}", "title": "方案", "text": "正文"} for i in range(1, 9)]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    families = {f"m{i:05d}": ("resp_line" if i % 2 else "inline_lead") for i in range(1, 9)}
    drawn = sample_ids(corpus, 3, 5, {"m00001"}, family="resp_line", families=families)
    assert len(drawn) == 3 and all(families[i] == "resp_line" for i in drawn) and "m00001" not in drawn
    assert drawn == sample_ids(corpus, 3, 5, {"m00001"}, family="resp_line", families=families)
    with pytest.raises(ValueError, match="only 3 unlabelled records match in family resp_line"):
        sample_ids(corpus, 4, 5, {"m00001"}, family="resp_line", families=families)
    with pytest.raises(ValueError, match="families file"):
        sample_ids(corpus, 1, 5, set(), family="resp_line")


def test_layouts_markdown_table_counts_sources_and_labelled() -> None:
    table = {name: [] for name in layouts.NAMES}
    table["resp_line"] = ["m00002", "p00056", "000_seed", "q00007", "s031"]
    text = layouts.markdown_table(table, labelled={"p00056"})
    row = next(line for line in text.splitlines() if line.startswith("| `resp_line`"))
    assert row.split(" | ")[2:7] == ["5", "2", "2", "1", "1"]  # gathered records of any prefix are plans_more
    assert row.endswith("m00002, q00007, p00056, 000_seed, s031 |")
    assert len(text.splitlines()) == len(layouts.NAMES) + 2


def test_layouts_draw_by_family_takes_at_most_half_of_each_family(tmp_path: Path) -> None:
    import json

    from planex.sampling import draw_by_family

    corpus = tmp_path / "plans_more.jsonl"
    records = [{"id": f"m{i:05d}", "title": "政府工作报告任务分解", "text": "正文"} for i in range(1, 12)]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    families = {f"m{i:05d}": "cover_notice" for i in range(1, 9)} | {"m00009": "pipe_table", "m00010": "resp_line"}
    drawn = draw_by_family(corpus, families, 3, {"m00010"}, "m")
    assert {k: len(v) for k, v in drawn.items()} == {"cover_notice": 3, "pipe_table": 1}
    assert drawn == draw_by_family(corpus, families, 3, {"m00010"}, "m")  # the title word 报告 excludes nothing


def test_layouts_sources_find_gathered_documents_in_the_project_corpus(tmp_path: Path) -> None:
    import json

    from planex.sources import PROJECT_CORPUS, source_text

    first = json.loads(PROJECT_CORPUS.read_text(encoding="utf-8").splitlines()[0])
    missing = tmp_path / "absent.jsonl"  # no shared corpus beside the clone: the project file still answers
    assert source_text(f"corpus:{first['id']} {first['url']}", missing) == first["text"]
    with pytest.raises(ValueError, match="no document m99999"):
        source_text("corpus:m99999", missing)


def test_layouts_a_pages_metadata_box_is_not_a_pipe_table() -> None:
    meta = "索引号: | 113416 | 信息分类: | 规范性文件 |\n发布机构: | 区政府 | 主题分类: | 综合政务 |\n"
    meta += "标 题: | 关于印发分解表的通知 | | |\n"
    text = meta + "现将分解表印发给你们。各责任单位要细化措施。"
    assert layouts.classify(text, "关于印发2020年重点工作任务分解表的通知") == "cover_notice"


def test_layouts_heldout_candidates_are_never_drawn(tmp_path: Path) -> None:
    from planex.sampling import labelled_ids

    (tmp_path / "heldout").mkdir()
    (tmp_path / "heldout" / "candidates.txt").write_text("# drawn by family\nm00001 m00002\nm00007\n", encoding="utf-8")
    assert labelled_ids([tmp_path]) == {"m00001", "m00002", "m00007"}
