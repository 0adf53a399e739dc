"""The printable sheet of invitation codes: a well-formed PDF whose QR codes are the links."""
from __future__ import annotations

import math
import re
import shutil
import subprocess

import pytest
import segno

from campaign import verification as rules
from conversations.code_sheet import COLUMNS, MARGIN, SLIP_HEIGHT, SLIP_WIDTH, SLIPS_PER_PAGE, code_sheet_pdf

TITLE = "Budget participatif d'Évreux — 2030"
INSTRUCTIONS = "Scannez ce code avec l'appareil photo de votre téléphone, ou envoyez /start au bot et tapez le code."

QR_BLOCK = re.compile(
    rb"q\n0 g\n(\S+) 0 0 (\S+) (\S+) (\S+) cm\n((?:\d+ \d+ \d+ \d+ re\n)*)f\nQ\n"
)
TEXT = re.compile(rb"BT\n/F1 (\S+) Tf\n(\S+) (\S+) Td\n\(((?:[^\\()]|\\.)*)\) Tj\nET\n", re.S)
CUT = re.compile(rb"(\S+) (\S+) m (\S+) (\S+) l\n")


def make(count: int) -> list[tuple[str, str]]:
    codes = sorted({rules.new_code() for _ in range(count * 2)})[:count]
    return [(rules.display_code(code), f"https://t.me/pbbot_test_bot?start={code}") for code in codes]


def objects(pdf: bytes) -> dict[int, bytes]:
    """Object number -> body, read through the xref table (checking every offset)."""
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n")
    lines = pdf[startxref:].split(b"\n")
    first, count = map(int, lines[1].split())
    assert first == 0
    entries = pdf[startxref + len(lines[0]) + len(lines[1]) + 2:][: count * 20]
    assert len(entries) == count * 20  # 20-byte entries
    rows = [entries[i * 20:(i + 1) * 20] for i in range(count)]
    assert rows[0] == b"0000000000 65535 f \n"
    found = {}
    for number, row in enumerate(rows[1:], start=1):
        offset, generation, kind = row[:10], row[11:16], row[17:18]
        assert kind == b"n" and generation == b"00000" and row[18:] == b" \n"
        start = int(offset)
        header = b"%d 0 obj\n" % number
        assert pdf[start:start + len(header)] == header, f"object {number} is not at {start}"
        end = pdf.index(b"\nendobj\n", start)
        found[number] = pdf[start + len(header):end]
    trailer = pdf[pdf.index(b"trailer", startxref):]
    assert b"/Size %d" % count in trailer
    return found


def page_streams(pdf: bytes) -> list[bytes]:
    """The content stream of each page, in the order of the /Kids array."""
    objs = objects(pdf)
    root = int(re.search(rb"/Root (\d+) 0 R", pdf[pdf.rindex(b"trailer"):]).group(1))
    pages = int(re.search(rb"/Pages (\d+) 0 R", objs[root]).group(1))
    kids = [int(n) for n in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[([^\]]*)\]", objs[pages]).group(1))]
    count = int(re.search(rb"/Count (\d+)", objs[pages]).group(1))
    assert count == len(kids)
    streams = []
    for kid in kids:
        assert b"/Type /Page " in objs[kid] and b"/Parent %d 0 R" % pages in objs[kid]
        assert b"/MediaBox [0 0 595.276 841.89]" in objs[kid]
        content = int(re.search(rb"/Contents (\d+) 0 R", objs[kid]).group(1))
        body = objs[content]
        length = int(re.search(rb"/Length (\d+)", body).group(1))
        data = body[body.index(b"stream\n") + 7:]
        assert data.endswith(b"\nendstream") and len(data) == length + len(b"\nendstream")
        streams.append(data[:length])
    return streams


def unescape(raw: bytes) -> bytes:
    return re.sub(rb"\\(.)", lambda m: {b"n": b"\n", b"r": b"\r"}.get(m.group(1), m.group(1)), raw)


def qr_blocks(stream: bytes) -> list[tuple[float, float, float, list[tuple[int, int, int, int]]]]:
    """(module size, x, y of the symbol's lower-left corner, rectangles in modules)."""
    blocks = []
    for a, d, x, y, body in QR_BLOCK.findall(stream):
        assert a == d
        rects = [tuple(map(int, line.split()[:4])) for line in body.splitlines()]
        blocks.append((float(a), float(x), float(y), rects))
    return blocks


def rebuild(rects: list[tuple[int, int, int, int]], size: int) -> list[list[int]]:
    """The module matrix (top row first) that the rectangles paint, each module once."""
    grid = [[0] * size for _ in range(size)]
    for x, y, w, h in rects:
        assert w > 0 and h > 0
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                assert 0 <= xx < size and 0 <= yy < size, "a dark module in the quiet zone"
                row = size - 1 - yy  # PDF y goes up
                assert grid[row][xx] == 0, "overlapping rectangles"
                grid[row][xx] = 1
    return grid


# --- the file ---------------------------------------------------------------------------------


def test_a_pdf_with_a_correct_xref_table():
    pdf = code_sheet_pdf(make(3), title=TITLE, instructions=INSTRUCTIONS)
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.endswith(b"%%EOF\n")
    objs = objects(pdf)
    assert b"/Type /Catalog" in objs[1]
    (font,) = [body for body in objs.values() if b"/Type /Font" in body]
    assert b"/BaseFont /Helvetica" in font and b"/Encoding /WinAnsiEncoding" in font


@pytest.mark.parametrize("count", [1, 7, 8, 9, 16, 50])
def test_one_page_per_sheet_of_slips(count):
    pdf = code_sheet_pdf(make(count), title=TITLE, instructions=INSTRUCTIONS)
    streams = page_streams(pdf)
    assert len(streams) == math.ceil(count / SLIPS_PER_PAGE)
    assert [len(qr_blocks(s)) for s in streams] == [min(SLIPS_PER_PAGE, count - i * SLIPS_PER_PAGE) for i in range(len(streams))]


def test_no_codes_still_makes_a_valid_file():
    assert len(page_streams(code_sheet_pdf([], title=TITLE, instructions=INSTRUCTIONS))) == 1


def test_every_code_is_printed_once_in_order():
    codes = make(11)
    streams = page_streams(code_sheet_pdf(codes, title=TITLE, instructions=INSTRUCTIONS))
    printed = [unescape(text) for s in streams for size, _x, _y, text in TEXT.findall(s) if float(size) >= 14]
    assert printed == [code.encode("ascii") for code, _link in codes]


def test_accents_are_cp1252_and_strings_are_escaped():
    title = "Budget (participatif) d'Évreux \\ 2030 — été ✓"
    pdf = code_sheet_pdf(make(1), title=title, instructions="À vous : scannez-moi…")
    (stream,) = page_streams(pdf)
    texts = [unescape(text) for _size, _x, _y, text in TEXT.findall(stream)]
    assert texts[0] == "Budget (participatif) d'Évreux \\ 2030 — été ?".encode("cp1252")
    assert b"\xc9vreux" in stream and b"\x97" in stream and b"\xe9t\xe9" in stream
    assert b"\\(participatif\\)" in stream and b"\\\\ 2030" in stream
    assert "À vous : scannez-moi…".encode("cp1252") in texts


def test_long_instructions_are_wrapped_within_the_slip():
    instructions = " ".join(["Scannez ce code avec votre téléphone."] * 4)
    (stream,) = page_streams(code_sheet_pdf(make(1), title=TITLE, instructions=instructions))
    small = [unescape(text) for size, _x, _y, text in TEXT.findall(stream) if float(size) < 9]
    assert len(small) > 2 and max(len(line) for line in small) < 75
    assert b" ".join(small).decode("cp1252") == instructions


# --- the QR codes ----------------------------------------------------------------------------


def test_each_qr_code_is_the_symbol_of_its_link():
    codes = make(10)  # two pages
    streams = page_streams(code_sheet_pdf(codes, title=TITLE, instructions=INSTRUCTIONS))
    blocks = [block for stream in streams for block in qr_blocks(stream)]
    assert len(blocks) == len(codes)
    for (_code, link), (_module, _x, _y, rects) in zip(codes, blocks):
        expected = [list(row) for row in segno.make(link, error="m").matrix]
        assert rebuild(rects, len(expected)) == expected
        assert len(rects) < sum(map(sum, expected)) / 2  # runs are merged


def test_a_missing_or_misplaced_module_is_noticed():
    ((code, link),) = make(1)
    (stream,) = page_streams(code_sheet_pdf([(code, link)], title=TITLE, instructions=INSTRUCTIONS))
    ((_m, _x, _y, rects),) = qr_blocks(stream)
    expected = [list(row) for row in segno.make(link, error="m").matrix]
    assert rebuild(rects, len(expected)) == expected
    i = next(i for i, (_x, _y, w, _h) in enumerate(rects) if w > 1)
    x, y, w, h = rects[i]
    assert rebuild([*rects[:i], (x, y, w - 1, h), *rects[i + 1:]], len(expected)) != expected
    with pytest.raises(AssertionError):  # one module to the right: into the quiet zone
        rebuild([(x + 1, y, w, h) for x, y, w, h in rects], len(expected))


def test_the_quiet_zone_stays_white():
    """Around each symbol, 4 modules on every side: on the page, clear of text and cut lines."""
    pdf = code_sheet_pdf(make(8), title=TITLE, instructions=INSTRUCTIONS)
    (stream,) = page_streams(pdf)
    texts = [(float(size), float(x), float(y), unescape(text)) for size, x, y, text in TEXT.findall(stream)]
    cuts = [tuple(map(float, c)) for c in CUT.findall(stream)]
    size = len(segno.make(make(1)[0][1], error="m").matrix)
    for module, x, y, _rects in qr_blocks(stream):
        assert module >= 2.5  # about 0.9 mm, enough for a phone camera
        left, bottom = x - 4 * module, y - 4 * module
        right, top = x + (size + 4) * module, y + (size + 4) * module
        assert 0 < left < right < 595.276 and 0 < bottom < top < 841.89
        for font, tx, ty, text in texts:
            ascent, descent = ty + 0.75 * font, ty - 0.25 * font
            assert descent >= top or ascent <= bottom or tx >= right, f"{text!r} is in the quiet zone"
        for x1, y1, x2, y2 in cuts:
            if x1 == x2:  # vertical line
                assert not (left < x1 < right and min(y1, y2) < top and max(y1, y2) > bottom)
            else:
                assert not (bottom < y1 < top and min(x1, x2) < right and max(x1, x2) > left)


def test_cut_lines_are_dashed_and_frame_the_slips():
    (stream,) = page_streams(code_sheet_pdf(make(3), title=TITLE, instructions=INSTRUCTIONS))
    assert b"[4 3] 0 d" in stream
    cuts = CUT.findall(stream)
    assert len(cuts) == len(set(cuts)) == 10  # 2 slips + 1 below: shared edges drawn once


# --- rendered ---------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_poppler_renders_the_first_page(tmp_path):
    source = tmp_path / "codes.pdf"
    source.write_bytes(code_sheet_pdf(make(9), title=TITLE, instructions=INSTRUCTIONS))
    done = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
        capture_output=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"Error" not in done.stderr, done.stderr


@pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None, reason="poppler-utils or zbar-tools missing")
def test_a_qr_reader_reads_each_slip(tmp_path):
    """Each slip, rendered alone at 150 dpi, scans to its link (zbar misses some symbols
    when a page holds several, so one slip at a time)."""
    codes = make(3)
    source = tmp_path / "codes.pdf"
    source.write_bytes(code_sheet_pdf(codes, title=TITLE, instructions=INSTRUCTIONS))
    scale = 150 / 72
    for index, (_code, link) in enumerate(codes):
        row, column = divmod(index, COLUMNS)
        box = [MARGIN + column * SLIP_WIDTH, MARGIN + row * SLIP_HEIGHT, SLIP_WIDTH, SLIP_HEIGHT]  # from the top
        x, y, w, h = (str(int(v * scale)) for v in box)
        target = tmp_path / f"slip{index}"
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-x", x, "-y", y, "-W", w, "-H", h, "-singlefile", str(source), str(target)],
            check=True, timeout=60,
        )
        done = subprocess.run(["zbarimg", "-q", "--raw", f"{target}.png"], capture_output=True, timeout=60)
        assert done.stdout.decode().split() == [link]
