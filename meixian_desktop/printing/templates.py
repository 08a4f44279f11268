"""Form templates (forms/NAME.toml): reading, checking placeholders, filling them in.

A template in the user's config folder (``<config_dir>/forms/NAME.toml``) overrides the one
shipped with the app. The format is documented in forms/README.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from meixian_desktop.paths import resource

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][\w.]*)\}")
BLOCK_KINDS = {
    "heading": "标题", "paragraph": "段落", "keyvalue": "信息表", "checklist": "勾选项",
    "numbered": "编号列表", "table": "表格", "signature": "签名盖章", "footer": "版记",
}
LIST_BLOCKS = ("checklist", "numbered", "table")
PAPERS = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}
GB_9704_MARGINS = {"top": 37.0, "left": 28.0, "right": 26.0, "bottom": 35.0}


class TemplateError(Exception):
    """A template that cannot be used, with a message naming file, line and field."""

    def __init__(self, message: str, path: Path, line: int | None = None,
                 field_name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field_name


@dataclass(frozen=True)
class ContextSpec:
    """What a form's context builder provides: dotted scalar fields, and for each list the
    fields of its items (used as ``{item.FIELD}`` inside list blocks)."""

    fields: frozenset[str]
    lists: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Block:
    """One block of a template, in order; ``number`` counts from 1."""

    kind: str
    number: int
    data: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"第{self.number}块（{BLOCK_KINDS.get(self.kind, self.kind)}）"

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True)
class Template:
    """A form template as read from its TOML file."""

    name: str
    path: Path
    title: str
    paper: str
    margins: Mapping[str, float]
    numbering: str
    organ: str
    privacy: Mapping[str, str]
    blocks: tuple[Block, ...]
    page_numbers: bool = True
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


def template_path(name: str, config_dir: Path | None) -> Path:
    """The user's own template if there is one, else the shipped one."""
    if config_dir is not None:
        own = Path(config_dir) / "forms" / f"{name}.toml"
        if own.is_file():
            return own
    return resource(f"{name}.toml", kind="forms")


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def read_template(name: str, path: Path) -> Template:
    """Read and shape-check one template file (placeholders are checked by ``check``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"表单模板“{path}”读不出来（{exc}），请检查文件是否存在、是否为 UTF-8 编码。",
                            path) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found[1]) if found else None
        where = f"第{line}行" if line else "某处"
        raise TemplateError(f"表单模板“{path}”{where}格式有误（TOML 语法错误：{exc}），"
                            "这个表单暂时不能打印，其他表单不受影响。", path, line) from exc

    def bad(message: str, needle: str | None = None, field_name: str = "") -> TemplateError:
        line = _line_of(text, needle) if needle else None
        where = f"第{line}行：" if line else ""
        return TemplateError(f"表单模板“{path}”{where}{message}", path, line, field_name)

    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise bad("缺少标题（title = \"…\"）。", "title", "title")
    paper = str(raw.get("paper", "A4")).upper()
    if paper not in PAPERS:
        raise bad(f"纸张“{paper}”不支持，只能是 {'、'.join(PAPERS)}。", "paper", "paper")
    margins = dict(GB_9704_MARGINS)
    for side, value in dict(raw.get("margins", {})).items():
        if side not in margins or not isinstance(value, int | float) or not 0 <= value <= 80:
            raise bad(f"页边距“{side} = {value}”不对：应为 top/left/right/bottom，单位毫米，0–80。",
                      side, f"margins.{side}")
        margins[side] = float(value)
    blocks = []
    for number, item in enumerate(raw.get("blocks", []), start=1):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in BLOCK_KINDS:
            raise bad(f"第{number}块的类型“{kind}”不认识，可用的有：{'、'.join(BLOCK_KINDS)}。",
                      f'"{kind}"', f"blocks.{number}.type")
        blocks.append(Block(kind, number, item))
    if not blocks:
        raise bad("没有任何内容块（[[blocks]]）。")
    privacy = {str(k): str(v) for k, v in dict(raw.get("privacy", {})).items()}
    return Template(name=name, path=path, title=title.strip(), paper=paper, margins=margins,
                    numbering=str(raw.get("numbering", "")),
                    organ=str(raw.get("organ", "")), privacy=privacy,
                    blocks=tuple(blocks), page_numbers=bool(raw.get("page_numbers", True)),
                    raw=raw)


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside a block value, with where it sits (rows.2.1)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield from _strings(item, f"{where}.{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")


def placeholders(text: str) -> list[str]:
    return [m[1] for m in PLACEHOLDER.finditer(text) if m[1]]


def check(template: Template, spec: ContextSpec) -> None:
    """Raise TemplateError for the first placeholder the context does not provide, naming
    the file, the line, the block and the field."""
    text = template.path.read_text(encoding="utf-8-sig")
    fields = set(spec.fields) | {"title", "number", "page", "pages"}

    def unknown(block: Block | None, name: str, hint: str = "") -> TemplateError:
        line = _line_of(text, "{" + name + "}") or _line_of(text, f'"{name}"')
        where = f"第{line}行" if line else ""
        label = block.label if block else "文号（numbering）"
        return TemplateError(
            f"表单模板“{template.path.name}”{where}{label}用了未知的字段“{name}”。{hint}"
            "请改正模板，或删去用户配置文件夹里的这个模板恢复自带的版本；其他表单不受影响。",
            template.path, line, name)

    for name in placeholders(template.numbering) + placeholders(template.organ):
        if name not in fields:
            raise unknown(None, name)
    for block in template.blocks:
        item_fields: frozenset[str] = frozenset()
        if block.kind in LIST_BLOCKS:
            items = block.get("items")
            if items not in spec.lists:
                known = "、".join(sorted(spec.lists)) or "无"
                raise unknown(block, str(items), f"可用的列表有：{known}。")
            item_fields = spec.lists[items]
        when = block.get("when")
        if when is not None and when not in fields and when not in spec.lists:
            raise unknown(block, str(when))
        for key, value in block.data.items():
            if key in ("type", "items", "when"):
                continue
            for _where, string in _strings(value, key):
                for name in placeholders(string):
                    if name in fields:
                        continue
                    if name.startswith("item.") and name[5:] in item_fields:
                        continue
                    hint = ""
                    if name.startswith("item.") and item_fields:
                        hint = f"这个列表的项目有：{'、'.join(sorted(item_fields))}。"
                    raise unknown(block, name, hint)


def load(name: str, config_dir: Path | None,
         sample: Callable[[Any], Mapping[str, Any]]) -> Template:
    """Find and read the template of form ``name`` once, and check it against the context
    ``sample`` makes for the template's own privacy setting."""
    template = read_template(name, template_path(name, config_dir))
    check(template, spec_of(sample(template.privacy)))
    return template


def lookup(context: Mapping[str, Any], name: str) -> Any:
    """The value at a dotted path (``order.number``, ``guardians.0.name``); KeyError if none."""
    value: Any = context
    for part in name.split("."):
        if isinstance(value, Mapping):
            value = value[part]
        elif isinstance(value, list | tuple) and part.isdigit():
            value = value[int(part)]
        else:
            raise KeyError(name)
    return value


def spec_of(context: Mapping[str, Any]) -> ContextSpec:
    """The fields and lists a context provides (lists of mappings become item fields)."""
    fields: set[str] = set()
    lists: dict[str, frozenset[str]] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{prefix}{key}.")
        elif isinstance(value, list | tuple):
            keys: set[str] = set()
            for item in value:
                if isinstance(item, Mapping):
                    keys.update(str(k) for k in item)
            lists[prefix[:-1]] = frozenset(keys)
        else:
            fields.add(prefix[:-1])

    walk(context, "")
    return ContextSpec(frozenset(fields), lists)
