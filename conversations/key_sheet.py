"""A printable sheet for one key share: a PNG page (A4 at 150 dpi) with the share's QR code
and its text, so that a committee member can keep it on paper and type or scan it back.

Its own module (not code_sheet's PDF): one page, one code, and Pillow already draws the
figures' charts. Pure: no Telegram, no I/O.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import segno
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
MARGIN = 90


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def key_share_sheet(share_text: str, *, title: str, lines: Sequence[str]) -> bytes:
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    y = MARGIN
    for line in textwrap.wrap(title, 40)[:2]:
        draw.text((MARGIN, y), line, fill=0, font=_font(44))
        y += 60
    y += 20
    for text in lines:
        for line in textwrap.wrap(text, 70):
            draw.text((MARGIN, y), line, fill=0, font=_font(26))
            y += 36
        y += 10
    qr = segno.make(share_text, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=4)
    symbol = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    page.paste(symbol, ((WIDTH - symbol.width) // 2, y + 30))
    y += 30 + symbol.height + 40
    # The text under the code, in short groups: what a member types if the QR cannot be read.
    for line in textwrap.wrap(share_text, 44, break_on_hyphens=False):
        draw.text((MARGIN, y), line, fill=0, font=_font(30))
        y += 42
    out = io.BytesIO()
    page.save(out, format="PNG", optimize=True)
    return out.getvalue()
