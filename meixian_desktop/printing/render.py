"""Render a filled form template to PDF with reportlab platypus (CJK wrapping, split tables).

Every character is checked against its font before anything is drawn; characters the font
lacks are drawn from a fallback font, or reported by field in ``Rendered.problems``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _paragraph

from meixian_desktop.core.progress import Progress
from meixian_desktop.printing.fonts import Font, FontSet
from meixian_desktop.printing.templates import (
    PAPERS,
    PLACEHOLDER,
    Block,
    Template,
    TemplateError,
    lookup,
)
from meixian_desktop.printing.text import bracket_number

# Punctuation that may not begin a line (GB/T 15834 禁则). reportlab's CJK wrapping hangs such a
# character in the margin instead of starting a line with it, but its list is Japanese and
# lacks the Chinese full-width comma, semicolon, colon, marks and closing quotes.
CANNOT_START_LINE = "，；：？！》〉”’％‰·…—"


def _forbid_line_starts() -> None:
    """Add CANNOT_START_LINE to both places reportlab's CJK wrapping reads it from."""
    for module in (_paragraph, _textsplit):
        present = module.ALL_CANNOT_START
        module.ALL_CANNOT_START = present + "".join(c for c in CANNOT_START_LINE
                                                    if c not in present)


_forbid_line_starts()

TITLE_PT, BODY_PT, CELL_PT, SMALL_PT = 22.0, 16.0, 12.0, 14.0
ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
CHECKED, UNCHECKED = "☑", "☐"
LINE = 0.6


@dataclass(frozen=True)
class MissingCharacters:
    """Characters no available font can draw, and the field they came from."""

    field: str
    chars: str

    @property
    def message(self) -> str:
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in self.chars)
        return f"字段“{self.field}”中的 {shown} 没有字体能打印，打印出来会是空白，请手写补上或换字体。"


@dataclass
class Rendered:
    """What a render made: page count, characters that could not be printed, warnings."""

    pages: int = 0
    problems: list[MissingCharacters] = field(default_factory=list)
    missing_values: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        return ([*self.warnings, *(p.message for p in self.problems)]
                + [f"缺少必填内容：{name}" for name in self.missing_values])


class _Filler:
    """Fills placeholders into markup-safe text, choosing a font for every character."""

    def __init__(self, template: Template, context: Mapping[str, Any], fonts: FontSet,
                 result: Rendered) -> None:
        self.template, self.context, self.fonts, self.result = template, context, fonts, result
        self._reported: set[tuple[str, str]] = set()
        self.list_name = "item"

    def value(self, name: str, item: Mapping[str, Any] | None, block: Block | None) -> Any:
        try:
            if name.startswith("item.") and item is not None:
                return lookup(item, name[5:])
            return lookup(self.context, name)
        except (KeyError, IndexError) as exc:
            where = block.label if block else "文号"
            raise TemplateError(f"表单模板“{self.template.path.name}”{where}的字段“{name}”没有值。",
                                self.template.path, None, name) from exc

    def markup(self, text: str, font: Font, field_name: str) -> str:
        """Escape ``text`` and wrap runs the primary font lacks in a fallback font."""
        out: list[str] = []
        missing = ""
        run_font: Font | None = font
        run = ""
        for char in text:
            chosen = self.fonts.font_for(char, font)
            if chosen is None:
                missing += char if char not in missing else ""
                chosen = font
            if chosen is not run_font:
                out.append(self._run(run, run_font, font))
                run, run_font = "", chosen
            run += char
        out.append(self._run(run, run_font, font))
        if missing and (field_name, missing) not in self._reported:
            self._reported.add((field_name, missing))
            self.result.problems.append(MissingCharacters(field_name, missing))
        return "".join(out).replace("\n", "<br/>")

    @staticmethod
    def _run(text: str, run_font: Font | None, primary: Font) -> str:
        if not text:
            return ""
        if run_font is None or run_font is primary:
            return escape(text)
        return f'<font name="{run_font.name}">{escape(text)}</font>'

    def fill(self, text: str, font: Font, block: Block | None,
             item: Mapping[str, Any] | None = None) -> str:
        parts: list[str] = []
        position = 0
        literal_field = f"模板{block.label}" if block else "模板"
        for match in PLACEHOLDER.finditer(text):
            parts.append(self.markup(text[position:match.start()], font, literal_field))
            position = match.end()
            if not match[1]:
                parts.append(escape(match[0][0]))
                continue
            value = self.value(match[1], item, block)
            shown = (f"{self.list_name}.{match[1][5:]}" if match[1].startswith("item.")
                     else match[1])
            parts.append(self.markup("" if value is None else str(value), font, shown))
        parts.append(self.markup(text[position:], font, literal_field))
        return "".join(parts)

    def plain(self, text: str, item: Mapping[str, Any] | None = None) -> str:
        """The text with placeholders filled, unescaped (for tests of emptiness)."""
        def one(match: Any) -> str:
            if not match[1]:
                return str(match[0][0])
            value = self.value(match[1], item, None)
            return "" if value is None else str(value)
        return PLACEHOLDER.sub(one, text)


class _Styles:
    def __init__(self, fonts: FontSet) -> None:
        body, title = fonts.body.name, fonts.title.name
        self.title = ParagraphStyle("title", fontName=title, fontSize=TITLE_PT, leading=34,
                                    alignment=TA_CENTER, wordWrap="CJK", spaceAfter=6)
        self.number = ParagraphStyle("number", fontName=body, fontSize=BODY_PT, leading=26,
                                     alignment=TA_CENTER, wordWrap="CJK", spaceAfter=10)
        self.section = ParagraphStyle("section", fontName=title, fontSize=BODY_PT, leading=29,
                                      wordWrap="CJK", spaceBefore=4, keepWithNext=1)
        self.body = ParagraphStyle("body", fontName=body, fontSize=BODY_PT, leading=29,
                                   alignment=TA_JUSTIFY, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", fontName=body, fontSize=CELL_PT, leading=17,
                                   wordWrap="CJK")
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=title,
                                        alignment=TA_CENTER)
        self.small = ParagraphStyle("small", fontName=body, fontSize=SMALL_PT, leading=22,
                                    wordWrap="CJK")


def _grid(widths: list[float], header: bool = False) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), LINE, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)))
    return TableStyle(commands)


class _Builder:
    """Turns each template block into flowables."""

    def __init__(self, template: Template, filler: _Filler, fonts: FontSet, width: float
                 ) -> None:
        self.template, self.filler, self.fonts, self.width = template, filler, fonts, width
        self.styles = _Styles(fonts)

    def para(self, text: str, style: ParagraphStyle, block: Block | None,
             item: Mapping[str, Any] | None = None, **changes: Any) -> Paragraph:
        font = self.fonts.title if style.fontName == self.fonts.title.name else self.fonts.body
        if changes:
            style = ParagraphStyle(f"{style.name}+", parent=style, **changes)
        return Paragraph(self.filler.fill(text, font, block, item), style)

    def _items(self, block: Block) -> list[Mapping[str, Any]]:
        self.filler.list_name = str(block.get("items"))
        value = lookup(self.filler.context, self.filler.list_name)
        return [v for v in value if isinstance(v, Mapping)]

    def build(self) -> list[Flowable]:
        story: list[Flowable] = []
        if self.template.organ:
            story.append(self.para(self.template.organ, self.styles.title, None,
                                   spaceAfter=0))
        story.append(self.para(self.template.title, self.styles.title, None))
        if self.template.numbering:
            number = bracket_number(self.filler.plain(self.template.numbering))
            if number:
                story.append(Paragraph(self.filler.markup(number, self.fonts.body, "文号"),
                                       self.styles.number))
        else:
            story.append(Spacer(1, 8))
        for block in self.template.blocks:
            when = block.get("when")
            if when and not _truthy(lookup(self.filler.context, str(when))):
                continue
            made = getattr(self, f"block_{block.kind}")(block)
            if block.kind == "signature" and story and isinstance(story[-1], Paragraph):
                # the last lines of text go over with the signature: a signature alone on a
                # page signs nothing
                made = [KeepTogether([story.pop(), *made])]
            story.extend(made)
        while story and isinstance(story[-1], Spacer):
            story.pop()  # trailing space could spill onto an empty, numbered last page
        return story

    def block_heading(self, block: Block) -> list[Flowable]:
        align = ALIGN.get(str(block.get("align", "left")), TA_LEFT)
        return [self.para(str(block.get("text", "")), self.styles.section, block,
                          alignment=align)]

    def block_paragraph(self, block: Block) -> list[Flowable]:
        indent = BODY_PT * 2 if block.get("indent", True) else 0
        align = ALIGN.get(str(block.get("align", "justify")), TA_JUSTIFY)
        style = self.styles.small if block.get("size") == "small" else self.styles.body
        return [self.para(str(block.get("text", "")), style, block, firstLineIndent=indent,
                          alignment=align, spaceBefore=float(block.get("space_before", 0)))]

    def block_keyvalue(self, block: Block) -> list[Flowable]:
        pairs = int(block.get("columns", 1))
        rows: list[list[Any]] = []
        spans: list[tuple[Any, ...]] = []
        current: list[Any] = []
        cell, head = self.styles.cell, self.styles.cell_head
        for entry in block.get("rows", []):
            label = self.para(str(entry[0]), head, block)
            value = self.para(str(entry[1]) if len(entry) > 1 else "", cell, block)
            wide = len(entry) > 2 and entry[2] == "wide"
            if wide and pairs > 1:
                if current:
                    rows.append(current + [""] * (pairs * 2 - len(current)))
                    current = []
                spans.append(("SPAN", (1, len(rows)), (-1, len(rows))))
                rows.append([label, value] + [""] * (pairs * 2 - 2))
                continue
            current += [label, value]
            if len(current) == pairs * 2:
                rows.append(current)
                current = []
        if current:
            rows.append(current + [""] * (pairs * 2 - len(current)))
        label_share = 0.18 if pairs == 1 else 0.16
        widths = []
        for _ in range(pairs):
            widths += [self.width * label_share, self.width * (1 / pairs - label_share)]
        table = Table(rows, colWidths=widths, style=_grid(widths), splitByRow=True,
                      splitInRow=1)  # a cell taller than a page continues on the next
        for span in spans:
            table.setStyle(TableStyle([span]))
        return [table, Spacer(1, 8)]

    def block_checklist(self, block: Block) -> list[Flowable]:
        label = str(block.get("label", "{item.label}"))
        checked_key = str(block.get("checked", "checked"))
        parts = []
        for item in self._items(block):
            box = CHECKED if _truthy(item.get(checked_key)) else UNCHECKED
            if block.get("only_checked") and box == UNCHECKED:
                continue
            parts.append(self.filler.markup(box, self.fonts.body, "勾选框")
                         + self.filler.fill(label, self.fonts.body, block, item))
        intro = str(block.get("intro", ""))
        text = (self.filler.fill(intro, self.fonts.body, block) if intro else "")
        style = self.styles.small if block.get("size") == "small" else self.styles.body
        joined = "\u3000".join(parts)
        return [Paragraph(text + joined, ParagraphStyle("check", parent=style,
                                                        firstLineIndent=BODY_PT * 2))]

    def block_numbered(self, block: Block) -> list[Flowable]:
        items = self._items(block)
        text = str(block.get("text", "{item.text}"))
        out: list[Flowable] = []
        intro = block.get("intro")
        if intro:
            out.append(self.para(str(intro), self.styles.body, block,
                                 firstLineIndent=BODY_PT * 2))
        if not items:
            empty = str(block.get("empty", "无。"))
            out.append(self.para(empty, self.styles.body, block, firstLineIndent=BODY_PT * 2))
            return out
        style = str(block.get("style", "1."))
        for number, item in enumerate(items, start=1):
            mark = _number_mark(style, number)
            out.append(Paragraph(
                escape(mark) + self.filler.fill(text, self.fonts.body, block, item),
                ParagraphStyle("numbered", parent=self.styles.body, firstLineIndent=BODY_PT * 2)))
        return out

    def block_table(self, block: Block) -> list[Flowable]:
        columns = list(block.get("columns", []))
        shares = [float(c.get("width", 1)) for c in columns]
        numbered = bool(block.get("number_column", False))
        if numbered:
            shares.insert(0, 0.6)
        total = sum(shares) or 1.0
        widths = [self.width * s / total for s in shares]
        head = self.styles.cell_head
        header = [self.para(str(c.get("title", "")), head, block) for c in columns]
        if numbered:
            header.insert(0, self.para("序号", head, block))
        rows: list[list[Any]] = [header]
        center = ParagraphStyle("cell_c", parent=self.styles.cell, alignment=TA_CENTER)
        for number, item in enumerate(self._items(block), start=1):
            row: list[Any] = []
            if numbered:
                row.append(Paragraph(str(number), center))
            for column in columns:
                style = center if column.get("align") == "center" else self.styles.cell
                row.append(self.para(str(column.get("value", "")), style, block, item))
            rows.append(row)
        style = _grid(widths, header=True)
        if len(rows) == 1:
            rows.append([self.para(str(block.get("empty", "无")), center, block)]
                        + [""] * (len(widths) - 1))
            style.add("SPAN", (0, 1), (-1, 1))
        out: list[Flowable] = []
        caption = block.get("caption")
        if caption:
            out.append(self.para(str(caption), self.styles.section, block, spaceBefore=6))
        out += [Table(rows, colWidths=widths, style=style, repeatRows=1, splitByRow=True,
                      splitInRow=1),
                Spacer(1, 8)]
        return out

    def block_signature(self, block: Block) -> list[Flowable]:
        signers = list(block.get("signers", []))
        if block.get("style", "boxes") == "right":
            return self._signature_right(block, signers)
        cells: list[list[Any]] = []
        for signer in signers:
            lines = [self.para(str(signer.get("label", "")), self.styles.cell_head, block,
                               alignment=TA_LEFT)]
            name = str(signer.get("name", ""))
            lines.append(self.para(name or "\u3000", self.styles.cell, block,
                                   spaceBefore=4, leading=22))
            if signer.get("seal"):
                lines.append(self.para("（盖章）", self.styles.cell, block, alignment=TA_RIGHT))
            date = str(signer.get("date", ""))
            filled = self.filler.plain(date) if date else ""
            lines.append(self.para(date if filled else "\u3000\u3000\u3000\u3000年\u3000\u3000月"
                                   "\u3000\u3000日", self.styles.cell, block, alignment=TA_RIGHT,
                                   spaceBefore=10))
            cells.append(lines)
        per_row = max(1, int(block.get("columns", min(len(cells), 3) or 1)))
        rows: list[list[Any]] = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
        for row in rows:
            row += [""] * (per_row - len(row))
        widths = [self.width / per_row] * per_row
        style = _grid(widths)
        style.add("VALIGN", (0, 0), (-1, -1), "TOP")
        style.add("TOPPADDING", (0, 0), (-1, -1), 6)
        style.add("BOTTOMPADDING", (0, 0), (-1, -1), 8)
        return [Table(rows, colWidths=widths, style=style) if rows else Spacer(1, 1),
                Spacer(1, 8)]

    def _signature_right(self, block: Block, signers: list[Any]) -> list[Flowable]:
        out: list[Flowable] = [Spacer(1, float(block.get("space", 40)))]
        indent = BODY_PT * 4
        for signer in signers:
            for key in ("label", "name", "date"):
                text = str(signer.get(key, ""))
                if text:
                    out.append(self.para(text, self.styles.body, block, alignment=TA_RIGHT,
                                         rightIndent=indent))
            if signer.get("seal"):
                out.append(self.para("（印章）", self.styles.small, block, alignment=TA_RIGHT,
                                     rightIndent=indent + BODY_PT))
        return [KeepTogether(out)]

    def block_footer(self, block: Block) -> list[Flowable]:
        lines = [str(line) for line in block.get("lines", [])]
        if block.get("text"):
            lines.insert(0, str(block.get("text")))
        shown = [line for line in lines if _has_content(self.filler.plain(line))]
        if not shown:
            return []
        rows = [[self.para(line, self.styles.small, block)] for line in shown]
        style = TableStyle([
            ("LINEABOVE", (0, 0), (-1, 0), 1.0, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 1.0, colors.black),
            ("LINEBELOW", (0, 0), (-1, -2), LINE, colors.black),
            ("LEFTPADDING", (0, 0), (-1, -1), BODY_PT / 2),
        ])
        return [Spacer(1, 24), KeepTogether([Table(rows, colWidths=[self.width], style=style)])]


def _has_content(text: str) -> bool:
    """A footer line with something after its label (抄送： with nobody is left out)."""
    return bool(text.split("：", 1)[-1].strip())


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


_CHINESE_NUMBERS = "零一二三四五六七八九十"


def _chinese_number(number: int) -> str:
    if number <= 10:
        return _CHINESE_NUMBERS[number]
    if number < 20:
        return "十" + _CHINESE_NUMBERS[number - 10]
    tens, ones = divmod(number, 10)
    return _CHINESE_NUMBERS[tens] + "十" + (_CHINESE_NUMBERS[ones] if ones else "")


def _number_mark(style: str, number: int) -> str:
    if style == "（一）":
        return f"（{_chinese_number(number)}）"
    if style == "一、":
        return f"{_chinese_number(number)}、"
    if style == "（1）":
        return f"（{number}）"
    return f"{number}．"


def _check_required(template: Template, filler: _Filler, result: Rendered) -> None:
    for name in template.raw.get("required", []):
        try:
            value = lookup(filler.context, str(name))
        except (KeyError, IndexError):
            value = None
        if not _truthy(value):
            labels = template.raw.get("labels", {})
            result.missing_values.append(str(labels.get(name, name)))


def render(template: Template, context: Mapping[str, Any], fonts: FontSet,
           out: Path | BinaryIO) -> Rendered:
    """Render ``template`` filled from ``context`` into ``out`` (a path or a binary file)."""
    parts: list[Rendered] = []
    pages = render_many(template, [("", context)], fonts, out, parts=parts)
    result = parts[0]
    result.pages = pages.pages
    result.warnings[:0] = fonts.warnings  # e.g. no font that can be embedded
    return result


def render_many(template: Template, contexts: Iterable[tuple[str, Mapping[str, Any]]],
                fonts: FontSet, out: Path | BinaryIO, *, progress: Progress | None = None,
                total: int = 0, parts: list[Rendered] | None = None) -> Rendered:
    """Render one copy of ``template`` per (label, context) into one PDF, each starting on a
    new page with its own page numbers. The result's warnings name the copy they concern; the
    file is written only when every copy is laid out (a cancel writes nothing)."""
    result = Rendered(warnings=list(fonts.warnings))
    width_mm, height_mm = PAPERS[template.paper]
    margins = template.margins
    page_size = (width_mm * mm, height_mm * mm)
    frame_width = (width_mm - margins["left"] - margins["right"]) * mm
    started = _Copies(progress, total)
    story: list[Flowable] = []
    for index, (label, context) in enumerate(contexts):
        if progress is not None:
            progress.check()
        part = Rendered()
        filler = _Filler(template, context, fonts, part)
        _check_required(template, filler, part)
        if story:
            story.append(PageBreak())
        story.append(_CopyStart(started, index))
        story.extend(_Builder(template, filler, fonts, frame_width).build())
        if parts is not None:
            parts.append(part)
        prefix = f"{label}：" if label else ""
        result.warnings.extend(prefix + m for m in part.messages())
    if not story:
        raise ValueError("render_many needs at least one context")
    page_font = fonts.body.name

    def page_number(canvas: Canvas, doc: Any) -> None:
        if not template.page_numbers:
            return
        canvas.saveState()
        canvas.setFont(page_font, SMALL_PT)
        canvas.drawCentredString(page_size[0] / 2, margins["bottom"] * mm / 2,
                                 f"— {doc.page - started.first_page + 1} —")
        canvas.restoreState()

    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=page_size, leftMargin=margins["left"] * mm,
        rightMargin=margins["right"] * mm, topMargin=margins["top"] * mm,
        bottomMargin=margins["bottom"] * mm, title=template.title,
        author="梅仙网格通", creator="梅仙网格通", subject=template.title)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate("form", [frame], onPageEnd=page_number,
                                       pagesize=page_size)])
    doc.build(story)
    result.pages = doc.page
    data = buffer.getvalue()
    if isinstance(out, Path | str):
        _write_atomically(Path(out), data)
    else:
        out.write(data)
    return result


class _Copies:
    """Where the copy being laid out started, so page numbers restart with each copy."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total = progress, total
        self.first_page = 1


class _CopyStart(Flowable):
    """An invisible mark at the start of each copy: notes its first page, reports progress."""

    def __init__(self, copies: _Copies, index: int) -> None:
        super().__init__()
        self.copies, self.index = copies, index

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.copies.first_page = self.canv.getPageNumber()
        if self.copies.progress is not None:
            self.copies.progress.step(self.index, self.copies.total or self.index + 1, "排版")


def _write_atomically(path: Path, data: bytes) -> None:
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
