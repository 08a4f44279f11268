"""Fonts for printed forms: find Chinese TrueType fonts, embed them, check every character.

Search order: a configured font file, then the machine's own fonts (Windows 仿宋/宋体/黑体/楷体;
Linux WenQuanYi, AR PL, LXGW WenKai), embedded as subsets; last the non-embedded CID font
STSong-Light with a warning. Characters the chosen font lacks come from a fallback font that
has them, or are reported by field.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

CID_FONT = "STSong-Light"
CID_WARNING = ("没有找到可嵌入的中文字体，暂用 PDF 阅读器自带的宋体（STSong-Light，未嵌入）。"
               "换一台电脑打开时字形可能不同；请在设置里指定一个 TrueType 中文字体文件"
               "（如 C:\\Windows\\Fonts\\simfang.ttf）。")

# (file name, role): body = 仿宋-like text font, title = 黑体/宋体, fallback = extra coverage.
WINDOWS_FONTS: tuple[tuple[str, str], ...] = (
    ("simfang.ttf", "body"), ("simkai.ttf", "body"), ("simsun.ttc", "body"),
    ("simhei.ttf", "title"), ("simsun.ttc", "title"),
    ("simsunb.ttf", "fallback"), ("seguisym.ttf", "fallback"), ("msyh.ttc", "fallback"),
)
UNIX_FONTS: tuple[tuple[str, str], ...] = (
    ("LXGWWenKai-Regular.ttf", "body"), ("gkai00mp.ttf", "body"), ("ukai.ttc", "body"),
    ("uming.ttc", "body"), ("wqy-zenhei.ttc", "body"), ("wqy-microhei.ttc", "body"),
    ("wqy-zenhei.ttc", "title"), ("wqy-microhei.ttc", "title"), ("uming.ttc", "title"),
    ("LXGWWenKai-Bold.ttf", "title"),
    ("DejaVuSans.ttf", "fallback"),
)
WINDOWS_DIRS = ("C:\\Windows\\Fonts",)
UNIX_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "/Library/Fonts", "/System/Library/Fonts")


class FontFileError(Exception):
    """A configured font file that cannot be used, with a message for the user."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass(eq=False)
class Font:
    """One registered font: its reportlab name, file and the code points it can draw."""

    name: str
    path: Path | None
    embedded: bool
    coverage: frozenset[int] | None  # None: the CID font, assumed to cover CJK in the BMP

    def has(self, char: str) -> bool:
        code = ord(char)
        if self.coverage is None:
            return code < 0x10000 and not (0x2600 <= code < 0x2800)
        return code in self.coverage


@dataclass
class FontSet:
    """The fonts one print uses: body, title, fallbacks in order, and warnings to show."""

    body: Font
    title: Font
    fallbacks: list[Font] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def font_for(self, char: str, primary: Font) -> Font | None:
        """The font to draw ``char`` with: the primary if it has it, else a fallback."""
        if primary.has(char) or char in "\n\t ":
            return primary
        for font in self.fallbacks:
            if font.has(char):
                return font
        return None


_REGISTERED: dict[Path, Font] = {}


def load_font(path: Path) -> Font:
    """Register a TrueType font (first face of a .ttc) for embedding as a subset."""
    path = Path(path)
    cached = _REGISTERED.get(path)
    if cached is not None:
        return cached
    if not path.is_file():
        raise FontFileError(f"找不到字体文件“{path}”，请检查路径。", path)
    try:
        font = TTFont(f"MX{len(_REGISTERED)}-{path.stem}", str(path), subfontIndex=0)
    except TTFError as exc:
        text = str(exc).lower()
        if "postscript" in text or "cff" in text:
            message = (f"字体文件“{path.name}”是 OpenType-CFF 字体（如思源、Noto CJK），"
                       "无法嵌入 PDF，请换一个 TrueType 字体（.ttf/.ttc）。")
        else:
            message = f"文件“{path.name}”不是可用的 TrueType 字体文件，请换一个 .ttf 或 .ttc 字体。"
        raise FontFileError(message, path) from exc
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise FontFileError(
            f"文件“{path.name}”不是可用的 TrueType 字体文件，请换一个 .ttf 或 .ttc 字体。",
            path) from exc
    pdfmetrics.registerFont(font)
    loaded = Font(font.fontName, path, True, frozenset(font.face.charToGlyph))
    _REGISTERED[path] = loaded
    return loaded


def cid_font() -> Font:
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return Font(CID_FONT, None, False, None)


def font_dirs() -> list[Path]:
    names: Sequence[str] = WINDOWS_DIRS if sys.platform == "win32" else UNIX_DIRS
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR")
        names = ([str(Path(windir) / "Fonts")] if windir else []) + list(names)
        local = os.environ.get("LOCALAPPDATA")
        if local:
            names = [*names, str(Path(local) / "Microsoft" / "Windows" / "Fonts")]
    return [Path(n).expanduser() for n in names]


def _find_files(dirs: Iterable[Path], wanted: set[str]) -> dict[str, Path]:
    """The first file of each wanted name (case-insensitive) under ``dirs``, searched deeply
    the way fontconfig looks through its folders."""
    found: dict[str, Path] = {}
    lowered = {name.lower() for name in wanted}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for root, _subdirs, files in os.walk(folder):
            for name in files:
                key = name.lower()
                if key in lowered and key not in found:
                    found[key] = Path(root) / name
    return found


def find_fonts(configured: Path | None = None, *, dirs: Sequence[Path] | None = None,
               table: Sequence[tuple[str, str]] | None = None) -> FontSet:
    """Choose the fonts for printing. A configured file that is not a usable font raises
    FontFileError; machine fonts that fail to load are skipped."""
    if table is None:
        table = WINDOWS_FONTS if sys.platform == "win32" else UNIX_FONTS
    files = _find_files(dirs if dirs is not None else font_dirs(), {n for n, _ in table})
    roles: dict[str, list[Font]] = {"body": [], "title": [], "fallback": []}
    if configured is not None:
        chosen = load_font(Path(configured))
        roles["body"].append(chosen)
        roles["title"].append(chosen)
    for file_name, role in table:
        path = files.get(file_name.lower())
        if path is None:
            continue
        try:
            font = load_font(path)
        except FontFileError:
            continue
        if font not in roles[role]:
            roles[role].append(font)
    warnings: list[str] = []
    cjk = [f for f in roles["body"] + roles["title"] if f.has("中")]
    if not cjk:
        fallback_cid = cid_font()
        warnings.append(CID_WARNING)
        roles["body"].insert(0, fallback_cid)
        roles["title"].insert(0, fallback_cid)
    body = next(f for f in roles["body"] + roles["title"] if f.has("中"))
    title = next(f for f in roles["title"] + roles["body"] if f.has("中"))
    fallbacks = [f for f in roles["body"] + roles["title"] + roles["fallback"]
                 if f is not body and f.coverage is not None]
    fallbacks = list(dict.fromkeys(fallbacks))
    return FontSet(body=body, title=title, fallbacks=fallbacks, warnings=warnings)
