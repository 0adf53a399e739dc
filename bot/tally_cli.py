"""`pbbot tally FILE.pb`: count any Pabulib election with pbbot's rules.

Prints the funded projects, their total cost and, when the file has a `selected` column,
whether they are the ones the organiser announced. `--json` prints one object (rule, funded,
cost, agrees_with_selected, explanation); `--explain` says in words why each project was funded
or not. A malformed file exits with status 2 and one line: the line number, the section, and
what is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import format_currency, format_decimal

from campaign.pabulib import PbError, read_pb
from campaign.recount import Recount, as_json, recount
from campaign.tally import RULES

MALFORMED = 2


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    tally = commands.add_parser("tally", help="count a Pabulib .pb file with pbbot's rules")
    tally.add_argument("file")
    tally.add_argument("--rule", choices=RULES, help="the rule to count with (default: the file's own)")
    tally.add_argument("--json", action="store_true", help="print one JSON object")
    tally.add_argument("--explain", action="store_true", help="say why each project was funded or not")
    tally.add_argument("--language", choices=["en", "fr"], default="en", help="language of --explain (default en)")
    tally.add_argument("--utility", choices=["cost", "approval", "points"], help="equal shares: what a supporter gains")
    tally.add_argument("--step", type=Decimal, help="add1: how much each raise adds to every share (default 1)")
    tally.add_argument("--stop", choices=["overspend", "exhausted"], help="add1: when raising the shares stops")


def run(args: argparse.Namespace) -> int:
    options: dict[str, int | str] = {}
    if args.utility:
        options["utility"] = args.utility
    if args.step is not None:
        options["step"] = args.step  # type: ignore[assignment]
    if args.stop:
        options["stop"] = args.stop
    try:
        election = read_pb(args.file)
        result = recount(election, args.rule, **options)
    except PbError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return MALFORMED
    except (OSError, UnicodeDecodeError) as error:
        print(f"{args.file}: cannot read the file: {error}", file=sys.stderr)
        return MALFORMED
    except ValueError as error:  # an option the rule does not take
        print(f"{args.file}: {error}", file=sys.stderr)
        return MALFORMED
    currency = election.meta.get("currency", "")
    names = {p.id: p.name for p in election.projects.values()}
    if args.json:
        data = as_json(result)
        if args.explain:
            data["explanation_text"] = explain_text(result, names, currency, args.language)
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    print(summary(args.file, result, currency))
    if args.explain:
        print()
        print("\n".join(explain_text(result, names, currency, args.language)))
    return 0


def amount(value: Fraction | Decimal | int, currency: str, language: str = "en") -> str:
    cents = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    cents = cents.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    digits = "#,##0" if cents == cents.to_integral_value() else "#,##0.00"
    if currency:
        try:
            return format_currency(
                cents,
                currency,
                format="¤" + digits if language == "en" else digits + " ¤",
                locale=language,
                currency_digits=False,
            )
        except Exception:  # an unknown currency code: the number and the code
            pass
    return format_decimal(cents, format=digits, locale=language) + (f" {currency}" if currency else "")


def summary(path: str, result: Recount, currency: str) -> str:
    outcome = result.outcome
    lines = [
        f"{path}: rule {result.rule}",
        f"funded ({len(outcome.winners)}): {', '.join(outcome.winners) or '—'}",
        f"total cost: {amount(outcome.spent, currency)} of {amount(outcome.budget, currency)}",
    ]
    if result.agrees_with_selected is None:
        lines.append("official outcome: unknown (the file has no selected column)")
    elif result.agrees_with_selected:
        lines.append(f"official outcome: the same {len(result.official)} projects (selected column)")
    else:
        funded, official = set(outcome.winners), set(result.official)
        lines.append(
            f"official outcome: DIFFERS (selected column): also funded here {sorted(funded - official) or '—'}, "
            f"selected but not funded here {sorted(official - funded) or '—'}"
        )
    if outcome.tied_outcomes:
        lines.append(f"a tie decided: other orders would fund {outcome.tied_outcomes}")
    return "\n".join(lines)


def explain_text(result: Recount, names: dict[str, str], currency: str, language: str) -> list[str]:
    from bot.i18n import make_i18n
    from conversations.explain import explanation_lines

    def name(project_id: str) -> str:
        title = names.get(project_id, "")
        return f"#{project_id} {title}".strip() if title else f"#{project_id}"

    i18n = make_i18n()
    with i18n.context(), i18n.use_locale(language):
        return explanation_lines(result.outcome, name, lambda value: amount(value, currency, language))
