"""Template errors name the file, line and field; every other form keeps working."""

from __future__ import annotations

from meixian_desktop.paths import resource
from meixian_desktop.printing.forms import form_infos, load_form
from meixian_desktop.printing.templates import template_path


def _override(paths, name: str, text: str):
    folder = paths.config_dir / "forms"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder / f"{name}.toml"


def test_user_template_overrides_the_shipped_one(paths) -> None:
    shipped = resource("river_patrol.toml", kind="forms").read_text(encoding="utf-8")
    own = _override(paths, "river_patrol", shipped.replace('title = "河道巡查记录表"',
                                                           'title = "梅仙镇河道巡查记录表"'))
    assert template_path("river_patrol", paths.config_dir) == own
    _kind, template = load_form("river_patrol", paths.config_dir)
    assert template.title == "梅仙镇河道巡查记录表"


def test_syntax_error_names_file_and_line_and_others_still_load(paths) -> None:
    _override(paths, "river_patrol", 'title = "河道巡查记录表"\npaper = "A4"\n[[blocks]\ntype = 1\n')
    infos = {i.name: i for i in form_infos(paths.config_dir)}
    problem = infos["river_patrol"].problem
    assert "river_patrol.toml" in problem and "第3行" in problem
    assert infos["supervision_order"].problem == "" and infos["service_receipt"].problem == ""


def test_unknown_placeholder_names_file_line_block_and_field(paths) -> None:
    shipped = resource("supervision_order.toml", kind="forms").read_text(encoding="utf-8")
    text = shipped.replace("特此督促。", "特此督促。{order.guardian_nickname}")
    _override(paths, "supervision_order", text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "guardian_nickname" in row)
    infos = {i.name: i for i in form_infos(paths.config_dir)}
    problem = infos["supervision_order"].problem
    assert "supervision_order.toml" in problem and f"第{line}行" in problem
    assert "order.guardian_nickname" in problem and "（段落）" in problem
    assert infos["river_patrol"].problem == ""


def test_unknown_item_field_and_list_are_named(paths) -> None:
    shipped = resource("river_patrol.toml", kind="forms").read_text(encoding="utf-8")
    _override(paths, "river_patrol", shipped.replace("{item.place}", "{item.village}"))
    problem = {i.name: i for i in form_infos(paths.config_dir)}["river_patrol"].problem
    assert "item.village" in problem and "（表格）" in problem and "description" in problem
    _override(paths, "river_patrol", shipped.replace('items = "findings"', 'items = "problems"'))
    problem = {i.name: i for i in form_infos(paths.config_dir)}["river_patrol"].problem
    assert "problems" in problem and "findings" in problem


def test_a_form_is_read_once_per_load(monkeypatch) -> None:
    from meixian_desktop.printing import templates
    from meixian_desktop.printing.forms import load_form

    reads: list[str] = []
    real = templates.read_template
    monkeypatch.setattr(templates, "read_template",
                        lambda name, path: reads.append(name) or real(name, path))
    _kind, template = load_form("supervision_order", None)
    assert reads == ["supervision_order"] and template.title
