"""The sections of the left navigation, in order, and what each one (will) hold."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One entry of the navigation; ``plan`` describes a page that is not built yet."""

    key: str
    label: str
    plan: str = ""


SECTIONS: tuple[Section, ...] = (
    Section("today", "今日待办"),
    Section("patrol", "巡查",
            "森林防火、河道、耕地保护巡查记录，发现的问题及整改跟踪，扑火应急队伍名册。"),
    Section("mediation", "矛盾纠纷",
            "人民调解案件（含“群英断是非”）：登记、调查、调解、协议、回访、结案。"),
    Section("visit", "走访",
            "重点户（防返贫监测户、低保、特困、留守老人和儿童、残疾人）及入户走访记录。"),
    Section("order", "监护令",
            "督促监护令：送达、送达回证、考察期回访和每项监护职责的落实情况。"),
    Section("print", "打印", "打印告知书、送达回证、调解协议书、巡查记录表和工作台账。"),
    Section("sync", "同步", "用U盘或网络把记录交给镇里，接收回执和镇里下发的资料。"),
    Section("stats", "统计", "按村、按月统计巡查、纠纷、走访和监护令的工作量。"),
    Section("settings", "设置"),
)
