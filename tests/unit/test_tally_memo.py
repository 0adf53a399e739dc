"""The shortcuts of the fast tally rules change no outcome: MES reruns sharing a `Memo` (what add1
does) give what fresh runs give, the lean MES of small electorates buys what the general one
buys, and the integer sequential Phragmén (summing loads per voter or per group) agrees with a
plain per-voter implementation in fractions."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from campaign.equal_shares import phragmen
from campaign.electorate import compile_electorate
from campaign.mes import Memo, explain_mes, mes
from campaign.mes_small import small_mes
from campaign.tally_types import Project

IDS = ["p1", "p2", "p3", "p4", "p5"]


@st.composite
def electorates(draw, points: bool = False):
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
    costs = draw(st.lists(st.integers(0, 40), min_size=len(ids), max_size=len(ids)))
    chosen = st.lists(st.sampled_from(ids), max_size=len(ids), unique=True)
    if points:
        ballot = chosen.flatmap(lambda c: st.fixed_dictionaries({p: st.integers(1, 3) for p in c}))
    else:
        ballot = chosen
    ballots = draw(st.lists(ballot, min_size=1, max_size=9))
    return compile_electorate([Project(i, c) for i, c in zip(ids, costs)], ballots)


shares = st.lists(st.fractions(Fraction(0), Fraction(30), max_denominator=6), min_size=1, max_size=8)


@given(st.booleans().flatmap(lambda p: st.tuples(electorates(points=p), st.just(p))), shares)
def test_reruns_sharing_a_memo_buy_what_fresh_runs_buy(case, share_list):
    el, points = case
    utilities = ["points"] if points else ["cost", "approval"]
    for utility in utilities:
        memo = Memo()
        for share in share_list:
            assert mes(el, share, utility, memo) == mes(el, share, utility)
            assert explain_mes(el, share, utility, memo) == explain_mes(el, share, utility)


@given(electorates(), shares, st.lists(st.sampled_from(IDS), max_size=5, unique=True))
def test_the_lean_mes_of_small_electorates_buys_what_the_general_one_buys(el, share_list, tie_order):
    el = replace(el, tie_order={pid: i for i, pid in enumerate(tie_order)})
    for utility in ("cost", "approval"):
        for share in share_list:
            assert small_mes(el, share, utility) == mes(el, share, utility)


def reference_phragmen(el, budget: Fraction, skip: bool = True) -> list[int]:
    """One load per voter, in fractions; a project that no longer fits is dropped (skip), or
    the count stops when one that would come next does not fit."""
    loads = [Fraction(0)] * el.voters
    members: list[list[int]] = []  # per group: its voters
    for size in el.group_sizes:
        start = sum(len(m) for m in members)
        members.append(list(range(start, start + size)))
    voters_of = [[v for g in el.supporters[p] for v in members[g]] for p in range(len(el.ids))]
    left, chosen = budget, []
    candidates = [p for p in range(len(el.ids)) if el.votes[p]]
    while candidates:
        if skip:
            candidates = [p for p in candidates if el.costs[p] <= left]
            if not candidates:
                break
        time = {p: (el.costs[p] + sum(loads[v] for v in voters_of[p])) / len(voters_of[p]) for p in candidates}
        winner = min(candidates, key=lambda p: (time[p], el.tie_key(p)))
        if any(el.costs[p] > left for p in candidates if time[p] == time[winner]):
            break  # only reached when not skipping: a project that could come next does not fit
        for v in voters_of[winner]:
            loads[v] = time[winner]
        chosen.append(winner)
        candidates.remove(winner)
        left -= el.costs[winner]
    return chosen


@given(electorates(), st.fractions(Fraction(0), Fraction(120), max_denominator=4), st.booleans(), st.booleans())
def test_integer_phragmen_agrees_with_a_per_voter_implementation(el, budget, skip, per_voter):
    chosen, rounds, _dropped = phragmen(el, budget, skip=skip, per_voter=per_voter)
    assert chosen == reference_phragmen(el, budget, skip)
    assert [r.project for r in rounds] == [el.ids[p] for p in chosen]
    assert phragmen(el, budget, skip=skip, explain=False, per_voter=per_voter)[0] == chosen
    assert sum((el.costs[p] for p in chosen), Fraction(0)) <= budget
