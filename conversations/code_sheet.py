"""A printable A4 sheet of invitation-code slips, one QR code per code (PDF, written by hand).

`code_sheet_pdf(codes, title=..., instructions=...)` lays the codes out as cut-out slips,
COLUMNS x ROWS per page with dashed cut lines; each slip has the title (the campaign name),
the QR code of the code's deep link, the code in large letters and a short instruction.

The PDF is a minimal PDF 1.4 file: catalog, pages, one page object and one uncompressed
content stream per page, and a single font resource, the standard Type1 font Helvetica with
/WinAnsiEncoding (every viewer has it, nothing is embedded). Text is therefore encoded to
cp1252, which covers French; a character outside it is printed as '?'.

QR modules are drawn as filled black rectangles in module units (one `cm` per code): dark
runs of a row are merged into one rectangle, and identical runs of consecutive rows into a
taller one. A sheet of 50 codes is about 170 kB (3.4 kB a slip; streams are uncompressed).
The 4-module quiet zone around each symbol is left white: no text nor cut line enters it.

Pure: no Telegram, no I/O.
"""
from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Iterable, Sequence

import segno

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
AVERAGE_WIDTH = 0.5  # of a character, in ems, for the character-count wrap

# Helvetica advance widths (per 1000 units of the font size), WinAnsi codes 32..126.
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p..~
)


def code_sheet_pdf(codes: list[tuple[str, str]], *, title: str, instructions: str) -> bytes:
    """An A4 PDF of cut-out slips, one per (code as printed, deep link) pair, in order:
    left to right, top to bottom, SLIPS_PER_PAGE a page (one blank page if there are none)."""
    title_lines = _wrap(title, SLIP_WIDTH - 2 * PADDING, TITLE_SIZE, TITLE_MAX_LINES)
    text_lines = _wrap(instructions, SLIP_WIDTH - 2 * PADDING, TEXT_SIZE, TEXT_MAX_LINES)
    pages = [codes[i:i + SLIPS_PER_PAGE] for i in range(0, len(codes), SLIPS_PER_PAGE)] or [[]]
    return _pdf([_page(page, title_lines, text_lines) for page in pages])


# --- layout --------------------------------------------------------------------------------


def _page(codes: Sequence[tuple[str, str]], title_lines: list[str], text_lines: list[str]) -> bytes:
    ops: list[bytes] = []
    edges: dict[tuple[str, str, str, str], None] = {}  # shared edges once, in order
    for index, (code, link) in enumerate(codes):
        row, column = divmod(index, COLUMNS)
        x = MARGIN + column * SLIP_WIDTH
        y = PAGE_HEIGHT - MARGIN - (row + 1) * SLIP_HEIGHT
        ops.append(_slip(x, y, code, link, title_lines, text_lines))
        left, right, bottom, top = _n(x), _n(x + SLIP_WIDTH), _n(y), _n(y + SLIP_HEIGHT)
        for edge in ((left, top, right, top), (left, bottom, right, bottom), (left, bottom, left, top), (right, bottom, right, top)):
            edges[edge] = None
    if edges:
        cut = "".join(f"{x1} {y1} m {x2} {y2} l\n" for x1, y1, x2, y2 in edges)
        ops.insert(0, f"q\n0.55 G 0.6 w [4 3] 0 d\n{cut}S\nQ\n".encode("ascii"))
    return b"".join(ops)


def _slip(x: float, y: float, code: str, link: str, title_lines: list[str], text_lines: list[str]) -> bytes:
    """Title, QR code (quiet zone included), code, instructions, stacked from the top."""
    top = y + SLIP_HEIGHT
    inner = SLIP_WIDTH - 2 * PADDING
    title_height = len(title_lines) * TITLE_LEADING
    text_height = len(text_lines) * TEXT_LEADING
    box = min(inner, SLIP_HEIGHT - 2 * PADDING - title_height - CODE_HEIGHT - text_height)
    ops: list[bytes] = []
    baseline = top - PADDING - 0.75 * TITLE_SIZE
    for line in title_lines:
        ops.append(_text(line, x, inner, baseline, TITLE_SIZE))
        baseline -= TITLE_LEADING
    box_top = top - PADDING - title_height
    box_bottom = box_top - box
    ops.append(_qr(link, x + (SLIP_WIDTH - box) / 2, box_bottom, box))
    ops.append(_text(code, x, inner, box_bottom - CODE_HEIGHT + 0.3 * CODE_SIZE, CODE_SIZE))
    baseline = box_bottom - CODE_HEIGHT - 0.75 * TEXT_SIZE - 1.5
    for line in text_lines:
        ops.append(_text(line, x, inner, baseline, TEXT_SIZE))
        baseline -= TEXT_LEADING
    return b"".join(ops)


def _qr(link: str, left: float, bottom: float, box: float) -> bytes:
    """The symbol of `link`, its quiet zone filling the square box (left, bottom, box)."""
    matrix = segno.make(link, error="m", micro=False).matrix
    size = len(matrix)
    module = box / (size + 2 * QUIET_ZONE)
    origin_x = left + QUIET_ZONE * module
    origin_y = bottom + QUIET_ZONE * module
    rects = "".join(f"{c} {size - 1 - last} {w} {last - first + 1} re\n" for first, last, c, w in _rectangles(matrix))
    return f"q\n0 g\n{_n(module, 4)} 0 0 {_n(module, 4)} {_n(origin_x)} {_n(origin_y)} cm\n{rects}f\nQ\n".encode("ascii")


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


# --- text ------------------------------------------------------------------------------------


def _wrap(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """A simple character-count wrap (an average character width), narrowed if a line still
    comes out wider than `width`; lines beyond max_lines are cut, the last one ending in '…'."""
    text = " ".join(text.split())
    if not text:
        return []
    chars = max(4, int(width / (AVERAGE_WIDTH * size)))
    while True:
        lines = textwrap.wrap(text, chars, break_on_hyphens=False)
        if chars <= 4 or all(_width(line, size) <= width for line in lines):
            break
        chars -= 1
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _width(last + " …", size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    return lines


def _width(text: str, size: float) -> float:
    return sum(_char_width(ch) for ch in text) * size / 1000


def _char_width(ch: str) -> int:
    base = unicodedata.normalize("NFD", ch)[0]  # é as e: close enough for centring
    if " " <= base <= "~":
        return _ASCII_WIDTHS[ord(base) - 32]
    return 556


def _text(text: str, left: float, width: float, baseline: float, size: float) -> bytes:
    """One line centred in (left + PADDING, width)."""
    x = left + PADDING + max(0.0, (width - _width(text, size)) / 2)
    return b"BT\n/F1 %s Tf\n%s %s Td\n(%s) Tj\nET\n" % (_n(size).encode(), _n(x).encode(), _n(baseline).encode(), _pdf_string(text))


def _pdf_string(text: str) -> bytes:
    """The inside of a PDF literal string: cp1252 ('?' for what it lacks), escaped."""
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r").replace(b"\n", b"\\n")


def _n(value: float, places: int = 2) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# --- the file ----------------------------------------------------------------------------------


def _pdf(contents: list[bytes]) -> bytes:
    """Objects: 1 catalog, 2 pages, 3 font, then a page and its content stream per page."""
    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(contents)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} >>".encode("ascii"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(contents):
        stream = first_page + 2 * i + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_n(PAGE_WIDTH, 3)} {_n(PAGE_HEIGHT, 3)}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {stream} 0 R >>".encode("ascii")
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # binary comment: the file holds 8-bit bytes
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
