"""Headings that name a category of a plan, not work: `主要任务`, `保障措施` (guidelines T4 and T5).

The rules (``planex.rules``) give a heading no TASK where :func:`is_category` says so: the list of category
names below, and the shapes of notice fields, target tables, areas of work and inspection problems.
"""

from __future__ import annotations

import re

NOT_TASKS = {
    "总体要求",
    "指导思想",
    "基本原则",
    "工作目标",
    "总体目标",
    "主要目标",
    "发展目标",
    "保障措施",
    "主要任务",
    "重点任务",
    "工作任务",
    "组织保障",
    "组织实施",
    "工作要求",
    "实施步骤",
    "工作原则",
    "重点工作",
    "任务分工",
    "工作措施",
    "具体目标",
    "适用范围",
    "编制依据",
    "工作机制",
    "职责分工",
    "责任分工",
    "具体措施",
    "保障机制",
    "有关要求",
    "形势分析",
    "行动目标",
    "目标指标",
    "主要指标",
    "总体思路",
    "主要原则",
    "预期目标",
    "主要预期目标",
    "责任单位",
    "组织领导",
    "工作安排",
    "时间安排",  # a campaign notice's schedule (YP7)
    "方法步骤",
    "工作步骤",
    "整治任务",
    "整治目标",
    "要求",
    "措施",
}

# A short field of a notice (`征集日期`, `征集途径`, `实施范围`) and a plan's table of targets
# (`2021年经济社会发展主要预期目标`) are parts of the document, not work.
# An area of work named as such (`重大基础设施互联互通方面`, `省编办牵头的工作`) groups items; it is no work
# itself (YC3, YC1). So does a leader's group of a work-report breakdown (`王纲市长牵头重点工作`,
# `洪湖鹏市长主抓重点工作`, C9): 13 such headings in the labels, none of them a gold TASK.
_FIELD_HEADING = re.compile(
    r"\w{2}(?:日期|时间|内容|要求|途径|范围|对象|方式|程序)|.*预期目标|总的要求.*|.*方面"
    r"|.*(?:牵头|负责|主抓|分管|联系|包抓)的?(?:重点|主要)?工作(?:任务)?"
)

# An inspection's list of problems (`院内宣传栏破损`, `灭火器过期未更换`) names what is wrong, not work to do;
# an item that opens with a work verb (`解决…不足问题`, `整治…乱停乱放`) is work.
_PROBLEM = re.compile(
    r"存在|未按|未见|未及时|未组织|未更换|未开展|不规范|不达标|不到位|破损|乱停乱放|乱堆|乱贴|乱画|较多|较差|严重|突出|过期"
)
_WORK_VERB = re.compile(
    r"(?:加强|推进|推动|完善|建立|健全|开展|实施|强化|提升|提高|加快|落实|深化|解决|整治|治理|规范|清理|清除|做好|抓好|"
    r"建设|打造|优化|促进|严格|全面|持续|着力|切实|坚决|扎实|防范|防止|杜绝|减少|降低|消除|整改|改善|保持|确保)"
)


def is_category(head: str) -> bool:
    """`主要任务`, `指导思想和基本原则`, `总体要求与工作目标`: category names, alone or joined; and notice fields,
    target tables, areas of work and inspection problems (above)."""
    if re.fullmatch(r"\w{2}保障", head):  # bare guarantee nouns: 资金保障, 人才保障 (T5)
        return True
    if _FIELD_HEADING.fullmatch(head) or (_PROBLEM.search(head) and not _WORK_VERB.match(head)):
        return True
    return bool(head) and all(part in NOT_TASKS for part in re.split(r"[和与及、]", head))
