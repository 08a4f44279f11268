"""The 监护令 editor's parts: the typed row table, the 送达回证 and 回访 dialogs."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.order_followups import (
    COMPLIANCE,
    DEFAULT_DOCUMENT,
    FOLLOWUP_METHODS,
    SERVICE_METHODS,
    parse_followup,
    parse_service,
)
from meixian_desktop.core.orders import SupervisionOrder
from meixian_desktop.store import orders as order_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.widgets.fields import (
    ERROR_STYLE,
    FieldForm,
    category_combo,
    combo_code,
    line,
    text_area,
)


class _RecordDialog(QDialog):
    """A dialog that checks and saves one record of an order on 确定; stays open on problems."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = FieldForm()
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.saved_id: str | None = None
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def write(self) -> str:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.saved_id = self.write()
        except RecordInvalid as exc:
            rest = self.form.show_problems(exc.problems)
            self.message.setText("\n".join(rest.values()))
            return
        except StoreError as exc:
            self.message.setText(exc.message)
            return
        super().accept()


class ServiceDialog(_RecordDialog):
    """送达回证: filled in after the order is handed over; 确定 saves it."""

    def __init__(self, store: Store, order: SupervisionOrder, worker: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("登记送达回证"), parent)
        self.store, self.order, self.worker = store, order, worker
        first = order.guardians[0] if order.guardians else None
        f = self.form
        self.document = f.add("document", self.tr("送达文书"), line(DEFAULT_DOCUMENT))
        self.document_number = f.add("document_number", self.tr("文书编号"), line(order.number))
        self.recipient = f.add("recipient", self.tr("受送达人"), line(first.name if first else ""))
        self.recipient_relation = f.add("recipient_relation", self.tr("与未成年人关系"),
                                        line(first.relation if first else ""))
        self.address = f.add("address", self.tr("送达地址"), line(first.address if first else ""))
        self.method = f.add("method", self.tr("送达方式"), category_combo(SERVICE_METHODS))
        self.served_at = f.add("served_at", self.tr("送达时间"),
                               line(clock.now().strftime("%Y-%m-%d %H:%M")))
        self.place = f.add("place", self.tr("送达地点"), line())
        self.recipient_signed = f.add("recipient_signed", self.tr("签名或捺印"),
                                      QCheckBox(self.tr("受送达人已签名或捺印")))
        self.substitute_name = f.add("substitute_name", self.tr("代收人"), line())
        self.substitute_reason = f.add("substitute_reason", self.tr("代收原因"), line())
        self.refusal_reason = f.add("refusal_reason", self.tr("拒收理由"), line())
        self.witnesses = f.add("witnesses", self.tr("见证人"),
                               line(placeholder=self.tr("多人用顿号分开")))
        self.servers = f.add("servers", self.tr("送达人"),
                             line(worker, self.tr("检察官和干部，多人用顿号分开")))
        self.status = f.add("status", self.tr("监护令状态"), QLabel(order.status_label))
        self.resize(560, 640)

    def raw(self) -> dict[str, Any]:
        keys = ("document", "document_number", "recipient", "recipient_relation", "address",
                "served_at", "place", "substitute_name", "substitute_reason", "refusal_reason",
                "witnesses", "servers")
        result: dict[str, Any] = {key: getattr(self, key).text() for key in keys}
        result["method"] = combo_code(self.method)
        result["recipient_signed"] = self.recipient_signed.isChecked()
        return result

    def write(self) -> str:
        service = parse_service(self.raw(), order=self.order)
        with self.store.transaction() as tx:
            return order_store.save_service(tx, str(self.order.id), service, self.worker)


class FollowUpDialog(_RecordDialog):
    """回访: the minor's state and, for every duty, how far it was carried out."""

    def __init__(self, store: Store, order: SupervisionOrder, served_on: date | None,
                 worker: str, *, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("登记回访"), parent)
        self.store, self.order, self.served_on, self.worker = store, order, served_on, worker
        self.today = today or clock.today()
        f = self.form
        self.followup_date = f.add("followup_date", self.tr("回访日期"),
                                   line(self.today.isoformat()))
        self.method = f.add("method", self.tr("回访方式"), category_combo(FOLLOWUP_METHODS))
        self.visitors = f.add("visitors", self.tr("回访人员"),
                              line(worker, self.tr("多人用顿号分开")))
        self.person_met = f.add("person_met", self.tr("见到的人"), line())
        self.schooling = f.add("schooling", self.tr("就学情况"), line())
        self.behaviour = f.add("behaviour", self.tr("行为表现"), line())
        self.health = f.add("health", self.tr("身体状况"), line())
        self.levels: list[QComboBox] = []
        self.evidence: list[Any] = []
        for number, duty in enumerate(order.duties):
            caption = self.tr("第 %1 项：").replace("%1", str(number + 1)) + duty.content[:24]
            self.levels.append(f.add(f"compliance.{number}.level", caption,
                                     category_combo(COMPLIANCE, blank=self.tr("（请选择）"))))
            self.evidence.append(f.add(f"compliance.{number}.evidence", self.tr("　依据"),
                                       line(placeholder=self.tr("看到了什么、谁说的"))))
        self.guidance_attended = f.add("guidance_attended", self.tr("家庭教育指导"),
                                       QCheckBox(self.tr("监护人参加了家庭教育指导")))
        self.problems = f.add("problems", self.tr("存在问题"), text_area())
        self.next_steps = f.add("next_steps", self.tr("下一步措施"), text_area())
        self.next_date = f.add("next_date", self.tr("下次回访日期"), line(placeholder="2025-04-10"))
        self.resize(600, 720)

    def raw(self) -> dict[str, Any]:
        keys = ("followup_date", "visitors", "person_met", "schooling", "behaviour", "health",
                "next_date")
        result: dict[str, Any] = {key: getattr(self, key).text() for key in keys}
        result.update(
            method=combo_code(self.method), guidance_attended=self.guidance_attended.isChecked(),
            problems=self.problems.toPlainText(), next_steps=self.next_steps.toPlainText(),
            compliance=[{"level": combo_code(level), "evidence": evidence.text()}
                        for level, evidence in zip(self.levels, self.evidence, strict=True)])
        return result

    def write(self) -> str:
        followup = parse_followup(self.raw(), order=self.order, served_on=self.served_on,
                                  today=self.today)
        with self.store.transaction() as tx:
            return order_store.save_followup(tx, str(self.order.id), followup, self.worker)
