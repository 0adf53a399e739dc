"""The campaign's results explained: why each project was funded or not, what the other rules
would fund, and the envelope filled round by round — for the committee's /results, the
published announcement, residents' /results (from the publication) and the export."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from html import escape

from aiogram.utils.i18n import gettext as _

from campaign.results import Results
from campaign.schema import Campaign
from conversations import charts
from conversations.explain import explanation_lines
from conversations.figures import campaign_name_plain, number, rule_name
from conversations.render import money

WHY_LIMIT = 30  # project lines per part of the explanation in a chat message
ANNOUNCED_WHY = 10  # ... and in the announcement every resident gets


def _money(campaign: Campaign):  # noqa: ANN202 - a Money callable
    def amount(value: Fraction) -> str:
        return money(Decimal(value.numerator) / Decimal(value.denominator), campaign)

    return amount


def why_lines(results: Results, campaign: Campaign, *, limit: int | None = WHY_LIMIT, html: bool = True) -> list[str]:
    """The explanation of the count, in the current language ([] when there is none)."""
    if results.tally is None:
        return []
    titles = {row.project_id: row.title for row in results.rows}

    def name(tally_id: str) -> str:
        project = results.numbers.get(tally_id)
        title = titles.get(project, "") if project is not None else ""
        if html:
            return _("<b>#{number}</b> {title}").format(number=project, title=escape(title))
        return f"#{project} {title}".strip()

    lines = explanation_lines(results.tally, name, _money(campaign), limit=limit)
    if not lines:
        return []
    heading = _("<b>Why these projects:</b>") if html else _("Why these projects:")
    return [heading, *lines]


def compare_lines(results: Results, campaign: Campaign) -> list[str]:
    """What the other rules would fund, beside the campaign's rule."""
    if not results.alternatives:
        return []
    own = set(results.winners)
    lines = [_("<b>What other rules would fund:</b>")]
    for rule, winners, spent in results.alternatives:
        funded = _("projects: {count}, cost {spent}").format(count=number(len(winners)), spent=money(spent, campaign))
        if rule == campaign.outcome.rule:
            lines.append(_("• {rule} (the campaign's rule): {funded}").format(rule=rule_name(rule), funded=funded))
            continue
        added = [f"#{n}" for n in winners if n not in own]
        dropped = [f"#{n}" for n in results.winners if n not in set(winners)]
        if not added and not dropped:
            change = _("the same projects")
        else:
            change = _("also {added}; not {dropped}").format(
                added=", ".join(added) or "—", dropped=", ".join(dropped) or "—"
            )
        lines.append(_("• {rule}: {funded}: {change}").format(rule=rule_name(rule), funded=funded, change=change))
    lines.append(_("The rule is set in the campaign file and cannot change once the first ballot is cast."))
    return lines


def budget_chart(results: Results, campaign: Campaign) -> bytes | None:
    """The envelope filled round by round, in the order the rule chose the winners."""
    if not results.winners:
        return None
    rows = {row.project_id: row for row in results.rows}
    steps = [(f"#{n} {rows[n].title}", float(rows[n].cost)) for n in results.winners if n in rows]
    return charts.budget_chart(
        title=_("The envelope, filled round by round"),
        subtitle=_("{campaign} · {rule} · envelope {envelope}").format(
            campaign=campaign_name_plain(campaign),
            rule=rule_name(campaign.outcome.rule),
            envelope=money(results.budget, campaign),
        ),
        steps=steps,
        budget=float(results.budget),
        left_label=_("Left: {left}").format(left=money(results.left, campaign)),
    )
