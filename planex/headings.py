"""Headings that name a category of a plan, not work: `主要任务`, `保障措施` (guidelines T4 and T5).

The rules (``planex.rules``) give such a heading no TASK; they are kept apart as data.
"""

from __future__ import annotations

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
}
