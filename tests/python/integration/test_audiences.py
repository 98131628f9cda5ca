"""`runner.py export --audiences`: the lists match a plain-Python recomputation of the consent rule
from staging's contacts, the actions and the seed's purposes; everyone left out is counted; contact
data reaches the lists and never the marts; formula-like cells are neutralised; the tools' headers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from conftest import FORMULAS, PROJECT_DIR, assert_one_line_error, built, run_runner

from customer_pyramid.settings import serving_path

DEMO = pytest.mark.xdist_group("demo")
CONTACTS_BUILD = pytest.mark.xdist_group("contacts")
REASONS = ("no_marketing_consent", "no_contact_details")


def rows_of(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def expected_lists(database: Path) -> dict[str, dict]:
    """Per action list: who is on it and how many are left out for each reason, recomputed here: a
    marketing action needs accepts_marketing true (unknown is no), service needs no consent, purpose
    none has no list, and nobody without an email or a phone is listed."""
    with open(PROJECT_DIR / "seeds" / "rules" / "segment_actions.csv", newline="") as handle:
        purposes = {row["recommended_action"]: row["purpose"] for row in csv.DictReader(handle)}
    with duckdb.connect(str(database), read_only=True) as connection:
        actions = connection.execute("select customer_id, next_best_action from marts.fct_customer_actions").fetchall()
        contacts = {
            customer_id: (accepts, email, phone)
            for customer_id, accepts, email, phone in connection.execute(
                "select customer_id, accepts_marketing, email, phone from staging.stg_raw__customers"
            ).fetchall()
        }
    lists: dict[str, dict] = {}
    for customer_id, action in actions:
        if purposes[action] == "none":
            continue
        entry = lists.setdefault(f"action_{action}", {"included": set(), **dict.fromkeys(REASONS, 0)})
        accepts, email, phone = contacts.get(customer_id, (None, None, None))
        if purposes[action] == "marketing" and accepts is not True:
            entry["no_marketing_consent"] += 1
        elif not (email or phone):
            entry["no_contact_details"] += 1
        else:
            entry["included"].add(customer_id)
    return lists


def shown(value: str) -> str:
    """A cell as a spreadsheet-safe CSV shows it: a formula-like start gets an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def assert_lists_match(folder: Path, database: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text())
    actions = {name: entry for name, entry in manifest["lists"].items() if entry["kind"] == "action"}
    expected = expected_lists(database)
    assert set(actions) == set(expected)
    for name, entry in actions.items():
        rows = rows_of(folder / entry["file"])
        assert {row["external_id"] for row in rows} == {shown(c) for c in expected[name]["included"]}, name
        assert entry["rows"] == len(rows)
        assert entry["left_out"] == {reason: expected[name][reason] for reason in REASONS}, name
        assert entry["members"] == len(rows) + sum(entry["left_out"].values())
    return manifest


@pytest.fixture(scope="module")
def demo_lists(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audiences") / "lists"
    built(["export", "--audiences", "--out", str(out), "--segment", "champions"], demo_build.database)
    return out


@DEMO
def test_demo_lists_follow_consent_and_count_everyone_left_out(demo_build, demo_lists: Path) -> None:
    manifest = assert_lists_match(demo_lists, demo_build.database)
    assert sum(entry["left_out"]["no_marketing_consent"] for entry in manifest["lists"].values()) > 0
    assert any(entry["purpose"] == "service" and entry["rows"] for entry in manifest["lists"].values())
    with duckdb.connect(str(demo_build.database), read_only=True) as connection:
        contacts = {
            row[0]: row[1:]
            for row in connection.execute(
                "select customer_id, email, phone, first_name, last_name, accepts_marketing "
                "from staging.stg_raw__customers"
            ).fetchall()
        }
        champions = {
            customer_id
            for (customer_id,) in connection.execute(
                "select customer_id from marts.dim_customers where rfm_segment = 'champions'"
            ).fetchall()
        }
    segment = manifest["lists"]["segment_rfm_segment_champions"]
    rows = rows_of(demo_lists / segment["file"])
    consenting = {c for c in champions if contacts.get(c, (None,) * 5)[4] is True}
    assert {row["external_id"] for row in rows} == consenting
    assert segment["left_out"]["no_marketing_consent"] == len(champions - consenting)
    assert {row["segment"] for row in rows} == {"champions"}
    for row in rows:  # contact fields as staging holds them
        email, phone, first, last, _ = contacts[row["external_id"]]
        assert (row["email"], row["phone"], row["first_name"], row["last_name"]) == (email, phone, first, last)


@DEMO
def test_advertising_lists_need_marketing_consent_even_for_service_actions(demo_build, tmp_path: Path) -> None:
    out = tmp_path / "google"
    built(["export", "--audiences", "--out", str(out), "--layout", "google_ads"], demo_build.database)
    manifest = json.loads((out / "manifest.json").read_text())
    consenting = {
        email
        for (email,) in demo_build.query(
            "select email from staging.stg_raw__customers where accepts_marketing and email is not null"
        )
    }
    service = [entry for entry in manifest["lists"].values() if entry["action"] == "retention_follow_up"]
    assert service and service[0]["left_out"]["no_marketing_consent"] > 0
    for entry in manifest["lists"].values():
        emails = {row["Email"] for row in rows_of(out / entry["file"])}
        assert emails <= consenting, entry["file"]


@DEMO
def test_marts_and_the_serving_file_hold_no_contact_data(demo_build, demo_lists: Path) -> None:
    with duckdb.connect(str(demo_build.database), read_only=True) as connection:
        secrets = {
            value
            for row in connection.execute("select email, phone from staging.stg_raw__customers").fetchall()
            for value in row
            if value
        }
    assert len(secrets) > 1000
    with duckdb.connect(str(serving_path(demo_build.database)), read_only=True) as connection:
        columns = connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type = 'VARCHAR'"
        ).fetchall()
        assert not {name for _, name in columns} & {"email", "phone", "first_name", "last_name"}
        for table, column in columns:
            values = {v for (v,) in connection.execute(f'select distinct "{column}" from marts."{table}"').fetchall()}
            assert not values & secrets, f"marts.{table}.{column} holds contact data"


@DEMO
def test_the_same_build_writes_the_same_lists(demo_build, demo_lists: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    built(["export", "--audiences", "--out", str(again), "--segment", "champions"], demo_build.database)
    assert {p.name: p.read_bytes() for p in again.iterdir()} == {p.name: p.read_bytes() for p in demo_lists.iterdir()}


@DEMO
def test_audience_errors_are_one_line(demo_build, tmp_path: Path) -> None:
    out = ["export", "--audiences", "--out", str(tmp_path / "x")]
    cases = [
        ([*out, "--segment", "royalty"], "is no segment of this build"),
        ([*out, "--segment", "new"], "write rfm_segment=new or lifecycle_stage=new"),
        ([*out, "--segment", "colour=red"], "is not one of rfm_segment"),
        ([*out, "--format", "parquet"], "audience lists are CSV files"),
        (["export", "--out", str(tmp_path / "y"), "--segment", "champions"], "go with --audiences"),
    ]
    for args, message in cases:
        assert_one_line_error(run_runner(args, demo_build.database), message)
    assert not (tmp_path / "x").exists()
    assert_one_line_error(run_runner(out, tmp_path / "none.duckdb"), "no build found")


@CONTACTS_BUILD
def test_consent_contact_and_formulas_on_crafted_customers(contacts_build, tmp_path: Path) -> None:
    out = tmp_path / "generic"
    run = built(["export", "--audiences", "--out", str(out)], contacts_build.database)
    manifest = assert_lists_match(out, contacts_build.database)
    listed = {row["external_id"]: row for entry in manifest["lists"].values() for row in rows_of(out / entry["file"])}
    purposes = {entry["action"]: entry["purpose"] for entry in manifest["lists"].values()}
    assert all(purpose == "marketing" for purpose in purposes.values()), purposes  # so consent decides
    assert set(listed) == {"c0", "c1", "'+c5"}, "c2 refused, c3 unknown (counts as no), c4 has no email or phone"
    assert listed["c1"]["first_name"] == "'" + FORMULAS[0], "a formula-like name is neutralised"
    assert listed["c0"]["phone"] == "+1 555 0100", "a phone number is kept as it is"
    left = [entry["left_out"] for entry in manifest["lists"].values()]
    assert sum(item["no_marketing_consent"] for item in left) == 2
    assert sum(item["no_contact_details"] for item in left) == 1
    assert "without marketing consent" in run.stdout and "Consent: marketing lists need" in run.stdout

    built(
        ["export", "--audiences", "--out", str(tmp_path / "google"), "--layout", "google_ads"], contacts_build.database
    )
    google = json.loads((tmp_path / "google" / "manifest.json").read_text())
    for entry in google["lists"].values():
        with open(tmp_path / "google" / entry["file"], newline="") as handle:
            header = next(csv.reader(handle))
        assert header == ["Email", "Phone", "First Name", "Last Name", "Country"]
    google_rows = {
        row["Email"]: row for entry in google["lists"].values() for row in rows_of(tmp_path / "google" / entry["file"])
    }
    assert google_rows["c0@example.org"]["Phone"] == "+15550100", "Customer Match: + and digits only"

    built(["export", "--audiences", "--out", str(tmp_path / "klaviyo"), "--layout", "klaviyo"], contacts_build.database)
    klaviyo = json.loads((tmp_path / "klaviyo" / "manifest.json").read_text())
    entry = next(iter(klaviyo["lists"].values()))
    assert entry["columns"][:4] == ["Email", "Phone Number", "First Name", "Last Name"]
    assert "External ID" in entry["columns"]
