"""One person across ids, and what customers say: a crafted data set built once, with email and phone
matching on, checked against hand counts and the plain-Python oracle (identity_oracle.py).

The people, by hand:
- Ana: a web account W1, a store card S1 and a social handle H1 share one email written three ways
  -> one person, whose key is the smallest of the three ids: H1.
- Quinn: a marketplace that issues one id per order (MP-1001..MP-1003) lists them under buyer77 in
  customer_identities, as is Quinn's web account W9, which shares an email with an old account Q1
  -> one person across both methods (transitive): MP-1001.
- Carl: X1 and X2 share an email -> one person, X1.
- Pat: P1 and P2 share a phone written two ways -> one person, P1.
- T1, T2, T3 share test@test.com (a placeholder); N1 and N2 gave `none` and `n/a`; B1 and B2 no
  email; Z1..Z12 share the shop's own address (more ids than identity_max_ids_per_contact, 10):
  none of them merges -> 19 persons of one id each.
So 31 source ids (28 customer records and three marketplace order ids) are 4 + 19 = 23 persons.
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Run, built
from identity_oracle import feedback_summaries, person_of, persons

pytestmark = pytest.mark.xdist_group("identity")

AS_OF = datetime.date(2025, 3, 31)
ZS = [f"Z{i}" for i in range(1, 13)]
# customer_id, email, phone, signup_at, country, accepts_marketing
RECORDS = [
    ["W1", "Ana.Lima@Example.com ", "+44 7700 900123", "2024-01-10", "GB", "true"],
    ["S1", "ana.lima@example.com", "", "2024-03-01", "Ireland", "true"],
    ["H1", " ANA.LIMA@EXAMPLE.COM", "", "2024-05-01", "", "false"],
    ["W9", "quinn@example.com", "", "2024-02-01", "US", ""],
    ["Q1", "Quinn@example.com", "", "2023-01-01", "", ""],
    ["X1", "carl@example.com", "", "2024-01-01", "DE", "true"],
    ["X2", "Carl@Example.com", "", "2024-01-02", "DE", "true"],
    ["P1", "p1@example.com", "07700 900456", "2024-01-01", "FR", ""],
    ["P2", "p2@example.com", "0770-090-0456", "2024-01-01", "FR", ""],
    ["T1", "test@test.com", "1234567890", "2024-01-01", "", ""],
    ["T2", "TEST@test.com", "000-0000", "2024-01-01", "", ""],
    ["T3", "test@test.com ", "123", "2024-01-01", "", ""],
    ["N1", "none", "", "2024-01-01", "", ""],
    ["N2", "n/a", "", "2024-01-01", "", ""],
    ["B1", "", "", "2024-01-01", "", ""],
    ["B2", " ", "", "2024-01-01", "", ""],
    *[[z, "shop@mybrand.com", "", "2024-01-01", "", ""] for z in ZS],
]
LINKS = [
    ["MP-1001", "buyer77", "marketplace"],
    ["MP-1002", "buyer77", "marketplace"],
    ["MP-1003", "buyer77", "marketplace"],
    ["W9", "buyer77", "web"],
    ["", "buyer88", "web"],  # missing_customer_id
    ["W1", "", "web"],  # missing_person_id
]
# order_id, customer_id, date, amount
ORDERS = [
    ["o1", "W1", "2024-02-01", "100.00"],
    ["o2", "S1", "2024-06-01", "50.00"],
    ["o3", "H1", "2025-01-10", "25.00"],
    ["o4", "MP-1001", "2024-07-01", "10.00"],
    ["o5", "MP-1002", "2024-08-01", "20.00"],
    ["o6", "MP-1003", "2025-03-31", "30.00"],
    ["o7", "Q1", "2023-06-01", "15.00"],
    ["o8", "X1", "2024-05-01", "40.00"],
    ["o9", "X2", "2024-09-01", "45.00"],
    ["o10", "P1", "2024-10-01", "8.00"],
    ["o11", "P2", "2024-11-01", "9.00"],
    ["o12", "T1", "2024-12-01", "5.00"],
    ["o13", "T2", "2024-12-02", "6.00"],
    ["o14", "T3", "2024-12-03", "7.00"],
    *[[f"z{i}", z, "2024-06-15", "1.00"] for i, z in enumerate(ZS)],
]
# customer_id, occurred_at, score, scale, channel
FEEDBACK = [
    ["W1", "2025-01-01 10:00:00", "9", "nps", "survey"],
    ["S1", "2025-03-01 10:00:00", "4", "NPS", "survey"],  # Ana's last answer: a detractor, and a drop
    ["X1", "2025-02-01 10:00:00", "5", "5-star", "review_site"],
    ["X2", "2025-02-10 10:00:00", "5", "", "review_site"],  # blank scale: the default, stars
    ["Q1", "2025-03-02 10:00:00", "4", "csat", "email"],
    ["Z1", "2025-03-03 10:00:00", "2", "stars", "app"],
    ["Z2", "2025-03-03 10:00:00", "11", "nps", "survey"],  # score_out_of_range
    ["Z3", "2025-03-03 10:00:00", "0", "csat", "survey"],  # score_out_of_range
    ["Z4", "2025-03-03 10:00:00", "3", "thumbs", "app"],  # unknown_scale
    ["Z5", "2025-03-03 10:00:00", "4.5", "stars", "app"],  # unparseable_score
    ["Z6", "2025-03-03 10:00:00", "", "stars", "app"],  # missing_score
    ["", "2025-03-03 10:00:00", "5", "stars", "app"],  # missing_customer_id
]
BAD_FEEDBACK = {
    "score_out_of_range": 2,
    "unknown_scale": 1,
    "unparseable_score": 1,
    "missing_score": 1,
    "missing_customer_id": 1,
}


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def identity_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    data = tmp_path_factory.mktemp("identity_data")
    write(
        data / "customers.csv", ["customer_id", "email", "phone", "signup_at", "country", "accepts_marketing"], RECORDS
    )
    write(data / "customer_identities.csv", ["customer_id", "person_id", "system"], LINKS)
    write(data / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], ORDERS)
    write(data / "feedback.csv", ["customer_id", "occurred_at", "score", "scale", "channel"], FEEDBACK)
    # the per-column tests of the identity and feedback models run on the demo; the invariants run here
    args = [
        "build",
        "--data-dir",
        str(data),
        "--as-of",
        AS_OF.isoformat(),
        "--match-on",
        "email",
        "--data-tests",
        "invariants",
    ]
    return built([*args, "--match-on", "phone", "--quiet"], tmp_path_factory.mktemp("identity") / "warehouse.duckdb")


def oracle_map() -> dict[str, str]:
    links = [(row[0], row[1]) for row in LINKS if row[0].strip() and row[1].strip()]
    records = [(row[0], row[1], row[2]) for row in RECORDS]
    known = {row[0] for row in RECORDS} | {row[1] for row in ORDERS} | {row[0] for row in FEEDBACK if row[0]}
    return persons(links, records, match_email=True, match_phone=True, max_ids=10, known_ids=known)


def test_the_hand_count_of_persons(identity_build):
    mapping = oracle_map()
    expected = {
        "H1": ["H1", "S1", "W1"],
        "MP-1001": ["MP-1001", "MP-1002", "MP-1003", "Q1", "W9"],
        "X1": ["X1", "X2"],
        "P1": ["P1", "P2"],
    }
    for person, ids in expected.items():
        assert {person_of(mapping, i) for i in ids} == {person}  # the oracle agrees with the hand count
    rows = identity_build.query(
        "select customer_id, source_id_count, source_customer_ids, link_methods from marts.dim_customers"
    )
    assert len(rows) == 23
    by_id = {row[0]: row[1:] for row in rows}
    assert by_id["H1"] == (3, "H1, S1, W1", "email")
    assert by_id["MP-1001"] == (5, "MP-1001, MP-1002, MP-1003, Q1, W9", "email, linked_id")
    assert by_id["X1"] == (2, "X1, X2", "email")
    assert by_id["P1"] == (2, "P1, P2", "phone")
    singles = ["T1", "T2", "T3", "N1", "N2", "B1", "B2", *ZS]
    assert all(by_id[i] == (1, i, "none") for i in singles)
    assert set(by_id) == {person_of(mapping, row[0]) for row in RECORDS} | {"MP-1001"}


def test_placeholder_and_shared_contacts_are_counted_and_ignored(identity_build):
    counts = {
        (measure, detail): value
        for measure, detail, value in identity_build.query(
            "select measure, detail, total from marts.mart_identity_resolution"
        )
    }
    assert counts[("source_ids", "all")] == 31
    assert counts[("persons", "all")] == 23
    assert counts[("linked_persons", "email")] == 3  # Ana, Quinn (W9-Q1), Carl
    assert counts[("linked_persons", "linked_id")] == 1
    assert counts[("linked_persons", "phone")] == 1
    assert counts[("linked_ids", "linked_id")] == 4  # MP-1001..MP-1003 and W9
    assert counts[("ignored_contacts", "email: placeholder")] == 3
    assert counts[("ignored_contacts", "email: malformed")] == 2
    assert counts[("ignored_contacts", "email: blank")] == 2
    assert counts[("ignored_contacts", "email: shared_by_too_many_ids")] == 12
    assert counts[("ignored_contacts", "phone: placeholder")] == 1  # 1234567890
    assert counts[("ignored_contacts", "phone: malformed")] == 2  # 000-0000 (one digit), 123 (short)
    assert counts[("matching", "email")] == 1 and counts[("matching", "phone")] == 1


def test_revenue_is_conserved_and_summed_per_person(identity_build):
    staged = identity_build.query("select customer_id, net_amount from staging.stg_raw__orders")
    assert sum(amount for _, amount in staged) == sum(Decimal(row[3]) for row in ORDERS)
    mapping = oracle_map()
    per_person: dict[str, Decimal] = {}
    for customer, amount in staged:
        person = person_of(mapping, customer)
        per_person[person] = per_person.get(person, Decimal(0)) + amount
    built_revenue = dict(
        identity_build.query("select customer_id, lifetime_net_revenue from marts.dim_customers where is_buyer")
    )
    assert built_revenue == per_person
    assert built_revenue["H1"] == Decimal("175.00") and built_revenue["MP-1001"] == Decimal("75.00")
    orders = dict(identity_build.query("select customer_id, lifetime_orders from marts.dim_customers"))
    assert orders["H1"] == 3 and orders["MP-1001"] == 4


def test_a_merged_profile_follows_the_survivorship_rules(identity_build):
    (row,) = identity_build.query(
        "select country, country_code, region, signup_date, is_subscriber, customer_records "
        "from marts.dim_customers where customer_id = 'H1'"
    )
    # country: the latest record with one (S1, 2024-03-01); signup: the earliest; H1 opted out
    assert row == ("Ireland", "IE", "Europe", datetime.date(2024, 1, 10), False, 3)


def test_feedback_per_person_against_the_oracle(identity_build):
    mapping = oracle_map()
    scales = {"nps": "nps", "5-star": "stars", "": "stars", "csat": "csat", "stars": "stars"}
    clean = [row for row in FEEDBACK if row[0] and row[2].isdigit() and row[3].lower() in scales]
    answers = [
        (person_of(mapping, row[0]), row[1], scales[row[3].lower()], int(row[2]))
        for row in clean
        if int(row[2]) in range(*{"nps": (0, 11)}.get(scales[row[3].lower()], (1, 6)))
    ]
    expected = feedback_summaries(answers)
    rows = identity_build.query(
        "select customer_id, feedback_answers, last_feedback_scale, last_feedback_score, average_score_pct, "
        "nps_class, nps_score, is_score_dropping from marts.dim_customers where feedback_answers > 0"
    )
    assert {row[0] for row in rows} == set(expected) == {"H1", "X1", "MP-1001", "Z1"}
    for customer, count, scale, score, average, klass, nps, dropping in rows:
        want = expected[customer]
        assert (count, scale, score, klass, nps, dropping) == (
            want.answers,
            want.last_scale,
            want.last_score,
            want.nps_class,
            want.nps_score,
            want.is_score_dropping,
        ), customer
        assert average == pytest.approx(want.average_pct)
    # by hand: Ana answered 9 then 4 (NPS): a detractor whose score fell from 90 to 40
    assert expected["H1"].nps_class == "detractor" and expected["H1"].is_score_dropping
    assert expected["X1"].nps_class == "promoter" and expected["MP-1001"].nps_class == "passive"


def test_bad_feedback_is_quarantined_with_its_reason(identity_build):
    reasons = dict(
        identity_build.query("select reason, count(*) from staging.stg_raw__feedback_quarantined group by reason")
    )
    assert reasons == BAD_FEEDBACK
    assert identity_build.query("select count(*) from staging.stg_raw__feedback")[0][0] == len(FEEDBACK) - sum(
        BAD_FEEDBACK.values()
    )
    (links,) = identity_build.query(
        "select count(*) from staging.stg_raw__customer_identities_quarantined "
        "where reason in ('missing_customer_id', 'missing_person_id')"
    )
    assert links == (2,)


def test_detractors_get_a_service_action_and_a_churn_signal(identity_build):
    rows = dict(
        identity_build.query(
            "select customer_id, next_best_action || '/' || action_purpose from marts.fct_customer_actions"
        )
    )
    assert rows["H1"] == "service_recovery/service"
    assert rows["Z1"] == "service_recovery/service"  # 2 stars
    assert not any(value.startswith("service_recovery") for key, value in rows.items() if key not in ("H1", "Z1"))
    signals = dict(identity_build.query("select customer_id, signals from marts.fct_churn_risk"))
    assert signals["H1"] == "detractor, score_drop"  # shown, not listed: churn_risk_list_feedback_signals is off
    assert identity_build.query("select is_listed from marts.fct_churn_risk where customer_id = 'H1'") == [(False,)]


def test_stars_count_as_review_engagement(identity_build):
    reviews = dict(
        identity_build.query("select customer_id, events_review_365d from marts.dim_customers where customer_id = 'X1'")
    )
    assert reviews == {"X1": 2}
