"""Chinese typesetting for the report PDF: fonts per role with a per-character fallback
chain, and a paragraph flowable that lays text on the GB/T 9704 grid.

Fonts (settings.REPORT_FONTS, each a path, "path#index" for a .ttc collection, or a list
of those tried in order): `title` (小标宋), `body` (仿宋), `heading1` (黑体), `heading2`
(楷体) and `fallback` (a list: faces for characters the role's face lacks — CJK
Extension B, emoji). A role whose file is missing falls back to `body`, then to the free
Debian defaults below, and at last to reportlab's built-in CID font STSong-Light (which
needs no file and covers GB 2312).

`CJKText` breaks lines itself rather than through reportlab's Paragraph because the
standard asks for what Paragraph does not do: exactly N full-width characters per line
(28 in the 156 mm body line at 16 pt, slightly condensed as Word's document grid does),
justified, and the Chinese line-breaking rules (避头尾: no line starts with a closing mark
such as "，。；：）》”", none ends with an opening one), done by carrying the previous
character down rather than letting a mark hang in the margin. Each character is drawn in
the first face of its role's chain that has a glyph for it, so 𠀀 or 😀 print and stay in
the text layer (a ToUnicode fix for characters beyond U+FFFF is installed below).
"""
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

CID_FALLBACK = "STSong-Light"
UMING = "/usr/share/fonts/truetype/arphic/uming.ttc#0"  # AR PL UMing CN (明体, stands in for 小标宋/仿宋)
UKAI = "/usr/share/fonts/truetype/arphic/ukai.ttc#0"  # AR PL UKai CN (楷体)
ZENHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0"  # WenQuanYi Zen Hei (黑体)
HANAZONO_A = "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"  # rare CJK, Extension A
HANAZONO_B = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"  # CJK Extension B and beyond
SYMBOLA = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"  # emoji and symbols (outlines)
DEFAULT_FONTS = {
    "title": [UMING, ZENHEI],
    "body": [UMING, ZENHEI],
    "heading1": [ZENHEI, UMING],
    "heading2": [UKAI, UMING],
    "fallback": [ZENHEI, HANAZONO_A, HANAZONO_B, SYMBOLA],
}
ROLES = ("title", "body", "heading1", "heading2")

# 避头尾: marks that may not begin a line, and those that may not end one.
CANNOT_START = set("，。、；：？！）》」』】〕〉”’….,;:?!)]}%·—～")
CANNOT_END = set("（《「『【〔〈“‘([{")
_WORD = re.compile(r"[A-Za-z0-9_.%@/\-+]")


def _fix_astral_to_unicode():
    """reportlab writes ToUnicode entries as 4 hex digits, so a character beyond U+FFFF
    (𠀀, 😀) is read back wrong; write those as UTF-16 surrogate pairs instead."""
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_astral_fixed", False):
        return

    def make(fontname, subset):
        text = original(fontname, subset)
        for code in subset:
            if code > 0xFFFF:
                high, low = divmod(code - 0x10000, 0x400)
                text = text.replace(f"<{code:04X}>", f"<{0xD800 + high:04X}{0xDC00 + low:04X}>")
        return text

    make._astral_fixed = True
    ttfonts.makeToUnicodeCMap = make


_fix_astral_to_unicode()


@dataclass(frozen=True)
class Face:
    name: str  # registered reportlab font name
    path: str  # "" for the built-in CID font
    glyphs: frozenset | None  # code points the face covers; None = assume all (CID font)

    @property
    def embedded(self):
        return bool(self.path)

    def has(self, ch):
        return self.glyphs is None or ord(ch) in self.glyphs


_faces = {}


def _split(spec):
    path, _, index = str(spec).partition("#")
    return path, int(index or 0)


def load_face(spec):
    """The face at `spec` ("path" or "path#index"), registered once; None if unusable."""
    if spec in _faces:
        return _faces[spec]
    path, index = _split(spec)
    face = None
    if path and Path(path).is_file():
        name = f"Report{len(_faces)}_{Path(path).stem}"[:60]
        try:
            font = TTFont(name, path, subfontIndex=index)
            pdfmetrics.registerFont(font)
            face = Face(name, path, frozenset(font.face.charToGlyph))
        except Exception:  # noqa: BLE001 - a broken or PostScript-outline font: try the next one
            face = None
    _faces[spec] = face
    return face


def cid_face():
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return Face(CID_FALLBACK, "", None)


def _as_list(value):
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def configured_fonts():
    """{role: [spec, …]} from settings.REPORT_FONTS over the defaults; the older single
    REPORT_FONT_PATH (+ REPORT_FONT_INDEX) stands for every role when set."""
    chosen = {role: list(specs) for role, specs in DEFAULT_FONTS.items()}
    legacy = getattr(settings, "REPORT_FONT_PATH", "")
    if legacy:
        spec = f"{legacy}#{getattr(settings, 'REPORT_FONT_INDEX', 0)}"
        for role in ROLES:
            chosen[role] = [spec]
    for role, value in (getattr(settings, "REPORT_FONTS", None) or {}).items():
        if role in chosen and _as_list(value):
            chosen[role] = _as_list(value) + ([] if role == "fallback" else [])
    return chosen


class FontSet:
    """The faces of each role and the fallback chain, resolved once per report."""

    def __init__(self):
        specs = configured_fonts()
        first = {}
        for role in ROLES:
            first[role] = next((f for f in map(load_face, specs[role]) if f), None)
        configured = bool(getattr(settings, "REPORT_FONT_PATH", "") or getattr(settings, "REPORT_FONTS", None))
        # A configured but missing body face means the built-in CID font, not a silent default.
        body = first["body"] or (None if configured else next(
            (f for f in map(load_face, DEFAULT_FONTS["body"]) if f), None))
        base = body or cid_face()
        self.role = {role: first[role] or base for role in ROLES}
        # Fallback faces are loaded only when a character needs them (large files).
        self._fallback_specs = list(specs["fallback"]) + ([None] if base.glyphs is not None else [])
        self._fallback = []
        self._pick = {}
        self._width = {}

    def fallback(self):
        """The fallback faces in order, loading each the first time it is needed."""
        yield from self._fallback
        while self._fallback_specs:
            spec = self._fallback_specs.pop(0)
            face = cid_face() if spec is None else load_face(spec)  # None: the CID font, last resort
            if face is not None:
                self._fallback.append(face)
                yield face

    @property
    def body(self):
        return self.role["body"]

    def face_for(self, role, ch):
        key = (role, ch)
        face = self._pick.get(key)
        if face is None:
            main = self.role[role]
            face = main
            if not main.has(ch) and not ch.isspace():
                face = next((f for f in self.fallback() if f.has(ch)), main)
            self._pick[key] = face
        return face

    def width(self, face, ch, size):
        key = (face.name, ch)
        w = self._width.get(key)
        if w is None:
            w = self._width[key] = pdfmetrics.stringWidth(ch, face.name, 1000) / 1000
        return w * size

    def names(self):
        return {role: face.name for role, face in self.role.items()}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def clean(value):
    return _CONTROL.sub("", "" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n")


class Line:
    __slots__ = ("chars", "last")

    def __init__(self, chars, last):
        self.chars, self.last = chars, last  # chars: [(ch, face, width)]


def break_lines(items, width, size, first_indent=0.0):
    """Greedy line breaking on a grid of full-width cells with 避头尾 and unbroken Latin
    words; items are (ch, face, width) with "\\n" as a hard break. Returns [Line]."""
    pitch = width / max(1, int(width / size + 0.4))  # 27.6 cells of 16 pt in 156 mm -> 28
    squeeze = min(1.0, pitch / size)
    lines, start, n = [], 0, len(items)
    avail_first = width - first_indent
    while start < n:
        avail = avail_first if not lines else width
        used, i = 0.0, start
        hard = False
        while i < n:
            ch, face, w = items[i]
            if ch == "\n":
                hard = True
                break
            if used + w * squeeze > avail + 0.01 and i > start:
                break
            used += w * squeeze
            i += 1
        end = i
        if not hard and end < n:
            # Keep a Latin word or number together, when it is not longer than the line.
            if _WORD.match(items[end][0]) and _WORD.match(items[end - 1][0]):
                j = end - 1
                while j > start and _WORD.match(items[j - 1][0]):
                    j -= 1
                if j > start:
                    end = j
            for _ in range(4):  # 避头尾: carry characters down instead of breaking the rule
                if end - 1 > start and (items[end][0] in CANNOT_START or items[end - 1][0] in CANNOT_END):
                    end -= 1
                else:
                    break
        chars = items[start:end]
        lines.append(Line(chars, hard or end >= n))
        start = end + 1 if hard else end
        if hard and start >= n:
            break
    return lines or [Line([], True)]


class CJKText(Flowable):
    """A paragraph of plain text (no markup is interpreted: user text prints as written)."""

    def __init__(self, text, fonts, role="body", size=16, leading=None, align="justify", first_indent=0,
                 left_indent=0.0, bold=False, color=colors.black, space_before=0.0, space_after=0.0,
                 keep_with_next=False, lines=None, indents=None):
        super().__init__()
        self.text, self.fonts, self.role, self.size = clean(text), fonts, role, size
        self.leading = leading or size * 1.5
        self.align, self.first_indent, self.left_indent = align, first_indent, left_indent
        self.bold, self.color = bold, color
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self.keepWithNext = keep_with_next
        self._lines, self._lines_width = lines, None if lines is None else -1
        self._indents = indents  # per-line x offsets of a split part (the first line's indent)

    def items(self):
        face_for, width = self.fonts.face_for, self.fonts.width
        out = []
        for ch in self.text:
            if ch == "\n":
                out.append((ch, None, 0.0))
                continue
            face = face_for(self.role, ch)
            out.append((ch, face, width(face, ch, self.size)))
        return out

    def _layout(self, avail_width):
        if self._lines_width == -1:
            return self._lines
        line_width = avail_width - self.left_indent
        if self._lines is None or self._lines_width != line_width:
            pitch = line_width / max(1, int(line_width / self.size + 0.4))
            self._lines = break_lines(self.items(), line_width, self.size, self.first_indent * pitch)
            self._lines_width = line_width
        return self._lines

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        lines = self._layout(avail_width)
        self.height = len(lines) * self.leading
        return avail_width, self.height

    def split(self, avail_width, avail_height):
        lines = self._layout(avail_width)
        fit = int((avail_height + 0.01) // self.leading)
        if fit >= len(lines):
            return [self]
        if fit < 1:
            return []
        kw = dict(role=self.role, size=self.size, leading=self.leading, align=self.align,
                  left_indent=self.left_indent, bold=self.bold, color=self.color)
        head = CJKText(self.text, self.fonts, first_indent=self.first_indent, lines=lines[:fit], **kw)
        tail = CJKText(self.text, self.fonts, first_indent=0, lines=lines[fit:], indents=True, **kw)
        head.spaceBefore, tail.spaceAfter = self.spaceBefore, self.spaceAfter
        head._grid_width = tail._grid_width = avail_width - self.left_indent
        return [head, tail]

    def draw(self):
        canv = self.canv
        line_width = getattr(self, "_grid_width", self.width - self.left_indent)
        cells = max(1, int(line_width / self.size + 0.4))
        pitch = line_width / cells
        grid_gap = pitch - self.size if pitch < self.size else 0.0
        canv.saveState()
        canv.setFillColor(self.color)
        if self.bold:
            canv.setStrokeColor(self.color)
            canv.setLineWidth(self.size * 0.03)
        y = self.height
        current_gap = 0.0  # Tc is graphics state: set it only when it changes (restored at the end)
        for index, line in enumerate(self._lines):
            y -= self.leading
            chars = line.chars
            if not chars:
                continue
            indent = self.first_indent * pitch if index == 0 and not self._indents else 0.0
            avail = line_width - indent
            natural = sum(w for _, _, w in chars)
            gaps = max(1, len(chars) - 1)
            if self.align == "justify" and not line.last:
                gap = (avail - natural) / gaps
            else:
                gap = grid_gap if natural + grid_gap * gaps > 0 else 0.0
                if natural + gap * gaps > avail:
                    gap = (avail - natural) / gaps
            used = natural + gap * (len(chars) - 1)
            x = self.left_indent + indent
            if self.align == "center":
                x += (avail - used) / 2
            elif self.align == "right":
                x += avail - used
            baseline = y + (self.leading - self.size) / 2 + self.size * 0.12
            tx = canv.beginText(x, baseline)
            if self.bold:
                tx.setTextRenderMode(2)
            if abs(gap - current_gap) > 1e-4:
                tx.setCharSpace(gap)
                current_gap = gap
            run, face = [], None
            for ch, f, _ in chars:
                if f is not face and run:
                    tx.setFont(face.name, self.size)
                    tx.textOut("".join(run))
                    run = []
                face = f
                run.append(ch)
            if run:
                tx.setFont(face.name, self.size)
                tx.textOut("".join(run))
            canv.drawText(tx)
        canv.restoreState()
