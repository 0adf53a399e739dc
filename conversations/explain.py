"""An outcome's explanation (campaign.tally.Explanation) in plain words, in the current language.

Used by the committee's /results, the published announcement, the export and `pbbot tally
--explain`. Callers say how to name a project and how to write an amount, so the same words serve
a campaign (titles, its currency) and any Pabulib file (ids and names, the file's currency).
Lines are plain text; the bot escapes nothing here because names come in already escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from aiogram.utils.i18n import gettext as _, ngettext

from campaign.greedy import GreedyStep
from campaign.mes import Shortfall
from campaign.tally import Explanation, Outcome

Name = Callable[[str], str]
Money = Callable[[Fraction], str]
PAYMENT_GROUPS = 3  # a round lists this many different payments at most


def explanation_lines(outcome: Outcome, name: Name, money: Money, *, limit: int | None = None) -> list[str]:
    """The explanation as lines; `limit` keeps that many project lines per part (None: all)."""
    explanation = outcome.explanation
    if explanation is None:
        return []
    if explanation.kind == "greedy":
        lines = _greedy(explanation, outcome, name, money, limit)
    elif explanation.kind == "phragmen":
        lines = _phragmen(explanation, outcome, name, money, limit)
    else:
        lines = _mes(explanation, outcome, name, money, limit)
    return lines + _ties(outcome, name)


def _cut(lines: list[str], limit: int | None) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    return lines[:limit] + [_("… and {count} more.").format(count=len(lines) - limit)]


def _greedy(explanation: Explanation, outcome: Outcome, name: Name, money: Money, limit: int | None) -> list[str]:
    per_cost = outcome.rule == "greedy-per-cost"
    head = [
        _("Projects in order of votes per unit of cost; each is funded if it still fits in what is left of the budget.")
        if per_cost
        else _("Projects in order of votes; each is funded if it still fits in what is left of the budget.")
    ]
    if outcome.rule == "greedy-no-skip":
        head.append(_("Counting stops at the first project that does not fit."))
    if explanation.threshold:
        head.append(
            ngettext(
                "A project needs at least {threshold} vote.",
                "A project needs at least {threshold} votes.",
                explanation.threshold,
            ).format(threshold=explanation.threshold)
        )
    return head + _cut([_greedy_step(step, explanation, name, money) for step in explanation.steps], limit)


def _greedy_step(step: GreedyStep, explanation: Explanation, name: Name, money: Money) -> str:
    what = dict(
        project=name(step.project), votes=step.score, cost=money(Fraction(step.cost)), left=money(Fraction(step.left))
    )
    if step.reason == "funded":
        return _("✅ {project} ({cost}, votes: {votes}): funded; {left} was left.").format(**what)
    if step.reason == "too-expensive":
        return _("❌ {project} ({cost}, votes: {votes}): not funded, only {left} was left.").format(**what)
    if step.reason == "stopped":
        return _("⏹ {project} ({cost}, votes: {votes}): not considered, counting had stopped.").format(**what)
    if step.reason == "below-threshold":
        return ngettext(
            "❌ {project} (votes: {votes}): under the threshold of {threshold} vote.",
            "❌ {project} (votes: {votes}): under the threshold of {threshold} votes.",
            explanation.threshold,
        ).format(threshold=explanation.threshold, **what)
    return _("— {project}: no votes.").format(**what)


def _mes(explanation: Explanation, outcome: Outcome, name: Name, money: Money, limit: int | None) -> list[str]:
    run = explanation.mes
    lines = [
        _(
            "Method of Equal Shares: the budget {budget} is shared equally, {share} per voter; a project is bought "
            "when its supporters can pay for it together, cheapest per supporter first."
        ).format(budget=money(Fraction(outcome.budget)), share=money(explanation.start_share))
    ]
    if run is None:
        return lines
    if explanation.raises:
        lines.append(
            _(
                "Plain equal shares left money unspent, so every share was raised step by step to {share} "
                "(raises: {count}), as long as the outcome still fitted in the budget."
            ).format(count=explanation.raises, share=money(run.share))
        )
    rounds = [_mes_round(number, r.project, r.cost, r.payments, name, money) for number, r in enumerate(run.rounds, 1)]
    lines += _cut(rounds, limit)
    funded = set(outcome.winners)
    unfunded = [s for s in run.shortfalls if s.project not in funded]
    if unfunded:
        lines.append(_("Not bought by equal shares:"))
        lines += _cut([_shortfall(s, name, money) for s in unfunded], limit)
    left = Fraction(outcome.budget) - sum((Fraction(r.cost) for r in run.rounds), Fraction(0))
    for step in explanation.steps:
        lines.append(
            _(
                "➕ {project} ({cost}, votes: {votes}): funded afterwards with the money left ({left}), by votes."
            ).format(
                project=name(step.project),
                votes=step.score,
                cost=money(Fraction(step.cost)),
                left=money(Fraction(step.left)),
            )
        )
    if explanation.compared == "greedy":
        lines.append(_("Comparison: more voters preferred the outcome of counting by votes, so that outcome was kept."))
    elif explanation.compared == "kept":
        lines.append(
            _("Comparison: counting by votes would not have pleased more voters; equal shares' outcome stands.")
        )
    if not explanation.steps and not explanation.compared and left > 0:
        lines.append(_("{left} of the budget was not spent.").format(left=money(left)))
    return lines


def _mes_round(
    number: int, project: str, cost: Fraction, payments: list[tuple[Fraction, int]], name: Name, money: Money
) -> str:
    if not payments:
        return _("Round {round}: {project} costs nothing and is funded.").format(round=number, project=name(project))
    paying = [(amount, voters) for amount, voters in payments if amount > 0]
    biggest = sorted(paying, key=lambda p: -p[1])[:PAYMENT_GROUPS]
    # English says "1 paid" and "2 paid"; French does not ("1 a payé", "2 ont payé").
    parts = [
        ngettext("{voters} paid {amount}", "{voters} paid {amount}", voters).format(voters=voters, amount=money(amount))
        for amount, voters in biggest
    ]
    if len(paying) > PAYMENT_GROUPS:
        others = sum(v for _a, v in paying) - sum(v for _a, v in biggest)
        parts.append(
            ngettext(
                "{voters} other paid less (all they had left)",
                "{voters} others paid less (all they had left)",
                others,
            ).format(voters=others)
        )
    broke = sum(v for amount, v in payments if amount == 0)
    if broke:
        parts.append(ngettext("{voters} had nothing left", "{voters} had nothing left", broke).format(voters=broke))
    paid = ", ".join(parts)
    return _("✅ Round {round}: {project} ({cost}): {paid}.").format(
        round=number, project=name(project), cost=money(cost), paid=paid
    )


def _shortfall(s: Shortfall, name: Name, money: Money) -> str:
    what = dict(project=name(s.project), cost=money(s.cost), supporters=s.supporters, had=money(s.had))
    if s.missing:
        return _(
            "❌ {project} ({cost}): its supporters ({supporters}) had {had} left, {missing} short (more supporters "
            "needed, each with a full share: {more})."
        ).format(missing=money(s.missing), more=s.more_supporters, **what)
    return _(
        "❌ {project} ({cost}): its supporters ({supporters}) still had {had}, but it would have overspent the budget."
    ).format(**what)


def _phragmen(explanation: Explanation, outcome: Outcome, name: Name, money: Money, limit: int | None) -> list[str]:
    lines = [
        _(
            "Sequential Phragmén: supporters share each project's cost; the project that keeps the largest "
            "share any voter carries lowest comes next, while it fits in the budget."
        )
    ]
    rounds = [
        _("✅ Round {round}: {project}: each supporter now carries {load}.").format(
            round=number, project=name(r.project), load=money(r.load)
        )
        for number, r in enumerate(explanation.phragmen, 1)
    ]
    dropped = [
        _("❌ {project}: did not fit in the {left} left.").format(project=name(project), left=money(left))
        for project, left in explanation.dropped
    ]
    return lines + _cut(rounds, limit) + _cut(dropped, limit)


def _ties(outcome: Outcome, name: Name) -> list[str]:
    lines = []
    for tie in outcome.ties:
        lines.append(
            _(
                "⚖ Tie between {projects}: the stated order (more votes, then cheaper, then the smaller number) "
                "decided."
            ).format(projects=", ".join(name(p) for p in tie))
        )
    for other in outcome.tied_outcomes:
        lines.append(
            _("Another order would have funded: {projects}.").format(projects=", ".join(name(p) for p in other) or "—")
        )
    return lines
