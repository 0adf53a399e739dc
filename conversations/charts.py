"""Chart images for the committee and residents: data in, PNG bytes out (Pillow), no I/O.

- `daily_chart`: one panel per series (registrations, ballots...), a bar per day, a date axis,
  optional dashed markers for the phase starts.
- `votes_chart`: a horizontal bar per project, the winners in another colour, the votes at the
  end of each bar.

Every text is given already translated. A system font with accents (DejaVu Sans, as Debian's
`fonts-dejavu-core` installs it, or Noto / Liberation) is used when there is one; otherwise
Pillow's built-in font, which has ASCII only, and the texts are written without accents
("Mobilité" -> "Mobilite") rather than as empty boxes.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

BACKGROUND: Color = (255, 255, 255)
INK: Color = (34, 38, 46)
MUTED: Color = (110, 116, 128)
GRID: Color = (228, 231, 236)
AXIS: Color = (160, 166, 176)
BLUE: Color = (52, 103, 172)
ORANGE: Color = (222, 118, 48)
GREEN: Color = (38, 140, 84)
GREY: Color = (160, 172, 190)

# Tried in order, by name (Pillow looks in the system's font folders) and by path.
FONT_FILES: dict[bool, tuple[str, ...]] = {
    False: (
        "DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "Arial.ttf",
        "/Library/Fonts/Arial.ttf",
    ),
    True: (
        "DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "Arial Bold.ttf",
        "/Library/Fonts/Arial Bold.ttf",
    ),
}


@dataclass(frozen=True)
class Series:
    label: str  # the panel's title, e.g. "New residents per day"
    values: Sequence[int]  # one per day
    color: Color = BLUE


@dataclass(frozen=True)
class Bar:
    label: str  # e.g. "#3 Bike racks"
    value: int
    highlighted: bool = False  # a winner


# --- fonts and text ---------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _load(size: int, bold: bool) -> tuple[Font, bool]:
    """(font, whether it has accents)."""
    for name in FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


def clear_font_cache() -> None:
    _load.cache_clear()


_ASCII = str.maketrans(
    {
        "€": "EUR",
        "£": "GBP",
        "—": "-",
        "–": "-",
        "…": "...",
        "«": '"',
        "»": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "·": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "★": "*",
        "✓": "v",
    }
)


def to_ascii(text: str) -> str:
    """What the built-in font can draw: accents dropped, a few signs spelled out, "?" for the rest."""
    text = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(c if c.isascii() else "?" for c in text if not unicodedata.combining(c))


class _Pen:
    """Draws text with the best font at hand."""

    def __init__(self, image: Image.Image) -> None:
        self.draw = ImageDraw.Draw(image)

    @staticmethod
    def font(size: int, bold: bool = False) -> Font:
        return _load(size, bold)[0]

    @staticmethod
    def clean(text: str, size: int, bold: bool = False) -> str:
        return text if _load(size, bold)[1] else to_ascii(text)

    def width(self, text: str, size: int, bold: bool = False) -> float:
        return self.draw.textlength(self.clean(text, size, bold), font=self.font(size, bold))

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        fill: Color = INK,
        *,
        bold: bool = False,
        anchor: str = "la",
    ) -> None:
        self.draw.text(xy, self.clean(text, size, bold), font=self.font(size, bold), fill=fill, anchor=anchor)

    def fit(self, text: str, size: int, max_width: float, bold: bool = False) -> str:
        """`text`, shortened with an ellipsis to fit in `max_width` pixels."""
        if self.width(text, size, bold) <= max_width:
            return text
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self.width(text[:middle].rstrip() + "…", size, bold) <= max_width:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + "…"


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# --- axes ---------------------------------------------------------------------------------------


def nice_ticks(maximum: int, most: int = 6) -> list[int]:
    """0 and a round step (1, 2, 5 x 10^k) up to at least `maximum`, at most `most` steps."""
    if maximum <= 0:
        return [0, 1]
    magnitude = 10 ** max(0, math.floor(math.log10(maximum / most)))
    step = next(m * magnitude for m in (1, 2, 5, 10) if math.ceil(maximum / (m * magnitude)) <= most)
    return list(range(0, step * math.ceil(maximum / step) + 1, step))


def _rotated_label(image: Image.Image, text: str, center: tuple[float, float], size: int, fill: Color) -> None:
    pen = _Pen(image)
    width = int(pen.width(text, size)) + 4
    layer = Image.new("RGBA", (width, size + 8), (0, 0, 0, 0))
    _Pen(layer).text((2, 2), text, size, fill)
    rotated = layer.rotate(90, expand=True)
    image.paste(rotated, (int(center[0] - rotated.width / 2), int(center[1] - rotated.height / 2)), rotated)


def _dashed_vline(draw: ImageDraw.ImageDraw, x: float, top: float, bottom: float, fill: Color, dash: int = 6) -> None:
    y = top
    while y < bottom:
        draw.line([(x, y), (x, min(y + dash, bottom))], fill=fill, width=2)
        y += dash * 2


# --- registrations and votes per day --------------------------------------------------------------


def daily_chart(
    *,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    y_label: str,
    x_label: str,
    day_label: Callable[[date], str] = lambda day: day.strftime("%d %b"),
    markers: Sequence[tuple[date, str]] = (),
    total_label: Callable[[int], str] = lambda total: f"total {total}",
    empty_label: str = "no data",
    width: int = 1200,
    panel_height: int = 230,
) -> bytes:
    """A panel per series, a bar per day; `markers` are dashed lines at the start of a day."""
    if not days:
        raise ValueError("a daily chart needs at least one day")
    for one in series:
        if len(one.values) != len(days):
            raise ValueError(f"{one.label}: {len(one.values)} values for {len(days)} days")
    left, right, top = 96, 36, 84
    panel_gap, date_band = 48, 40
    marker_band = 24 if markers else 0
    height = top + len(series) * (panel_height + date_band + panel_gap) - panel_gap + marker_band + 56
    image = Image.new("RGB", (width, height), BACKGROUND)
    pen = _Pen(image)
    draw = pen.draw
    pen.text((left - 60, 28), title, 30, bold=True)

    plot_left, plot_right = left, width - right
    slot = (plot_right - plot_left) / len(days)
    label_width = max(pen.width(day_label(day), 16) for day in days) + 18
    step = next((s for s in (1, 2, 3, 7, 14, 28, 56, 91, 182) if s * slot >= label_width), 365)
    index_of = {day: i for i, day in enumerate(days)}

    y = top
    for number, one in enumerate(series):
        total = sum(one.values)
        pen.text((plot_left, y + 6), one.label, 21, one.color, bold=True)
        header = pen.width(one.label, 21, bold=True)
        pen.text((plot_left + header + 14, y + 8), total_label(total), 18, MUTED)
        band = marker_band if number == 0 else 0
        plot_top, plot_bottom = y + 44 + band, y + panel_height + band
        ticks = nice_ticks(max(one.values, default=0))
        scale = (plot_bottom - plot_top) / ticks[-1]
        for tick in ticks:
            ty = plot_bottom - tick * scale
            draw.line([(plot_left, ty), (plot_right, ty)], fill=GRID if tick else AXIS, width=1 if tick else 2)
            pen.text((plot_left - 10, ty), f"{tick:,}".replace(",", " "), 16, MUTED, anchor="rm")
        _rotated_label(image, y_label, (plot_left - 72, (plot_top + plot_bottom) / 2), 17, MUTED)
        for day, label in markers:
            if day in index_of:
                mx = plot_left + index_of[day] * slot
                _dashed_vline(draw, mx, plot_top - band, plot_bottom, AXIS)
                if number == 0:  # the label right of the line, or left of it at the right edge
                    room = plot_right - mx - 6 >= pen.width(label, 15)
                    pen.text(
                        (mx + 6 if room else mx - 6, plot_top - band - 2),
                        label,
                        15,
                        MUTED,
                        anchor="la" if room else "ra",
                    )
        bar = max(1.0, slot * 0.72)
        for i, value in enumerate(one.values):
            if value <= 0:
                continue
            x0 = plot_left + i * slot + (slot - bar) / 2
            draw.rectangle([x0, plot_bottom - value * scale, x0 + bar - 1, plot_bottom - 1], fill=one.color)
        if total == 0:
            pen.text(((plot_left + plot_right) / 2, (plot_top + plot_bottom) / 2), empty_label, 20, MUTED, anchor="mm")
        for i in range(0, len(days), step):
            cx = plot_left + (i + 0.5) * slot
            draw.line([(cx, plot_bottom), (cx, plot_bottom + 5)], fill=AXIS, width=1)
            pen.text((cx, plot_bottom + 9), day_label(days[i]), 16, INK, anchor="ma")
        y = plot_bottom + date_band + panel_gap
    pen.text(((plot_left + plot_right) / 2, height - 22), x_label, 17, MUTED, anchor="mm")
    return _png(image)


# --- votes per project ------------------------------------------------------------------------------


def votes_chart(
    *,
    title: str,
    subtitle: str,
    bars: Sequence[Bar],
    x_label: str,
    legend: tuple[str, str],
    more_label: Callable[[int], str] = lambda more: f"+ {more} more",
    width: int = 1200,
    max_bars: int = 40,
) -> bytes:
    """A horizontal bar per project, in the order given; highlighted bars in green."""
    shown = list(bars[:max_bars])
    row, bar_height = 46, 30
    top = 150
    bottom = 84 + (28 if len(bars) > max_bars else 0)
    height = top + max(len(shown), 1) * row + bottom
    image = Image.new("RGB", (width, height), BACKGROUND)
    pen = _Pen(image)
    draw = pen.draw
    pen.text((36, 24), title, 30, bold=True)
    pen.text((36, 68), subtitle, 19, MUTED)
    legend_x = 36.0
    for color, label in ((GREEN, legend[0]), (GREY, legend[1])):
        draw.rectangle([legend_x, 106, legend_x + 22, 124], fill=color)
        pen.text((legend_x + 30, 115), label, 18, INK, anchor="lm")
        legend_x += 30 + pen.width(label, 18) + 36

    label_right = min(470, int(width * 0.4))
    plot_left, plot_right = label_right + 16, width - 90
    ticks = nice_ticks(max((b.value for b in shown), default=0))
    scale = (plot_right - plot_left) / ticks[-1]
    plot_top, plot_bottom = top - 8, top + max(len(shown), 1) * row
    for tick in ticks:
        tx = plot_left + tick * scale
        draw.line([(tx, plot_top), (tx, plot_bottom)], fill=GRID if tick else AXIS, width=1 if tick else 2)
        pen.text((tx, plot_bottom + 8), f"{tick:,}".replace(",", " "), 16, MUTED, anchor="ma")
    for i, one in enumerate(shown):
        cy = top + i * row + row / 2
        label = pen.fit(one.label, 19, label_right - 36, bold=one.highlighted)
        pen.text((label_right, cy), label, 19, INK, bold=one.highlighted, anchor="rm")
        length = one.value * scale
        color = GREEN if one.highlighted else GREY
        if length >= 1:
            draw.rectangle([plot_left, cy - bar_height / 2, plot_left + length, cy + bar_height / 2], fill=color)
        pen.text(
            (plot_left + length + 8, cy), f"{one.value:,}".replace(",", " "), 18, INK, bold=one.highlighted, anchor="lm"
        )
    if len(bars) > max_bars:
        pen.text((label_right, plot_bottom + 44), more_label(len(bars) - max_bars), 17, MUTED, anchor="rm")
    pen.text(((plot_left + plot_right) / 2, height - 26), x_label, 17, MUTED, anchor="mm")
    return _png(image)


def budget_chart(
    *,
    title: str,
    subtitle: str,
    steps: Sequence[tuple[str, float]],
    budget: float,
    left_label: str,
    width: int = 1200,
    max_rows: int = 40,
) -> bytes:
    """The envelope as a bar, filled round by round: one row per funded project (in the order the
    rule chose them), what earlier rounds spent in blue, this round's project in green."""
    shown = list(steps[:max_rows])
    row, bar_height = 40, 24
    top, bottom = 120, 70
    height = top + (len(shown) + 1) * row + bottom
    image = Image.new("RGB", (width, height), BACKGROUND)
    pen = _Pen(image)
    draw = pen.draw
    pen.text((36, 24), title, 30, bold=True)
    pen.text((36, 68), subtitle, 19, MUTED)
    label_right = min(470, int(width * 0.4))
    plot_left, plot_right = label_right + 16, width - 60
    scale = (plot_right - plot_left) / budget if budget > 0 else 0.0
    spent = 0.0
    for i, (label, cost) in enumerate(shown):
        cy = top + i * row + row / 2
        pen.text((label_right, cy), pen.fit(label, 18, label_right - 36), 18, INK, anchor="rm")
        draw.rectangle([plot_left, cy - bar_height / 2, plot_right, cy + bar_height / 2], outline=GRID, width=2)
        if spent * scale >= 1:
            draw.rectangle([plot_left, cy - bar_height / 2, plot_left + spent * scale, cy + bar_height / 2], fill=BLUE)
        new_right = plot_left + min(spent + cost, budget) * scale
        if new_right - (plot_left + spent * scale) >= 1:
            draw.rectangle([plot_left + spent * scale, cy - bar_height / 2, new_right, cy + bar_height / 2], fill=GREEN)
        spent += cost
    cy = top + len(shown) * row + row / 2
    pen.text((label_right, cy), pen.fit(left_label, 18, label_right - 36), 18, MUTED, bold=True, anchor="rm")
    draw.rectangle([plot_left, cy - bar_height / 2, plot_right, cy + bar_height / 2], outline=AXIS, width=2)
    if spent * scale >= 1:
        draw.rectangle(
            [plot_left, cy - bar_height / 2, plot_left + min(spent, budget) * scale, cy + bar_height / 2], fill=BLUE
        )
    return _png(image)
