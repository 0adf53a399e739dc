"""The printable sheet of invitation codes: a PDF that pypdf reads, whose text is the text given
(any alphabet) and whose QR codes are the links."""

from __future__ import annotations

import io
import math
import shutil
import subprocess

import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import ContentStream

from campaign import verification as rules
from conversations.code_sheet import (
    COLUMNS,
    MARGIN,
    PAGE_HEIGHT,
    QUIET_ZONE,
    SLIP_HEIGHT,
    SLIP_WIDTH,
    SLIPS_PER_PAGE,
    code_sheet_pdf,
)

TITLE = "Budget participatif d'Évreux — 2030"
INSTRUCTIONS = "Scannez ce code avec l'appareil photo de votre téléphone, ou envoyez /start au bot et tapez le code."

Rect = tuple[float, float, float, float]  # left, bottom, width, height, in PDF points


def make(count: int) -> list[tuple[str, str]]:
    codes = sorted({rules.new_code() for _ in range(count * 2)})[:count]
    return [(rules.display_code(code), f"https://t.me/pbbot_test_bot?start={code}") for code in codes]


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf), strict=True)


def texts(page) -> list[tuple[float, float, float, str]]:
    """(font size, x, baseline y, text) of each line drawn on the page."""
    found: list[tuple[float, float, float, str]] = []

    def visit(text, _cm, tm, _font, size):
        if text.strip():
            found.append((size * tm[0], tm[4], tm[5], text))

    page.extract_text(visitor_text=visit)
    return found


def operations(page) -> list[tuple[list, bytes]]:
    return ContentStream(page.get_contents(), page.pdf).operations


def filled_rects(page) -> list[Rect]:
    rects = []
    for operands, operator in operations(page):
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            rects.append((x, min(y, y + h), w, abs(h)))
    return rects


def cut_lines(page) -> list[tuple[float, float, float, float]]:
    lines, start = [], None
    for operands, operator in operations(page):
        if operator == b"m":
            start = tuple(float(v) for v in operands)
        elif operator == b"l" and start is not None:
            lines.append((*start, *(float(v) for v in operands)))
    return lines


def slip_of(x: float, y: float) -> int:
    column = int((x - MARGIN) // SLIP_WIDTH)
    row = int((PAGE_HEIGHT - MARGIN - y) // SLIP_HEIGHT)
    return row * COLUMNS + column


def symbols(page) -> dict[int, list[Rect]]:
    """The QR rectangles of each slip on the page, by slip index."""
    by_slip: dict[int, list[Rect]] = {}
    for rect in filled_rects(page):
        by_slip.setdefault(slip_of(rect[0] + rect[2] / 2, rect[1] + rect[3] / 2), []).append(rect)
    return by_slip


def rebuild(rects: list[Rect], size: int, module: float) -> list[list[int]]:
    """The module matrix (top row first) that the rectangles paint, each module once; the
    symbol's top-left corner is the finder pattern's, the leftmost and topmost dark module."""
    left = min(x for x, _y, _w, _h in rects)
    top = max(y + h for _x, y, _w, h in rects)
    grid = [[0] * size for _ in range(size)]
    for x, y, w, h in rects:
        first_col, first_row = round((x - left) / module), round((top - (y + h)) / module)
        cols, rows = round(w / module), round(h / module)
        assert cols > 0 and rows > 0 and abs(cols * module - w) < 0.02 and abs(rows * module - h) < 0.02
        for row in range(first_row, first_row + rows):
            for col in range(first_col, first_col + cols):
                assert 0 <= col < size and 0 <= row < size, "a dark module in the quiet zone"
                assert grid[row][col] == 0, "overlapping rectangles"
                grid[row][col] = 1
    return grid


def module_of(rects: list[Rect], size: int = 0) -> float:
    """The symbol's width over its modules (the finder patterns reach both edges); without a
    size, the narrowest rectangle (to the 0.01 pt the file is written with)."""
    if not size:
        return min(min(w, h) for _x, _y, w, h in rects)
    return (max(x + w for x, _y, w, _h in rects) - min(x for x, _y, _w, _h in rects)) / size


# --- the file ---------------------------------------------------------------------------------


def test_an_a4_pdf_with_an_embedded_unicode_font():
    reader = read(code_sheet_pdf(make(3), title=TITLE, instructions=INSTRUCTIONS))
    (page,) = reader.pages
    assert [round(float(v), 2) for v in page.mediabox] == [0, 0, 595.28, 841.89]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts and all(font["/Subtype"] == "/Type0" for font in fonts)  # Unicode (Identity-H), not WinAnsi
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor and "SourceSansPro" in font["/BaseFont"]  # embedded TrueType


def test_polish_letters_print_as_written():
    # Was "Bud?et obywatelski ?ód?" with the cp1252 Helvetica of the hand-written PDF.
    title = "Budżet obywatelski Łódź"
    instructions = "Zeskanuj ten kod aparatem telefonu albo wyślij /start do bota i wpisz kod."
    reader = read(code_sheet_pdf(make(2), title=title, instructions=instructions))
    text = reader.pages[0].extract_text()
    assert text.count(title) == 2 and text.count(instructions) == 2
    assert "?" not in text


@pytest.mark.parametrize("title", ["Бюджет участия — Москва", "Katılımcı bütçe İzmir", "Συμμετοχικός προϋπολογισμός"])
def test_other_alphabets_print_too(title):
    reader = read(code_sheet_pdf(make(1), title=title, instructions=INSTRUCTIONS))
    assert title in reader.pages[0].extract_text()


@pytest.mark.parametrize("count", [1, 7, 8, 9, 16, 50])
def test_one_page_per_sheet_of_slips(count):
    reader = read(code_sheet_pdf(make(count), title=TITLE, instructions=INSTRUCTIONS))
    assert len(reader.pages) == math.ceil(count / SLIPS_PER_PAGE)
    per_page = [len(symbols(page)) for page in reader.pages]
    assert per_page == [min(SLIPS_PER_PAGE, count - i * SLIPS_PER_PAGE) for i in range(len(reader.pages))]


def test_no_codes_still_makes_a_valid_file():
    assert len(read(code_sheet_pdf([], title=TITLE, instructions=INSTRUCTIONS)).pages) == 1


def test_every_code_is_printed_once_in_order():
    codes = make(11)
    reader = read(code_sheet_pdf(codes, title=TITLE, instructions=INSTRUCTIONS))
    printed = [text for page in reader.pages for size, _x, _y, text in texts(page) if size >= 14]
    assert printed == [code for code, _link in codes]


def test_long_instructions_are_wrapped_within_the_slip():
    instructions = " ".join(["Scannez ce code avec votre téléphone."] * 4)
    (page,) = read(code_sheet_pdf(make(1), title=TITLE, instructions=instructions)).pages
    small = [(x, text) for size, x, _y, text in texts(page) if size < 9]
    assert len(small) > 2
    assert " ".join(text for _x, text in small) == instructions
    assert all(MARGIN < x < MARGIN + SLIP_WIDTH for x, _text in small)


def test_a_title_too_long_for_two_lines_ends_in_an_ellipsis():
    title = " ".join(["Budżet obywatelski miasta Łodzi"] * 6)
    (page,) = read(code_sheet_pdf(make(1), title=title, instructions=INSTRUCTIONS)).pages
    lines = [text for size, _x, _y, text in texts(page) if 9 < size < 14]
    assert len(lines) == 2 and lines[-1].endswith(" …") and title.startswith(" ".join(lines)[:-2])


# --- the QR codes ----------------------------------------------------------------------------


def test_each_qr_code_is_the_symbol_of_its_link():
    codes = make(10)  # two pages
    reader = read(code_sheet_pdf(codes, title=TITLE, instructions=INSTRUCTIONS))
    drawn = [rects for page in reader.pages for _slip, rects in sorted(symbols(page).items())]
    assert len(drawn) == len(codes)
    for (_code, link), rects in zip(codes, drawn):
        expected = [list(row) for row in segno.make(link, error="m").matrix]
        assert rebuild(rects, len(expected), module_of(rects, len(expected))) == expected
        assert len(rects) < sum(map(sum, expected)) / 2  # runs are merged


def test_a_missing_or_misplaced_module_is_noticed():
    ((code, link),) = make(1)
    (page,) = read(code_sheet_pdf([(code, link)], title=TITLE, instructions=INSTRUCTIONS)).pages
    (rects,) = symbols(page).values()
    expected = [list(row) for row in segno.make(link, error="m").matrix]
    module = module_of(rects, len(expected))
    assert rebuild(rects, len(expected), module) == expected
    i = next(i for i, (_x, _y, w, _h) in enumerate(rects) if w > 1.5 * module)
    x, y, w, h = rects[i]
    assert rebuild([*rects[:i], (x, y, w - module, h), *rects[i + 1 :]], len(expected), module) != expected
    with pytest.raises(AssertionError):  # one module wider: into the quiet zone or onto a neighbour
        rebuild([(x, y, w + module, h) for x, y, w, h in rects], len(expected), module)


def test_the_quiet_zone_stays_white():
    """Around each symbol, 4 modules on every side: on the page, clear of text and cut lines."""
    (page,) = read(code_sheet_pdf(make(8), title=TITLE, instructions=INSTRUCTIONS)).pages
    lines = texts(page)
    cuts = cut_lines(page)
    for rects in symbols(page).values():
        module = module_of(rects)
        assert module >= 2.5  # about 0.9 mm, enough for a phone camera
        left = min(x for x, _y, _w, _h in rects) - QUIET_ZONE * module
        bottom = min(y for _x, y, _w, _h in rects) - QUIET_ZONE * module
        right = max(x + w for x, _y, w, _h in rects) + QUIET_ZONE * module
        top = max(y + h for _x, y, _w, h in rects) + QUIET_ZONE * module
        assert 0 < left < right < 595.28 and 0 < bottom < top < 841.89
        for size, _x, baseline, text in lines:
            ascent, descent = baseline + 0.75 * size, baseline - 0.25 * size
            assert descent >= top - 0.01 or ascent <= bottom + 0.01, f"{text!r} is in the quiet zone"
        for x1, y1, x2, y2 in cuts:
            if x1 == x2:  # vertical line
                assert not (left < x1 < right and min(y1, y2) < top and max(y1, y2) > bottom)
            else:
                assert not (bottom < y1 < top and min(x1, x2) < right and max(x1, x2) > left)


def test_cut_lines_are_dashed_and_frame_the_slips():
    (page,) = read(code_sheet_pdf(make(3), title=TITLE, instructions=INSTRUCTIONS)).pages
    dashes = [operands for operands, operator in operations(page) if operator == b"d"]
    assert [float(v) for v in dashes[0][0]] == [4, 3]
    cuts = cut_lines(page)
    assert len(cuts) == len(set(cuts)) == 10  # 2 slips + 1 below: shared edges drawn once


# --- rendered ---------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_poppler_renders_the_first_page(tmp_path):
    source = tmp_path / "codes.pdf"
    source.write_bytes(code_sheet_pdf(make(9), title="Budżet obywatelski Łódź", instructions=INSTRUCTIONS))
    done = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"Error" not in done.stderr, done.stderr


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None, reason="poppler-utils or zbar-tools missing"
)
def test_a_qr_reader_reads_each_slip(tmp_path):
    """Each slip, rendered alone at 150 dpi, scans to its link (zbar misses some symbols
    when a page holds several, so one slip at a time)."""
    codes = make(3)
    source = tmp_path / "codes.pdf"
    source.write_bytes(code_sheet_pdf(codes, title="Budżet obywatelski Łódź", instructions=INSTRUCTIONS))
    scale = 150 / 72
    for index, (_code, link) in enumerate(codes):
        row, column = divmod(index, COLUMNS)
        box = [MARGIN + column * SLIP_WIDTH, MARGIN + row * SLIP_HEIGHT, SLIP_WIDTH, SLIP_HEIGHT]  # from the top
        x, y, w, h = (str(int(v * scale)) for v in box)
        target = tmp_path / f"slip{index}"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "150",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-x",
                x,
                "-y",
                y,
                "-W",
                w,
                "-H",
                h,
                "-singlefile",
                str(source),
                str(target),
            ],
            check=True,
            timeout=60,
        )
        done = subprocess.run(["zbarimg", "-q", "--raw", f"{target}.png"], capture_output=True, timeout=60)
        assert done.stdout.decode().split() == [link]
