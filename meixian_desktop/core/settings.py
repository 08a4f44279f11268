"""Every user setting declared once: key, type, default, Chinese label and help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meixian_desktop.core.errors import ValidationError


@dataclass(frozen=True)
class Setting:
    """One setting; ``kind`` is "int", "bool" or "text"; ints are bounded by low/high."""

    key: str
    kind: str
    default: Any
    label: str
    help: str = ""
    low: int | None = None
    high: int | None = None
    must_contain: tuple[str, ...] = ()  # placeholders a text setting cannot do without
    starts_with: tuple[str, ...] = ()  # a text setting, when filled, begins with one of these
    town_only: bool = False  # shown and used in the town role only

    def parse(self, value: Any) -> Any:
        """Coerce a stored or typed value, or raise ValidationError saying what is allowed."""
        if self.kind == "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "是")
            return bool(value)
        if self.kind == "int":
            try:
                number = int(str(value).strip())
            except ValueError:
                raise ValidationError(f"“{self.label}”要填一个整数。", field=self.key) from None
            if (self.low is not None and number < self.low) or (
                self.high is not None and number > self.high
            ):
                raise ValidationError(
                    f"“{self.label}”要在 {self.low} 到 {self.high} 之间。", field=self.key
                )
            return number
        text = str(value).strip()
        if text and self.starts_with and not text.lower().startswith(self.starts_with):
            raise ValidationError(
                f"“{self.label}”要以 {' 或 '.join(self.starts_with)} 开头。", field=self.key)
        missing = [part for part in self.must_contain if part not in text]
        if missing:
            raise ValidationError(
                f"“{self.label}”必须包含 {'、'.join(missing)}，否则生成的编号会重复。", field=self.key
            )
        return text


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "backup_keep_days", "int", 30, "备份保留天数",
        "每天自动备份一次，超过这个天数的旧备份会被删除（最新的一份总会保留）。", 1, 365,
    ),
    Setting(
        "autosave_seconds", "int", 5, "自动保存草稿间隔（秒）",
        "编辑记录时每隔这么多秒自动保存一次草稿。", 2, 120,
    ),
    Setting(
        "show_minor_names_in_lists", "bool", False, "列表中显示未成年人真实姓名",
        "默认只显示化名（如 小王）；打开记录本身时仍显示真实姓名。",
    ),
    Setting(
        "lock_minutes", "int", 10, "无操作自动锁定（分钟）",
        "这么多分钟没有动键盘和鼠标，窗口就锁住，要输入密码才能继续。由镇里统一设定，"
        "随资料包发到各台电脑。", 1, 120, town_only=True,
    ),
    Setting(
        "visit_months_key_group", "int", 1, "重点人群户走访间隔（月）",
        "有重点人群标签的户，每隔这么多个月走访一次。", 1, 12,
    ),
    Setting(
        "visit_months_other", "int", 6, "其他户走访间隔（月）",
        "没有重点人群标签的户，每隔这么多个月走访一次。", 1, 24,
    ),
    Setting(
        "case_number_pattern", "text", "（{year}）梅人调字第{n}号", "调解案号格式",
        "{year} 换成年份，{n} 换成序号；序号由镇里分段下发，不会重复。",
        must_contain=("{year}", "{n}"),
    ),
    Setting(
        "hub_url", "text", "", "镇里服务器地址",
        "在镇里网络范围内时自动同步，例如 http://192.168.1.10:8470；留空则只用U盘同步。",
        starts_with=("http://", "https://"),
    ),
    Setting(
        "print_font_file", "text", "", "打印用中文字体文件",
        "留空时自动使用本机的仿宋、宋体、黑体、楷体；要用别的字体，填 .ttf 或 .ttc 文件的完整路径。",
    ),
    # Limits on what the town takes in (DESIGN.md "Nothing costly before trust").
    Setting(
        "sync_max_batch_mb", "int", 512, "一个批次文件最大（MB）",
        "比这更大的批次文件不接收（照片多时可以调大）。", 1, 2048, town_only=True,
    ),
    Setting(
        "sync_max_records", "int", 1_000_000, "一个批次最多记录数",
        "记录条数超过这个数的批次不接收。", 1000, 5_000_000, town_only=True,
    ),
    Setting(
        "sync_max_held_devices", "int", 20, "最多同时等待批准的新电脑",
        "等待批准的新电脑达到这个数时，再有新电脑交来的批次就不接收，请先批准或停用。",
        1, 500, town_only=True,
    ),
    Setting(
        "sync_max_held_mb", "int", 1024, "等待批准的批次最多占用（MB）",
        "新电脑交来、还没批准的批次文件合计不超过这么大。", 10, 20_480, town_only=True,
    ),
    Setting(
        "sync_held_days", "int", 30, "等待批准的批次保留天数",
        "新电脑交来的批次超过这么多天还没批准，就删除（网格员可以重新交）。", 1, 365,
        town_only=True,
    ),
)

BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}
