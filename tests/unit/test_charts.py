"""The chart images: valid PNGs of the expected size, bars that scale with the data, winners
in their colour, texts that fit, and a readable picture even without a system font."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from conversations import charts
from conversations.charts import BLUE, GREEN, GREY, ORANGE, Bar, Series, daily_chart, nice_ticks, to_ascii, votes_chart

DAYS = [date(2030, 5, 16) + timedelta(days=n) for n in range(4)]


def decode(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    return picture.convert("RGB")


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int], tolerance: int = 10) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def column_run(picture: Image.Image, x: int, colour, top: int, bottom: int) -> int:
    """Pixels of `colour` in column x between two heights: a vertical bar's height."""
    return sum(1 for y in range(top, bottom) if near(picture.getpixel((x, y)), colour))


def row_run(picture: Image.Image, y: int, colour) -> int:
    return sum(1 for x in range(picture.width) if near(picture.getpixel((x, y)), colour))


def daily(values_a, values_b=None, **options) -> Image.Image:
    series = [Series("New residents per day", values_a, BLUE)]
    if values_b is not None:
        series.append(Series("Ballots cast per day", values_b, ORANGE))
    return decode(
        daily_chart(
            title="Testville: residents and votes per day",
            days=DAYS[: len(values_a)],
            series=series,
            y_label="Number per day",
            x_label="Date",
            **options,
        )
    )


def test_a_daily_chart_is_a_png_of_the_expected_size():
    one = daily([1, 2, 3, 4])
    two = daily([1, 2, 3, 4], [0, 0, 5, 9])
    assert one.width == two.width == 1200
    assert two.height - one.height == 230 + 40 + 48  # one more panel
    assert daily([1, 2, 3, 4], markers=[(DAYS[1], "Voting")]).height == one.height + 24


def test_daily_bars_scale_with_the_counts():
    picture = daily([0, 10, 5, 20])
    slot = (1200 - 96 - 36) / 4
    heights = [column_run(picture, int(96 + (i + 0.5) * slot), BLUE, 130, 330) for i in range(4)]
    assert heights[0] == 0
    assert heights[3] > heights[1] > heights[2] > 0
    assert abs(heights[1] - 2 * heights[2]) <= 2 and abs(heights[3] - 2 * heights[1]) <= 2


def test_each_series_has_its_panel_and_colour():
    picture = daily([3, 0, 0, 0], [0, 0, 0, 7])
    slot = (1200 - 96 - 36) / 4
    first, last = int(96 + 0.5 * slot), int(96 + 3.5 * slot)
    second = (446, 632)  # the second panel's plot: below its title
    assert column_run(picture, first, BLUE, 130, 330) > 0 and column_run(picture, first, ORANGE, *second) == 0
    assert column_run(picture, last, ORANGE, *second) > 0 and column_run(picture, last, BLUE, 130, 330) == 0


def test_a_chart_with_no_data_yet_still_draws():
    picture = daily([0, 0, 0, 0], [0, 0, 0, 0], empty_label="nothing yet")
    assert picture.width == 1200 and column_run(picture, 600, BLUE, 130, 330) == 0


def test_wrong_input_is_refused():
    with pytest.raises(ValueError):
        daily_chart(title="t", days=[], series=[], y_label="y", x_label="x")
    with pytest.raises(ValueError):
        daily_chart(title="t", days=DAYS, series=[Series("a", [1, 2])], y_label="y", x_label="x")


def test_vote_bars_scale_and_winners_are_green():
    bars = [Bar("#4 Playground", 400, True), Bar("#2 Trees", 200, True), Bar("#9 Library", 100), Bar("#8 Benches", 0)]
    picture = decode(
        votes_chart(
            title="Votes per project",
            subtitle="Testville · 700 ballots",
            bars=bars,
            x_label="Votes",
            legend=("Funded", "Not funded"),
        )
    )
    assert picture.width == 1200 and picture.height == 150 + 4 * 46 + 84
    rows = [int(150 + i * 46 + 23) for i in range(4)]
    green = [row_run(picture, y, GREEN) for y in rows]
    grey = [row_run(picture, y, GREY) for y in rows]
    assert green[0] > 0 and green[1] > 0 and green[2] == 0 and green[3] == 0
    assert grey[2] > 0 and grey[0] == 0 and grey[3] == 0
    assert abs(green[0] - 2 * green[1]) <= 2 and abs(green[1] - 2 * grey[2]) <= 2


def test_many_projects_are_cut_with_a_note():
    bars = [Bar(f"#{n} Project with a rather long title, longer than the column", 100 - n, n < 3) for n in range(60)]
    picture = decode(
        votes_chart(title="Votes", subtitle="", bars=bars, x_label="Votes", legend=("a", "b"), max_bars=40)
    )
    assert picture.height == 150 + 40 * 46 + 84 + 28


def test_nice_ticks():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(1) == [0, 1]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(15) == [0, 5, 10, 15]
    assert nice_ticks(412) == [0, 100, 200, 300, 400, 500]
    assert nice_ticks(123_456)[-1] >= 123_456 and len(nice_ticks(123_456)) <= 7


def test_texts_without_a_system_font_lose_their_accents_not_their_letters(monkeypatch):
    assert to_ascii("Mobilité — 20 000 € « ok » ’") == 'Mobilite - 20 000 EUR " ok " \''
    assert to_ascii("中") == "?"
    monkeypatch.setattr(charts, "FONT_FILES", {False: (), True: ()})
    charts.clear_font_cache()
    try:
        picture = decode(
            votes_chart(
                title="Voix par projet",
                subtitle="Règle : greedy · 20 000 €",
                bars=[Bar("#1 Éclairage de l'église", 3, True)],
                x_label="Voix",
                legend=("Financé", "Non financé"),
            )
        )
        assert row_run(picture, 150 + 23, GREEN) > 0
        assert daily([1, 2, 3, 4]).width == 1200
    finally:
        charts.clear_font_cache()


def test_long_labels_are_shortened_to_fit():
    pen = charts._Pen(Image.new("RGB", (10, 10)))
    long = "A very long project title that goes on and on about benches and trees"
    short = pen.fit(long, 19, 200)
    assert short.endswith("…") and pen.width(short, 19) <= 200 and long.startswith(short[:-1])
    assert pen.fit("Short", 19, 200) == "Short"
