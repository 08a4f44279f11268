"""Dialogs for the child rows of a mediation case: party, mediator, investigation, meeting,
return visit; each checked by core as the user types."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from meixian_desktop.core.errors import Problems
from meixian_desktop.core.mediation import (
    GENDERS,
    MEDIATOR_ROLES,
    PARTY_KINDS,
    PERFORMANCE,
    SATISFACTION,
    Agreement,
    parse_investigation,
    parse_meeting,
    parse_party,
    parse_return_visit,
)
from meixian_desktop.ui.editors.household import ChildDialog
from meixian_desktop.ui.widgets.fields import (
    category_combo,
    combo_code,
    line,
    set_combo_code,
    text_area,
)


class CheckedDialog(ChildDialog):
    """A ChildDialog whose text fields are declared once and re-checked as typed."""

    def __init__(self, title: str, raw: dict[str, Any], today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, raw, parent)
        self.today = today
        self.texts: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.combos: dict[str, QComboBox] = {}

    def text(self, key: str, label: str, placeholder: str = "", area: bool = False) -> Any:
        value = str(self.original.get(key) or "")
        widget: QLineEdit | QPlainTextEdit = (text_area(value) if area
                                              else line(value, placeholder))
        self.form.add(key, self.tr(label), widget)
        widget.textChanged.connect(self.check)
        self.texts[key] = widget
        return widget

    def dated(self, key: str, label: str, placeholder: str) -> QLineEdit:
        """A date field, today's date when the row is new."""
        widget = self.text(key, label, placeholder)
        if not self.original.get(key):
            widget.setText(self.today.isoformat())
        return widget

    def choice(self, key: str, label: str, items: Any, blank: str = "") -> QComboBox:
        combo = self.form.add(key, self.tr(label), category_combo(items, blank=blank))
        set_combo_code(combo, self.original.get(key))
        combo.currentIndexChanged.connect(self.check)
        self.combos[key] = combo
        return combo

    def raw(self) -> dict[str, Any]:
        result: dict[str, Any] = {"id": self.original.get("id")}
        for key, widget in self.texts.items():
            result[key] = (widget.toPlainText() if isinstance(widget, QPlainTextEdit)
                           else widget.text())
        result.update({key: combo_code(combo) for key, combo in self.combos.items()})
        return result


class PartyDialog(CheckedDialog):
    """One party: a person, or an organisation with its credit code."""

    PERSON = ("gender", "ethnicity", "age", "birth_date", "id_number", "occupation")
    ORGANISATION = ("legal_representative", "credit_code")

    def __init__(self, raw: dict[str, Any], today: date, parent: QWidget | None = None) -> None:
        super().__init__("当事人", raw, today, parent)
        self.kind = self.choice("kind", "类型", PARTY_KINDS)
        self.name = self.text("name", "姓名或单位名称")
        self.id_number = self.text("id_number", "身份证号码")
        self.id_hint = QLabel()
        self.form.layout_.addRow("", self.id_hint)
        self.gender = self.choice("gender", "性别", GENDERS, blank="（看身份证）")
        self.ethnicity = self.text("ethnicity", "民族", "汉族")
        self.age = self.text("age", "年龄", "无身份证号和出生日期时填写")
        self.birth_date = self.text("birth_date", "出生日期", "1970-05-01")
        self.occupation = self.text("occupation", "职业")
        self.legal_representative = self.text("legal_representative", "法定代表人")
        self.credit_code = self.text("credit_code", "统一社会信用代码")
        self.phone = self.text("phone", "电话")
        self.address = self.text("address", "住址")
        self.kind.currentIndexChanged.connect(self.show_kind)
        self.show_kind()
        self.finish_layout()
        self.resize(480, 560)

    def show_kind(self) -> None:
        organisation = combo_code(self.kind) == "organisation"
        for key in self.PERSON:
            self.form.set_row_visible(key, not organisation)
        for key in self.ORGANISATION:
            self.form.set_row_visible(key, organisation)
        self.id_hint.setVisible(not organisation)

    def raw(self) -> dict[str, Any]:
        result = super().raw()
        hidden = self.PERSON if result["kind"] == "organisation" else self.ORGANISATION
        return {k: ("" if k in hidden else v) for k, v in result.items()}

    def problems(self) -> dict[str, str]:
        problems = Problems()
        party = parse_party(self.raw(), today=self.today, problems=problems)
        hint = ""
        if party.id_number and "id_number" not in problems.found and party.birth_date:
            hint = f"{GENDERS.label_of(party.gender)}，{party.birth_date} 出生"
        self.id_hint.setText(hint)
        return problems.found


class MediatorDialog(CheckedDialog):
    def __init__(self, raw: dict[str, Any], today: date, parent: QWidget | None = None) -> None:
        super().__init__("调解人员", raw, today, parent)
        self.name = self.text("name", "姓名")
        self.role = self.choice("role", "身份", MEDIATOR_ROLES)
        self.note = self.text("note", "说明", "如 老党员、退休教师")
        self.finish_layout()

    def problems(self) -> dict[str, str]:
        found = {} if self.name.text().strip() else {"name": "请填写调解人员姓名。"}
        return found


class InvestigationDialog(CheckedDialog):
    def __init__(self, raw: dict[str, Any], today: date, parent: QWidget | None = None) -> None:
        super().__init__("调查记录", raw, today, parent)
        self.investigation_date = self.dated("investigation_date", "调查日期",
                                            today.isoformat())
        self.investigators = self.text("investigators", "调查人")
        self.interviewee = self.text("interviewee", "被调查人")
        self.place = self.text("place", "地点")
        self.content = self.text("content", "调查情况", area=True)
        self.finish_layout()

    def problems(self) -> dict[str, str]:
        problems = Problems()
        parse_investigation(self.raw(), today=self.today, problems=problems)
        return problems.found


class MeetingDialog(CheckedDialog):
    def __init__(self, raw: dict[str, Any], today: date, parent: QWidget | None = None) -> None:
        super().__init__("调解记录", raw, today, parent)
        self.meeting_date = self.dated("meeting_date", "调解日期", today.isoformat())
        self.time = self.text("time", "时间", "09:30")
        self.place = self.text("place", "地点")
        self.present = self.text("present", "参加人员")
        self.statements = self.text("statements", "各方陈述", area=True)
        self.facts_verified = self.text("facts_verified", "查明的事实", area=True)
        self.meeting_result = self.text("result", "调解结果")  # not .result: QDialog has one
        self.finish_layout()

    def problems(self) -> dict[str, str]:
        problems = Problems()
        parse_meeting(self.raw(), today=self.today, problems=problems)
        return problems.found


class ReturnVisitDialog(CheckedDialog):
    def __init__(self, raw: dict[str, Any], today: date, agreement: Agreement | None,
                 parent: QWidget | None = None) -> None:
        super().__init__("回访记录", raw, today, parent)
        self.agreement = agreement
        self.visit_date = self.dated("visit_date", "回访日期", today.isoformat())
        self.visitor = self.text("visitor", "回访人")
        self.performance = self.choice("performance", "协议履行情况", PERFORMANCE,
                                       blank="（请选择）")
        self.satisfaction = self.choice("satisfaction", "当事人满意度", SATISFACTION,
                                        blank="（不填）")
        self.new_risks = self.text("new_risks", "新的风险")
        self.measures = self.text("measures", "采取的措施")
        self.finish_layout()

    def problems(self) -> dict[str, str]:
        problems = Problems()
        parse_return_visit(self.raw(), today=self.today, problems=problems,
                           agreement=self.agreement)
        return problems.found
