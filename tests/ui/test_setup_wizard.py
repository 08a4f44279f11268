"""Walking first-run set-up through the real wizard, as a worker and as the town office."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from meixian_desktop.firstrun import shipped_villages
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.session import open_session
from meixian_desktop.ui.setup_wizard import SetupWizard


def make_wizard(qtbot, paths):
    session = open_session(paths)
    wizard = SetupWizard(session.store, paths, shipped_villages())
    qtbot.addWidget(wizard)
    wizard.show()
    return session, wizard


def check_village(wizard, name: str) -> None:
    villages = wizard.details_page.villages
    item = villages.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    item.setCheckState(Qt.CheckState.Checked)


def test_worker_walks_through_set_up(qtbot, paths) -> None:
    session, wizard = make_wizard(qtbot, paths)
    wizard.next()
    page = wizard.details_page
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    assert page.error.text() == ""  # no scolding before the user has typed anything
    assert "网格员姓名" in page.problem
    page.name.insert("李梅")  # as an input method commits text
    assert "至少选择一个" in page.error.text()
    check_village(wizard, "张韩村")
    assert page.error.text() == "" and finish.isEnabled()
    qtbot.keyClicks(page.phone, "1234")
    assert "电话" in page.error.text() and not finish.isEnabled()
    page.phone.clear()
    qtbot.keyClicks(page.phone, "13907301234")
    assert finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert wizard.result() == QWizard.DialogCode.Accepted
    saved = profile_store.load(session.store)
    assert saved.role == "worker" and saved.name == "李梅"
    assert saved.villages == ("430626108210",) and saved.phone == "13907301234"
    assert wizard.result_info.device_id == session.store.device_id()
    session.close()


def test_town_office_set_up_hides_villages(qtbot, paths) -> None:
    session, wizard = make_wizard(qtbot, paths)
    wizard.role_page.town.setChecked(True)
    wizard.next()
    page = wizard.details_page
    assert not page.villages.isVisibleTo(wizard)
    assert page.town_name.isVisibleTo(wizard)
    assert page.name.text() == "梅仙镇综治中心"
    wizard.button(QWizard.WizardButton.FinishButton).click()
    saved = profile_store.load(session.store)
    assert saved.is_town and saved.town_name == "梅仙镇人民政府"
    session.close()


def test_cancelled_set_up_saves_nothing(qtbot, paths) -> None:
    session, wizard = make_wizard(qtbot, paths)
    wizard.next()
    wizard.details_page.name.insert("李梅")
    wizard.reject()
    assert profile_store.load(session.store) is None
    assert session.store.meta("device_id") is None
    session.close()
