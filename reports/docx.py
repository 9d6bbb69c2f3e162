"""The editable .docx of the final summary: the same document as the PDF (pdf._Renderer
walks the same parts in the same order), written with python-docx for a clerk to revise
in Word or WPS before it is issued.

Styles are named for their role (版头, 发文字号, 标题, 主送机关, 正文, 一级标题, 二级标题,
三级标题, 附件说明, 署名, 表格文字, 图片说明) so restyling one restyles them all; fonts are
named as GB/T 9704-2012 asks (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312) with the East
Asian font set through w:eastAsia, so Word and WPS use them where installed. Page setup as
in the PDF: A4, margins 37/35/28/26 mm, a document grid of 22 lines × 28 characters, page
numbers "— N —" in 4号 宋体 on the right of odd pages and the left of even ones.
"""
import io
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from . import pdf
from .typeset import clean

FONT_TITLE, FONT_BODY, FONT_H1, FONT_H2, FONT_NUMBER = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
# style name -> (font, size pt, bold, colour, alignment, first-line indent in characters)
STYLES = {
    "版头": (FONT_TITLE, pdf.AUTHORITY_SIZE, False, RGBColor(0xE6, 0x00, 0x12), WD_ALIGN_PARAGRAPH.CENTER, 0),
    "发文字号": (FONT_BODY, 16, False, None, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "标题": (FONT_TITLE, 22, False, None, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "主送机关": (FONT_BODY, 16, False, None, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "正文": (FONT_BODY, 16, False, None, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "一级标题": (FONT_H1, 16, False, None, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "二级标题": (FONT_H2, 16, False, None, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "三级标题": (FONT_BODY, 16, True, None, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "附件说明": (FONT_BODY, 16, False, None, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "署名": (FONT_BODY, 16, False, None, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "表格文字": (FONT_BODY, pdf.TABLE_SIZE, False, None, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "附件标识": (FONT_H1, 16, False, None, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "图片说明": (FONT_BODY, pdf.TABLE_SIZE, False, None, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "页码": (FONT_NUMBER, pdf.PAGE_NUMBER_SIZE, False, None, WD_ALIGN_PARAGRAPH.RIGHT, 0),
}
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
         "left": WD_ALIGN_PARAGRAPH.LEFT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def set_east_asian_font(target, name):
    """Name `name` for Latin and East Asian text alike (w:rFonts ascii/hAnsi/eastAsia)."""
    target.font.name = name
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _styles(document):
    normal = document.styles["Normal"]
    set_east_asian_font(normal, FONT_BODY)
    normal.font.size = Pt(16)
    for name, (font, size, bold, colour, align, indent) in STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        set_east_asian_font(style, font)
        style.font.size = Pt(size)
        style.font.bold = bold
        if colour is not None:
            style.font.color.rgb = colour
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Pt(size * indent) if indent else None
        fmt.space_before = fmt.space_after = Pt(0)
        if size == 16:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(pdf.BODY_LEADING)
        fmt.widow_control = True
        if name in ("一级标题", "二级标题", "三级标题"):
            fmt.keep_with_next = True


def _page_setup(document):
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # The page number's figures top out 7 mm below the text area (14 pt line above this).
    section.footer_distance = Mm(23.4)
    section.header_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(pdf.BODY_LEADING * 20)))  # twentieths of a point
    # Character pitch 156 mm / 28 relative to the 16 pt default size, in 1/4096 pt.
    grid.set(qn("w:charSpace"), str(round((pdf.PITCH - 16) * 4096)))
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(footer, align):
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.style = "页码"
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(pdf.PAGE_NUMBER_SIZE)
    else:
        p.paragraph_format.left_indent = Pt(pdf.PAGE_NUMBER_SIZE)
    p.add_run("— ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    p.add_run(" —")


def _east_asian_hint(paragraph):
    """Mark runs as East Asian text, so Word, WPS and LibreOffice set the ambiguous marks
    (“ ” ‘ ’ …) full-width in the Chinese face, as in the PDF."""
    for run in paragraph.runs:
        rpr = run._r.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        fonts.set(qn("w:hint"), "eastAsia")


def _bottom_border(paragraph, colour="E60012", size=12):
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", colour)):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


class DocxRenderer(pdf._Renderer):
    """The PDF renderer's parts, written to a python-docx Document instead of a story."""

    def __init__(self, data):
        super().__init__(data, fonts=None)
        self.doc = Document()
        _styles(self.doc)
        # python-docx looks a style name up through every style on each use (slow for
        # thousands of table cells): resolve the ids once and set w:pStyle directly.
        self._style_ids = {name: self.doc.styles[name].style_id for name in STYLES}
        _page_setup(self.doc)
        self._pending_space = None
        self._heading_level = None

    def _style_for(self, role, size, bold, color):
        if color is not None and color != pdf.colors.black:
            return "版头"
        if role == "title" and size != pdf.TITLE_SIZE:
            return "版头"
        if role == "title":
            return "标题"
        if role == "heading1":
            return "一级标题"
        if role == "heading2":
            return "二级标题"
        if bold:
            return "三级标题"
        return "正文"

    def text(self, text, role="body", size=pdf.BODY_SIZE, leading=None, align="justify", first_indent=0,
             left_indent=0.0, bold=False, color=None, kind=None, **_):
        style = kind or self._style_for(role, size, bold, color)
        p = None
        for line in clean(text).split("\n"):
            p = self._paragraph(line, style)
            if self._pending_space is not None:
                p.paragraph_format.space_before = Pt(self._pending_space)
                self._pending_space = None
            if ALIGN[align] != STYLES[style][4]:
                p.alignment = ALIGN[align]
            if left_indent:
                p.paragraph_format.left_indent = Pt(left_indent)
        self.last = p

    def _paragraph(self, text, style):
        p = self.doc.add_paragraph(text)
        p._p.get_or_add_pPr().get_or_add_pStyle().val = self._style_ids[style]
        _east_asian_hint(p)
        return p

    def blank(self, lines=1):
        for _ in range(lines):
            self._paragraph("", "正文")

    def space(self, height):
        self._pending_space = height

    def page_break(self):
        self.doc.add_page_break()

    def keep_lines(self, lines):
        pass  # Word keeps headings with the next paragraph (keep_with_next in their styles)

    def red_line(self):
        _bottom_border(self.last)

    def heading(self, text, level):
        role = {1: "heading1", 2: "heading2", 3: "body"}[level]
        self.text(text, role=role, first_indent=2, bold=level == 3)

    def table(self, header, rows, widths, numeric_from=None):
        """A real Word table (grid borders, header row repeated on every page), written as
        one piece of XML: python-docx's per-cell API is too slow for a 500-task plan."""
        scale = 156 / sum(widths)
        twips = [round(w * scale / 25.4 * 1440) for w in widths]
        style_id = self._style_ids["表格文字"]

        def cell(value, width, centred):
            lines = clean(pdf.fmt(value)).split("\n")
            runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
            jc = '<w:jc w:val="center"/>' if centred else ""
            return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                    f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/>{jc}</w:pPr>'
                    f'<w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr>{runs}</w:r></w:p></w:tc>')

        xml = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{self._table_style_id}"/>'
               f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
               '</w:tblPr><w:tblGrid>', "".join(f'<w:gridCol w:w="{t}"/>' for t in twips), "</w:tblGrid>"]
        xml.append('<w:tr><w:trPr><w:tblHeader/></w:trPr>'
                   + "".join(cell(h, t, True) for h, t in zip(header, twips, strict=True)) + "</w:tr>")
        for row in rows:
            xml.append("<w:tr>" + "".join(
                cell(v, twips[i], numeric_from is not None and i >= numeric_from) for i, v in enumerate(row)
            ) + "</w:tr>")
        xml.append("</w:tbl>")
        self.doc.element.body._insert_tbl(parse_xml("".join(xml)))
        self._paragraph("", "表格文字")

    @property
    def _table_style_id(self):
        style_id = getattr(self, "_grid_id", None)
        if style_id is None:
            style_id = self._grid_id = self.doc.styles["Table Grid"].style_id
        return style_id

    def picture(self, data, width, height, caption):
        p = self._paragraph("", "图片说明")
        p.add_run().add_picture(io.BytesIO(data), width=Pt(width), height=Pt(height))
        self._paragraph(clean(caption), "图片说明")


def render_docx(data, out=None, renderer=None):
    """Write `data` (ReportData) as a .docx; bytes, or into the file-like/path `out`."""
    renderer = (renderer or DocxRenderer)(data)
    renderer.build()
    renderer.doc.core_properties.title = data.title
    renderer.doc.core_properties.author = data.issuing_authority
    buffer = io.BytesIO() if out is None else out
    renderer.doc.save(buffer)
    return buffer.getvalue() if out is None else None
