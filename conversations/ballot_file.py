"""The anonymous ballot file anyone can recount, and the list of counted trackers.

The file is the Pabulib election of the counted ballots, numbered 1..N in the order of
their random ids (so the same database gives the same bytes, and its SHA-256 digest, printed
in the results announcement, can be checked against any copy); the trackers are listed
sorted, one a line, apart from the ballots: nothing pairs a tracker with a ballot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from campaign.pabulib import write_pb
from campaign.results import pabulib_election
from campaign.schema import Campaign
from storage.repositories import Repositories


async def ballot_file(repos: Repositories, campaign: Campaign, selected: Collection[int] | None) -> bytes:
    on_ballot = await repos.statistics.on_ballot(campaign.id)
    ballots = list(enumerate(await repos.ballots.all_choices(campaign.id), start=1))
    return write_pb(pabulib_election(campaign, on_ballot, ballots, selected=selected)).encode("utf-8")


async def tracker_file(repos: Repositories, campaign: Campaign) -> bytes:
    return "".join(f"{t}\n" for t in await repos.ballots.counted_trackers(campaign.id)).encode("ascii")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
