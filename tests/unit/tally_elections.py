"""Elections the tally tests share: hand-made ones whose answers are worked out in the comments,
and a strategy for small random ones."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from campaign.tally import Project


def projects(**costs: int | Decimal) -> list[Project]:
    return [Project(project_id, cost) for project_id, cost in costs.items()]


# Budget 100. By score: A (10 votes, 60), B (8 votes, 50), C (5 votes, 30).
# greedy: A fits (40 left); B does not fit and is skipped; C fits (10 left) -> [A, C].
# greedy-no-skip: A fits; B does not fit, so counting stops -> [A].
SKIP_PROJECTS = projects(A=60, B=50, C=30)
SKIP_SCORES = {"A": 10, "B": 8, "C": 5}


# 5 voters, budget 500: each voter holds 100.
# Voters 1-3 approve A and B (200 each); voters 4-5 approve C (200).
# Greedy: A and B (3 votes each; same cost, so A first by id) -> [A, B], 100 left.
# MES: A and B need 200/3 from each of 3 supporters: effective votes 200/(200/3) = 3;
# C needs 100 from each of 2: effective votes 2. A wins the tie (same votes, same cost,
# smaller id). Voters 1-3 keep 33.33 each, 100 together: B (200) is out of reach.
# C is bought with voters 4-5 paying 100 each -> [A, C]: the minority, 2/5 of the
# voters, decides on 2/5 of the money.
MAJORITY_AND_MINORITY = (
    projects(A=200, B=200, C=200),
    [["A", "B"]] * 3 + [["C"]] * 2,
    500,
)

# Random elections draw their projects from these ids.
PROJECT_IDS = ["p1", "p2", "p3", "p4", "p5", "p6"]


@st.composite
def elections(draw, max_cost: int = 60):
    """Small approval elections: few voters and small costs keep add1's reruns cheap."""
    ids = draw(st.lists(st.sampled_from(PROJECT_IDS), min_size=1, max_size=6, unique=True))
    costs = draw(st.lists(st.integers(0, max_cost), min_size=len(ids), max_size=len(ids)))
    ballot = st.lists(st.sampled_from(ids), max_size=len(ids), unique=True)
    ballots = draw(st.lists(ballot, max_size=8))
    budget = draw(st.integers(0, 150))
    return [Project(i, c) for i, c in zip(ids, costs)], ballots, budget
