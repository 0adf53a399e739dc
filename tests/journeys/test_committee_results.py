"""The committee counts the vote, publishes it, exports it; residents see the published results.

A seeded campaign (tests/campaigns/town.toml: approval ballots of up to 3 projects, greedy
rule, 20,000 € envelope): 11 finalists and 19 ballots whose count is written out by hand below.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import timedelta

import pytest

from bot.cli import main
from bot.scheduler import CalendarScheduler
from campaign.pabulib import read_pb
from campaign.tally import select_winners
from campaign.verification import voter_key
from conversations.charts import GREEN, GREY
from tests.conftest import COMMITTEE_ID
from tests.journeys.committee_steps import anne, anne_in_group, eve_in_group, status_of  # noqa: F401  (fixtures)
from tests.journeys.results_steps import (
    SECRET,
    audit_actions,
    broadcasts,
    cast,
    close_voting,
    count_colour,
    image,
    run_broadcaster,
)
from tests.journeys.voting_helpers import AUTHOR_TELEGRAM_ID, make_finalists, open_voting

REFUSED = "This command is for the steering committee only."

PROJECTS = [
    ("Bench on the square", 1500),  # 1
    ("Trees along the river", 5500),  # 2
    ("Bike racks", 3000),  # 3
    ("Playground", 12000),  # 4
    ("Book box", 800),  # 5
    ("Compost bins", 1200),  # 6
    ("Bird houses", 600),  # 7
    ("Benches by the river", 2000),  # 8
    ("Library corner", 2500),  # 9
    ("Solar lamps", 2500),  # 10
    ("=1+1 Mural", 4000),  # 11: a title a spreadsheet would take for a formula
]
BALLOTS = [
    (4, 2, 9),
    (4, 2, 10),
    (4, 2, 3),
    (4, 9),
    (4, 10),
    (4, 3),
    (4, 1),
    (4,),
    (4, 11),
    (2, 9),
    (2, 10),
    (2, 3),
    (2,),
    (9, 10),
    (9, 10, 3),
    (1,),
    (7,),
    (11, 5),
    (6,),
]
# Counted by hand from the ballots above.
HAND_COUNT = {4: 9, 2: 7, 9: 5, 10: 5, 3: 4, 1: 2, 11: 2, 7: 1, 5: 1, 6: 1, 8: 0}
# Greedy within 20,000 €: #4 (12,000 €, 9 votes), #2 (5,500 €, 7 votes), then #9 and #10 tie
# (5 votes, 2,500 € each) for the 2,500 € left: the smaller number, #9, goes first, and
# #10 no longer fits. (Ids given to the tally as bare strings would put "10" before "9".)
WINNERS = [4, 2, 9]


@pytest.fixture
def anne_en(resident_factory):
    """Anne again, her Telegram app in English."""
    return resident_factory(COMMITTEE_ID, "Anne", "en")


def flat(text: str) -> str:
    """Babel's French numbers use no-break spaces; compare with plain ones."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


async def seeded(app, clock) -> list[int]:
    ids = await make_finalists(app, PROJECTS)
    assert ids == list(range(1, 12))
    open_voting(app, clock)
    await cast(app, BALLOTS)
    assert Counter(p for ballot in BALLOTS for p in ballot) == {k: v for k, v in HAND_COUNT.items() if v}
    return ids


async def test_the_tally_matches_a_hand_count(app, anne_en, clock, emulator):
    await seeded(app, clock)
    replies = await anne_en.send("/results")
    assert "Voting is open until 31 May 2030, 23:59: the tally is shown once it closes" in replies.text
    assert "Ballots so far: 19." in replies.text and "votes:" not in replies.text
    close_voting(app, clock)
    replies = await anne_en.send("/results")
    text = flat(replies.text)
    assert "<b>Rule:</b> projects are funded in order of votes, each one if it still fits" in text
    assert "<b>Ballots:</b> 19 · <b>Envelope:</b> €20,000 · <b>Funded:</b> €20,000 (€0 left)" in text
    assert "<b>Winning projects (3):</b>" in text
    titles = dict(enumerate((t for t, _ in PROJECTS), start=1))
    positions = []
    for number, votes in HAND_COUNT.items():
        mark = "🏆" if number in WINNERS else "▫️"
        share = f"{votes / 19:.1%}"
        found = [line for line in text.splitlines() if f"<b>#{number}</b> {titles[number]} — " in line]
        assert len(found) == 1, number
        assert found[0].startswith(mark) and found[0].endswith(f"— votes: {votes} ({share})"), found[0]
        positions.append(text.index(found[0]))
    assert positions == sorted(positions), "winners first, then by votes, cost and number"
    assert "🏆 3. <b>#9</b> Library corner — €2,500 — votes: 5 (26.3%)" in text
    assert "▫️ 3. <b>#10</b> Solar lamps — €2,500 — votes: 5 (26.3%)" in text
    assert "Not published yet: send /publish" in text
    # Why: each project's turn, with the money left when it came; the tie between #9 and #10
    # decided, and the other order would have funded #10 instead of #9.
    assert "<b>Why these projects:</b>" in text
    assert "✅ <b>#4</b> Playground (€12,000, votes: 9): funded; €20,000 was left." in text
    assert "✅ <b>#2</b> Trees along the river (€5,500, votes: 7): funded; €8,000 was left." in text
    assert "✅ <b>#9</b> Library corner (€2,500, votes: 5): funded; €2,500 was left." in text
    assert "❌ <b>#10</b> Solar lamps (€2,500, votes: 5): not funded, only €0 was left." in text
    assert "— <b>#8</b> Benches by the river: no votes." in text
    assert "⚖ Tie between <b>#9</b> Library corner, <b>#10</b> Solar lamps" in text
    assert (
        "Another order would have funded: <b>#2</b> Trees along the river, <b>#4</b> Playground, <b>#10</b> Solar lamps."
        in text
    )
    # Beside the campaign's rule, what the others would fund. By votes per cost (hand count):
    # #9, #10 (2 votes per 1,000 €), #7, #1, #3, #2, #5, #6 fit (17,600 €); #4 and #11 do not.
    assert "• by votes (the campaign's rule): projects: 3, cost €20,000" in text
    assert "• by votes per unit of cost: projects: 8, cost €17,600: also #10, #7, #1, #3, #5, #6; not #4" in text
    assert "• sequential Phragmén: " in text and "• equal shares, shares raised until the envelope is used: " in text
    # The bar chart: green bars for the three winners, grey for the others.
    chart = replies[-2]
    assert chart.media_kind == "photo" and chart.filename == "results.png"
    picture = image(chart.photo)
    assert picture.width == 1200 and picture.height > 500
    assert count_colour(picture, GREEN) > 1000 and count_colour(picture, GREY) > 1000
    # The envelope filled round by round: a row per winner and one for what is left.
    envelope = replies[-1]
    assert envelope.media_kind == "photo" and envelope.filename == "envelope.png"
    assert count_colour(image(envelope.photo), GREEN) > 1000
    # Who looked at the tally before it was public is in the audit log.
    assert (await audit_actions(app)).count("results_viewed") == 1


async def test_publishing_marks_the_winners_and_tells_everyone_in_their_language(
    app, anne, marie, john, clock, emulator
):
    await seeded(app, clock)
    await marie.send("/start")
    await john.send("/start")
    assert "Les résultats seront publiés le 10 juin 2030, 18:00." in (await marie.send("/results")).text
    replies = await anne.send("/publish")
    assert replies.text.startswith("Les résultats peuvent être publiés une fois le vote clos.")
    close_voting(app, clock)
    assert (
        "Voting is closed. The results will be published on 10 June 2030, 18:00." in (await john.send("/results")).text
    )

    replies = await anne.send("/publish")
    text = flat(replies.text)
    assert "<b>Publier les résultats ?</b>" in text
    assert "• <b>n°4</b> Playground — 12 000 € — voix : 9" in text
    assert "annoncés à 4 habitants" in text  # Marie, John, Anne, and the finalists' author
    assert replies[-1].button_labels() == ["📣 Publier les résultats", "✖ Pas maintenant"]
    await anne.press("✖ Pas maintenant")
    assert emulator.callback_answers[-1]["text"] == "Rien n'a été publié."
    assert await status_of(app, 4) == "finalist"

    first = (await anne.send("/publish"))[-1]
    second = (await anne.send("/publish"))[-1]
    replies = await anne.press("📣 Publier les résultats", in_message=second)
    assert "Publié : 3 projets lauréats. L'annonce part vers 4 habitants (envoi n°1" in replies.text
    assert (
        "1 auteurs lauréats ont été prévenus" not in replies.text
        and "3 auteurs lauréats ont été prévenus" in replies.text
    )
    assert [await status_of(app, n) for n in range(1, 12)] == [
        "winner" if n in WINNERS else "finalist" for n in range(1, 12)
    ]
    # The other question, pressed afterwards, publishes nothing twice.
    await anne.press("📣 Publier les résultats", in_message=first)
    assert emulator.callback_answers[-1]["text"].startswith("Les résultats ont déjà été publiés le ")
    assert "déjà été publiés le 1 juin 2030, 01:59 par Anne (9000)" in (await anne.send("/publish")).text
    rows = await broadcasts(app)
    assert [(b.key, b.status, b.recipients) for b in rows] == [
        ("results_published", "queued", 4),
        ("results", "dropped", 0),
    ]
    assert "results_published" in await audit_actions(app)

    # The winning author hears it first, in English.
    author = [m.text for m in emulator.messages(AUTHOR_TELEGRAM_ID)]
    assert any(
        t.startswith("🎉 Your project #4 “Playground” is one of the winning projects, with 9 votes!") for t in author
    )
    # The broadcaster sends the announcement, each resident in their language.
    await run_broadcaster(app)
    assert flat(marie.last.text).startswith(
        "🎉 <b>Budget participatif de Testville</b> : voici les résultats ! 19 habitants ont voté."
    )
    assert "• <b>n°9</b> Library corner — 2 500 € — voix : 5" in flat(marie.last.text)
    assert john.last.text.startswith(
        "🎉 <b>Testville participatory budget</b>: the results are in! 19 residents voted."
    )
    assert "Send /results to see the votes for every project." in john.last.text
    assert john.last.text.endswith("<i>Send /stop to stop receiving these announcements.</i>")
    # The announcement says why, in each resident's language.
    assert "<b>Pourquoi ces projets :</b>" in marie.last.text
    assert "❌ <b>n°10</b> Solar lamps (2 500 €, votes : 5) : non financé, il ne restait que 0 €." in flat(
        marie.last.text
    )
    assert "❌ <b>#10</b> Solar lamps (€2,500, votes: 5): not funded, only €0 was left." in john.last.text

    # Residents see what was published, with the chart.
    replies = await john.send("/results")
    text = replies.text
    assert "19 residents voted: 0.2% of the town's 8,000 inhabitants. Published on 1 June 2030, 01:59." in text
    assert "🏆 1. <b>#4</b> Playground — €12,000 — votes: 9 (47.4%)" in text
    assert "▫️ 3. <b>#10</b> Solar lamps — €2,500 — votes: 5 (26.3%)" in text
    assert replies[-1].media_kind == "photo"
    # ... and the explanation as it was published, in their language.
    assert "<b>Why these projects:</b>" in text
    assert "⚖ Tie between <b>#9</b> Library corner, <b>#10</b> Solar lamps" in text
    assert "📣 Publié le 1 juin 2030, 01:59 par Anne (9000)." in (await anne.send("/results")).text

    # The calendar does not announce the results a second time.
    clock.set(app.campaign.calendar.results + timedelta(minutes=1))
    calendar = CalendarScheduler(campaign=app.campaign, sessionmaker=app.sessionmaker, clock=clock, i18n=app.i18n)
    assert await calendar.run_due() == []


async def test_nothing_to_publish_without_ballots(app, anne_en, john, clock):
    await make_finalists(app, PROJECTS[:3])
    close_voting(app, clock)
    assert "No ballot was cast: there are no results to publish." in (await anne_en.send("/publish")).text
    replies = await anne_en.send("/results")
    assert "<b>No project wins:</b> no vote was cast" in replies.text
    assert replies[-1].media_kind == "photo"
    clock.set(app.campaign.calendar.results + timedelta(hours=1))
    assert "The committee is finishing the count" in (await john.send("/results")).text


async def test_only_the_committee_sees_the_tally_and_publishes(app, john, anne_in_group, eve_in_group, clock, emulator):
    await seeded(app, clock)
    close_voting(app, clock)
    for command in ("/publish", "/export ballots", "/export pabulib", "/export explanation", "/export", "/stats"):
        replies = await john.send(command)
        assert len(replies) == 1 and replies.text.startswith(REFUSED), command
    # A resident asking /results gets the residents' answer, not the tally.
    replies = await john.send("/results")
    assert "will be published on 10 June 2030" in replies.text and "votes:" not in replies.text
    for data in ("cpub:19", "cpub:-1", "cexp:ballots", "cexp:pabulib", "cexp:nonsense", "cpub"):
        assert await john.press_data(data) == []
        answer = emulator.callback_answers[-1]
        assert answer["show_alert"] and answer["text"] == "Only committee members can use this button.", data
    # In the committee group, Eve (not a member) cannot press the member's button.
    question = (await anne_in_group.send("/publish@pbbot_test_bot"))[-1]
    assert await eve_in_group.press("📣 Publier les résultats", in_message=question) == []
    assert emulator.callback_answers[-1]["text"] == "Only committee members can use this button."
    assert (await eve_in_group.send("/publish")).text.startswith(REFUSED)
    assert "votes:" not in (await eve_in_group.send("/results")).text
    assert await status_of(app, 4) == "finalist"
    assert await broadcasts(app) == []
    assert "results_published" not in await audit_actions(app)


async def test_exports_are_anonymous_and_reusable(app, anne, clock, emulator, tmp_path, capsys):
    await seeded(app, clock)
    replies = await anne.send("/export ballots")
    assert replies.text.startswith("Les bulletins peuvent être exportés une fois le vote clos.")
    assert replies[-1].media_kind is None
    replies = await anne.send("/export")
    assert replies[-1].button_labels() == [
        "📋 Projets (CSV)",
        "🗳 Bulletins (CSV)",
        "📊 Chiffres (CSV)",
        "🔬 Pabulib (.pb)",
        "🧮 Pourquoi ces projets (texte)",
    ]
    close_voting(app, clock)

    # Ballots: one row per ballot, a random voter number, never the voter key.
    replies = await anne.press("🗳 Bulletins (CSV)")
    document = replies[-1]
    assert document.media_kind == "document" and document.filename == "testville-2030-ballots.csv"
    assert "19 bulletins, sous des numéros de votant tirés au hasard" in document.caption
    data = document.document
    assert isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf")
    for index in range(len(BALLOTS)):
        assert voter_key(SECRET, app.campaign.id, 60_000 + index).encode() not in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(int(r["voter"]) for r in rows) == list(range(1, 20))
    assert sorted(tuple(int(c) for c in r["choices"].split()) for r in rows) == sorted(
        tuple(sorted(b)) for b in BALLOTS
    )
    assert all(sum(int(r[f"project_{n}"]) for n in range(1, 12)) == len(r["choices"].split()) for r in rows)

    # Pabulib: the same election, counted again by the tally, gives the same winners.
    document = (await anne.send("/export pabulib"))[-1]
    assert document.filename == "testville-2030.pb"
    election = read_pb(document.document.decode("utf-8"))
    assert election.meta["num_votes"] == "19" and election.meta["vote_type"] == "approval"
    assert (
        election.meta["max_length"] == "3" and election.meta["rule"] == "greedy" and election.meta["budget"] == "20000"
    )
    assert election.projects["04"].name == "Playground" and election.projects["04"].votes == 9
    assert election.projects["09"].selected is None  # not published yet
    outcome = select_winners(
        election.rule, election.tally_projects(), election.ballots(), election.budget, **election.tally_options()
    )
    assert [int(w) for w in outcome.winners] == WINNERS
    # ... and so does anyone with `pbbot tally` (no `selected` column before publication).
    exported = tmp_path / "testville-2030.pb"
    exported.write_bytes(document.document)
    capsys.readouterr()
    assert main(["tally", str(exported), "--json"]) == 0
    recounted = json.loads(capsys.readouterr().out)
    assert [int(w) for w in recounted["funded"]] == WINNERS and recounted["agrees_with_selected"] is None

    # Projects: every field, the votes, and no formula.
    document = (await anne.send("/export proposals"))[-1]
    assert document.filename == "testville-2030-proposals.csv" and "11 projets." in document.caption
    rows = list(csv.DictReader(io.StringIO(document.document.decode("utf-8-sig"))))
    assert [int(r["number"]) for r in rows] == list(range(1, 12))
    assert {int(r["number"]): int(r["votes"]) for r in rows} == HAND_COUNT
    assert rows[10]["title"] == "'=1+1 Mural" and rows[3]["cost"] == "12000.00" and rows[3]["status"] == "finalist"
    assert rows[3]["category_name"] == "Environnement" and rows[3]["submitted_at"].startswith("2030-")
    assert (await audit_actions(app)).count("export") == 3

    # The explanation, as plain text in the member's language: each project's fate and the other rules.
    replies = await anne.press("🧮 Pourquoi ces projets (texte)")
    document = replies[-1]
    assert document.filename == "testville-2030-explanation.txt"
    text = flat(document.document.decode("utf-8"))
    assert text.startswith("Pourquoi ces projets :\n")
    assert "✅ #4 Playground (12 000 €, votes : 9) : financé ; il restait 20 000 €." in text
    assert "❌ #10 Solar lamps (2 500 €, votes : 5) : non financé, il ne restait que 0 €." in text
    assert "• par voix (la règle de la campagne) : projets : 3, coût 20 000 €" in text
    assert "<b>" not in text
    assert (await audit_actions(app)).count("export") == 4
