"""Identity resolution and feedback classes recomputed in plain Python, with none of the project's code.

Rules (models/docs/identity.md, models/docs/feedback.md):
- ids that share a person_id in customer_identities, or (when matching is on) a usable email or
  phone, are one person, transitively; a person_id that is itself an id of the data is one of them;
  the person's id is the smallest of its ids;
- an email is usable when, lower-cased and trimmed, it looks like name@domain.tld and is not a
  placeholder (the seed's exact values and local parts); a phone when its digits number at least 7
  and are not one digit repeated, nor a placeholder; a contact shared by more than `max_ids` customer
  records links none of them;
- NPS classes: 9-10 promoter, 7-8 passive, 0-6 detractor; stars and CSAT: 5, 4, 1-3; a score's
  percentage of its scale's range; a drop is the last answer at least 25 points below the average
  of the earlier ones.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDERS = Path(__file__).resolve().parents[3] / "seeds" / "rules" / "placeholder_contacts.csv"
EMAIL = re.compile(r"^[^@ ]+@[^@ ]+\.[^@ .]+$")
RANGES = {"nps": (0, 10), "stars": (1, 5), "csat": (1, 5)}
CLASS_FROM = {"nps": (9, 7), "stars": (5, 4), "csat": (5, 4)}  # promoter from, passive from


class _Components:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def _placeholders() -> dict[tuple[str, str], set[str]]:
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    with PLACEHOLDERS.open() as file:
        for row in csv.DictReader(file):
            values[(row["contact_type"], row["match"])].add(row["value"])
    return values


def usable_email(raw: str | None, placeholders=None) -> str | None:
    placeholders = placeholders or _placeholders()
    email = (raw or "").strip().lower()
    if not email or not EMAIL.match(email) or email in placeholders[("email", "exact")]:
        return None
    local = re.sub("[^a-z0-9]+", "_", email.split("@")[0]).strip()
    return None if local in placeholders[("email", "local_part")] else email


def usable_phone(raw: str | None, placeholders=None) -> str | None:
    placeholders = placeholders or _placeholders()
    digits = "".join(ch for ch in (raw or "") if ch.isdigit())
    if len(digits) < 7 or len(set(digits)) == 1 or digits in placeholders[("phone", "exact")]:
        return None
    return digits


def persons(
    links: Iterable[tuple[str, str]],
    records: Iterable[tuple[str, str | None, str | None]] = (),
    match_email: bool = False,
    match_phone: bool = False,
    max_ids: int = 10,
    known_ids: Iterable[str] = (),
) -> dict[str, str]:
    """Source id -> person id (the smallest id of its group), for every id given. `known_ids`: the
    ids the data uses (a person_id among them is that customer)."""
    components = _Components()
    links = list(links)
    known = set(known_ids) | {customer_id for customer_id, _ in links}
    for customer_id, person_id in links:
        components.union(f"c:{customer_id}", f"p:{person_id}")
        if person_id in known:
            components.union(f"c:{person_id}", f"p:{person_id}")
    records = list(records)
    placeholders = _placeholders()
    for kind, wanted, usable in (("e", match_email, usable_email), ("t", match_phone, usable_phone)):
        by_value: dict[str, set[str]] = defaultdict(set)
        for customer_id, email, phone in records:
            components.find(f"c:{customer_id}")
            value = usable(email if kind == "e" else phone, placeholders)
            if wanted and value is not None:
                by_value[value].add(customer_id)
        for value, ids in by_value.items():
            # the project counts records; a customer id has one clean record
            if len(ids) <= max_ids:
                for customer_id in ids:
                    components.union(f"c:{customer_id}", f"{kind}:{value}")
    groups: dict[str, list[str]] = defaultdict(list)
    for node in list(components.parent):
        if node.startswith("c:"):
            groups[components.find(node)].append(node[2:])
    return {member: min(members) for members in groups.values() for member in members}


def person_of(mapping: dict[str, str], customer_id: str) -> str:
    return mapping.get(customer_id, customer_id)


@dataclass(frozen=True)
class FeedbackSummary:
    answers: int
    last_scale: str
    last_score: int
    average_pct: float
    nps_class: str
    nps_score: int | None
    is_score_dropping: bool


def score_pct(scale: str, score: int) -> float:
    low, high = RANGES[scale]
    return 100.0 * (score - low) / (high - low)


def nps_class(scale: str, score: int) -> str:
    promoter, passive = CLASS_FROM[scale]
    return "promoter" if score >= promoter else "passive" if score >= passive else "detractor"


def feedback_summaries(
    answers: Iterable[tuple[str, object, str, int]], drop: float = 25.0
) -> dict[str, FeedbackSummary]:
    """Per person, from (person, occurred_at, scale, score) answers: the counts, averages and classes."""
    by_person: dict[str, list[tuple]] = defaultdict(list)
    for person, occurred_at, scale, score in answers:
        by_person[person].append((occurred_at, score_pct(scale, score), scale, score))
    summaries = {}
    for person, rows in by_person.items():
        # the latest answer; on a tie the lowest score (the project's documented order)
        rows.sort(key=lambda row: (row[0], -row[1]))
        last = rows[-1]
        earlier = rows[:-1]
        nps = [row for row in rows if row[2] == "nps"]
        nps.sort(key=lambda row: (row[0], -row[3]))
        dropping = bool(earlier) and last[1] <= sum(row[1] for row in earlier) / len(earlier) - drop + 1e-9
        summaries[person] = FeedbackSummary(
            answers=len(rows),
            last_scale=last[2],
            last_score=last[3],
            average_pct=sum(row[1] for row in rows) / len(rows),
            nps_class=nps_class(last[2], last[3]),
            nps_score=nps[-1][3] if nps else None,
            is_score_dropping=dropping,
        )
    return summaries


def staged_person_map(run) -> dict[str, str]:
    """The persons of a build's clean staging (identity links only: the runner's default, no contact
    matching), recomputed here."""
    links = run.query("select customer_id, person_id from staging.stg_raw__customer_identities")
    known = {
        row[0]
        for table in ("customers", "orders", "engagement_events", "feedback")
        for row in run.query(f"select distinct customer_id from staging.stg_raw__{table}")
    }
    known |= {row[0] for row in run.query("select distinct customer_id from staging.stg_raw__order_items")} - {None}
    return persons(links, known_ids=known)
