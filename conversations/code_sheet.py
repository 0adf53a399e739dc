"""A printable A4 sheet of invitation-code slips, one QR code per code (PDF, made with fpdf2).

`code_sheet_pdf(codes, title=..., instructions=...)` lays the codes out as cut-out slips,
COLUMNS x ROWS per page with dashed cut lines; each slip has the title (the campaign name),
the QR code of the code's deep link, the code in large letters and a short instruction.

Text is set in Source Sans Pro, a TrueType font shipped by the `font-source-sans-pro` package
(SIL Open Font License) and embedded, subset, in the file: every Latin, Greek and Cyrillic
letter prints as written ("Budżet obywatelski Łódź"), on any printer, with no system font.

QR modules are filled rectangles (vector, sharp at any print size): dark runs of a row are
merged into one rectangle, and identical runs of consecutive rows into a taller one. The
4-module quiet zone around each symbol is left white: no text nor cut line enters it.

Pure: no Telegram, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib.resources import files
from typing import cast

import segno
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

PAGE_WIDTH = 595.276  # A4, in points
PAGE_HEIGHT = 841.89
MARGIN = 24.0
COLUMNS = 2
ROWS = 4
SLIPS_PER_PAGE = COLUMNS * ROWS
SLIP_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS
SLIP_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN) / ROWS
PADDING = 10.0
QUIET_ZONE = 4  # modules of white around a QR symbol

TITLE_SIZE = 10.0
TITLE_LEADING = 12.0
TITLE_MAX_LINES = 2
CODE_SIZE = 18.0
CODE_HEIGHT = 22.0  # the band under the QR code that holds the code
TEXT_SIZE = 8.0
TEXT_LEADING = 9.6
TEXT_MAX_LINES = 5

FONT = "SourceSansPro"
_FONT_FILES = files("font_source_sans_pro") / "files"


def code_sheet_pdf(codes: list[tuple[str, str]], *, title: str, instructions: str) -> bytes:
    """An A4 PDF of cut-out slips, one per (code as printed, deep link) pair, in order:
    left to right, top to bottom, SLIPS_PER_PAGE a page (one blank page if there are none)."""
    pdf = FPDF(unit="pt", format=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_creator("pbbot")
    pdf.set_title(title)
    pdf.add_font(FONT, "", str(_FONT_FILES / "SourceSansPro-Regular.ttf"))
    pdf.add_font(FONT, "B", str(_FONT_FILES / "SourceSansPro-Bold.ttf"))
    inner = SLIP_WIDTH - 2 * PADDING
    pages = [codes[i : i + SLIPS_PER_PAGE] for i in range(0, len(codes), SLIPS_PER_PAGE)] or [[]]
    title_lines: list[str] = []
    text_lines: list[str] = []
    for number, page in enumerate(pages):
        pdf.add_page()
        if number == 0:  # fpdf2 measures text on a page
            title_lines = _wrap(pdf, title, inner, TITLE_SIZE, "B", TITLE_MAX_LINES)
            text_lines = _wrap(pdf, instructions, inner, TEXT_SIZE, "", TEXT_MAX_LINES)
        _cut_lines(pdf, len(page))
        for index, (code, link) in enumerate(page):
            row, column = divmod(index, COLUMNS)
            _slip(pdf, MARGIN + column * SLIP_WIDTH, MARGIN + row * SLIP_HEIGHT, code, link, title_lines, text_lines)
    return bytes(pdf.output())


# --- layout (fpdf2's coordinates: points from the top-left corner) ------------------------------


def _cut_lines(pdf: FPDF, slips: int) -> None:
    """Dashed lines around the slips, each shared edge once."""
    edges: dict[tuple[float, float, float, float], None] = {}
    for index in range(slips):
        row, column = divmod(index, COLUMNS)
        left, top = MARGIN + column * SLIP_WIDTH, MARGIN + row * SLIP_HEIGHT
        right, bottom = left + SLIP_WIDTH, top + SLIP_HEIGHT
        for edge in (
            (left, top, right, top),
            (left, bottom, right, bottom),
            (left, top, left, bottom),
            (right, top, right, bottom),
        ):
            edges[tuple(round(v, 2) for v in edge)] = None  # type: ignore[index]
    if not edges:
        return
    pdf.set_draw_color(140)
    pdf.set_line_width(0.6)
    pdf.set_dash_pattern(dash=4, gap=3)
    for x1, y1, x2, y2 in edges:
        pdf.line(x1, y1, x2, y2)
    pdf.set_dash_pattern()


def _slip(
    pdf: FPDF, left: float, top: float, code: str, link: str, title_lines: list[str], text_lines: list[str]
) -> None:
    """Title, QR code (quiet zone included), code, instructions, stacked from the top."""
    inner = SLIP_WIDTH - 2 * PADDING
    title_height = len(title_lines) * TITLE_LEADING
    text_height = len(text_lines) * TEXT_LEADING
    box = min(inner, SLIP_HEIGHT - 2 * PADDING - title_height - CODE_HEIGHT - text_height)
    y = top + PADDING
    pdf.set_font(FONT, "B", TITLE_SIZE)
    for line in title_lines:
        _line(pdf, line, left, y, TITLE_LEADING)
        y += TITLE_LEADING
    _qr(pdf, link, left + (SLIP_WIDTH - box) / 2, y, box)
    y += box
    pdf.set_font(FONT, "B", CODE_SIZE)
    _line(pdf, code, left, y, CODE_HEIGHT)
    y += CODE_HEIGHT
    pdf.set_font(FONT, "", TEXT_SIZE)
    for line in text_lines:
        _line(pdf, line, left, y, TEXT_LEADING)
        y += TEXT_LEADING


def _line(pdf: FPDF, text: str, left: float, top: float, height: float) -> None:
    pdf.set_xy(left + PADDING, top)
    pdf.cell(SLIP_WIDTH - 2 * PADDING, height, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _qr(pdf: FPDF, link: str, left: float, top: float, box: float) -> None:
    """The symbol of `link`, its quiet zone filling the square box (left, top, box)."""
    matrix = segno.make(link, error="m", micro=False).matrix
    module = box / (len(matrix) + 2 * QUIET_ZONE)
    x0, y0 = left + QUIET_ZONE * module, top + QUIET_ZONE * module
    pdf.set_fill_color(0)
    for first, last, column, width in _rectangles(matrix):
        pdf.rect(x0 + column * module, y0 + first * module, width * module, (last - first + 1) * module, style="F")


def _rectangles(matrix: Sequence[Sequence[int]]) -> Iterable[tuple[int, int, int, int]]:
    """(first row, last row, column, width) of the dark rectangles covering the matrix: the
    dark runs of each row, a run carried on while the next rows repeat it."""
    open_runs: dict[tuple[int, int], int] = {}  # (column, width) -> first row
    for r, row in enumerate(matrix):
        runs = set(_runs(row))
        for run in [run for run in open_runs if run not in runs]:
            yield open_runs.pop(run), r - 1, *run
        for run in sorted(runs):
            open_runs.setdefault(run, r)
    for run, first in open_runs.items():
        yield first, len(matrix) - 1, *run


def _runs(row: Sequence[int]) -> Iterable[tuple[int, int]]:
    start = None
    for c, dark in enumerate([*row, 0]):
        if dark and start is None:
            start = c
        elif not dark and start is not None:
            yield start, c - start
            start = None


def _wrap(pdf: FPDF, text: str, width: float, size: float, style: str, max_lines: int) -> list[str]:
    """fpdf2's own line breaking with the real glyph widths; lines beyond max_lines are cut,
    the last one ending in '…'."""
    text = " ".join(text.split())
    if not text:
        return []
    pdf.set_font(FONT, style, size)
    lines = cast(list[str], pdf.multi_cell(width, size, text, dry_run=True, output=MethodReturnValue.LINES))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and pdf.get_string_width(last + " …") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    return lines
