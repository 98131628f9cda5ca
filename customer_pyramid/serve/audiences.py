"""`runner.py export --audiences`: the contact lists a CRM team uploads to its email, SMS or ads tool.

One CSV per next best action (`action_<action>.csv`) and one per segment asked for with
`--segment` (`segment_<segmentation>_<segment>.csv`), with manifest.json. Who is on a list is
decided in the dbt project (fct_audience_members, rules in
macros/definitions/contact_permission.sql): marketing lists need marketing consent, service lists
do not, an action whose purpose is `none` gets no list, and nobody without an email or a phone is
listed. Everyone left out is counted per list and reason, in the manifest and in what the runner
prints. Contact fields (email, phone, names) are read here and nowhere else, from the person's
merged customer record (int_customer_records: the survivorship rules of identity
resolution): the marts and the serving file keep them masked. Lists are written like the marts export: into a new folder
renamed into place, rows in a fixed order, formula-like cells neutralised.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from customer_pyramid.errors import UserError
from customer_pyramid.relations import relation
from customer_pyramid.serve.export import atomic_folder, neutralised, write_manifest
from customer_pyramid.settings import Settings
from customer_pyramid.sql import quote_identifier, sql_literal

MEMBERS = relation("fct_audience_members")
# the person's merged record: a customer made of several linked ids has one email and phone
CONTACTS = relation("int_customer_records")
SEGMENTATIONS = ("rfm_segment", "lifecycle_stage", "value_tier", "loyalty_cell", "loyalty_tier")
LEFT_OUT = ("no_marketing_consent", "no_contact_details")

# Column layouts: (header, SQL over `members` and `contacts`, is text). `generic` has every field;
# `klaviyo` uses the headers Klaviyo's CSV import maps to its profile fields (Email first), the rest
# become custom properties; `google_ads` is Google Ads Customer Match's template (exact headers, no
# other columns; phone numbers with their country code, only + and digits).
_SEGMENT = "coalesce({segment}, members.based_on_segment)"
_PHONE_DIGITS = "regexp_replace(contacts.phone, '[^0-9+]', '', 'g')"
_FIELDS = {
    "external_id": "members.customer_id",
    "email": "contacts.email",
    "phone": "contacts.phone",
    "first_name": "contacts.first_name",
    "last_name": "contacts.last_name",
    "country": "contacts.country",
    "segment": _SEGMENT,
    "action": "members.next_best_action",
    "action_purpose": "members.action_purpose",
    "action_priority": "members.action_priority",
    "predicted_clv": "round(members.predicted_clv, 2)",
    "churn_risk_score": "round(members.churn_risk_score, 4)",
    "churn_risk_level": "members.churn_risk_level",
}
LAYOUTS = {
    "generic": {name: name for name in _FIELDS},
    "klaviyo": {
        "email": "Email",
        "phone": "Phone Number",
        "first_name": "First Name",
        "last_name": "Last Name",
        "country": "Country",
        "external_id": "External ID",
        "segment": "Segment",
        "action": "Next Best Action",
        "action_purpose": "Action Purpose",
        "action_priority": "Action Priority",
        "predicted_clv": "Predicted CLV",
        "churn_risk_score": "Churn Risk Score",
        "churn_risk_level": "Churn Risk Level",
    },
    "google_ads": {
        "email": "Email",
        "google_phone": "Phone",
        "first_name": "First Name",
        "last_name": "Last Name",
        "country": "Country",
    },
}
_FIELDS["google_phone"] = _PHONE_DIGITS
# Layouts for advertising platforms: every list needs marketing consent, service lists included
# (a service contact is not a licence to target a customer with ads).
AD_LAYOUTS = {"google_ads"}
TEXT_FIELDS = {
    "external_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "country",
    "segment",
    "action",
    "action_purpose",
}


def export_audiences(
    settings: Settings, out: Path, segments: list[str], layout: str, consent_when_unknown: bool, build_id: str | None
) -> dict:
    """Write the audience lists of the working file's last complete build into `out`; returns the manifest."""
    if layout not in LAYOUTS:
        raise UserError(f"--layout must be one of {', '.join(LAYOUTS)}, got '{layout}'")
    with settings.connect_read_only() as connection:
        selected = [_resolve_segment(connection, text) for text in segments]
        as_of = connection.execute(f"select max(as_of_date) from {MEMBERS}").fetchone()[0]
        with atomic_folder(out) as folder:
            lists = {}
            for action, purpose in connection.execute(
                f"select distinct next_best_action, action_purpose from {MEMBERS} order by 1"
            ).fetchall():
                if purpose == "none":
                    continue
                condition = f"members.next_best_action = {sql_literal(action)}"
                name = _unique_name(lists, f"action_{_file_part(action)}", action)
                status = "marketing_audience_status" if layout in AD_LAYOUTS else "action_audience_status"
                lists[name] = _write_list(connection, folder, name, layout, condition, status, "null")
                lists[name] |= {
                    "kind": "action",
                    "action": action,
                    "purpose": "marketing" if layout in AD_LAYOUTS else purpose,
                }
            for segmentation, segment in selected:
                condition = f"members.{segmentation} = {sql_literal(segment)}"
                name = _unique_name(lists, f"segment_{segmentation}_{_file_part(segment)}", f"{segmentation}={segment}")
                lists[name] = _write_list(
                    connection, folder, name, layout, condition, "marketing_audience_status", sql_literal(segment)
                )
                lists[name] |= {
                    "kind": "segment",
                    "segmentation": segmentation,
                    "segment": segment,
                    "purpose": "marketing",
                }
            not_contacted = dict(
                connection.execute(
                    f"select next_best_action, count(*) from {MEMBERS} where action_purpose = 'none' "
                    "group by 1 order by 1"
                ).fetchall()
            )
            manifest = {
                "kind": "audiences",
                "layout": layout,
                "as_of_date": as_of.isoformat() if as_of else None,
                "build_id": build_id,
                "consent_rule": "marketing lists need accepts_marketing = true; unknown counts as "
                + ("consent" if consent_when_unknown else "no consent")
                + " (var marketing_consent_when_unknown); "
                + (
                    "every list of this advertising layout needs marketing consent, service lists included"
                    if layout in AD_LAYOUTS
                    else "service lists need no marketing consent"
                ),
                "lists": lists,
                "not_contacted": not_contacted,
            }
            write_manifest(folder, manifest)
    return manifest


def _write_list(connection, folder: Path, name: str, layout: str, condition: str, status: str, segment: str) -> dict:
    columns = []
    for field, header in LAYOUTS[layout].items():
        expression = _FIELDS[field].format(segment=segment)
        if field in TEXT_FIELDS:
            expression = neutralised(expression)
        columns.append(f"{expression} as {quote_identifier(header)}")
    path = folder / f"{name}.csv"
    joined = f"{MEMBERS} as members left join {CONTACTS} as contacts on members.customer_id = contacts.customer_id"
    connection.execute(
        f"copy (select {', '.join(columns)} from {joined} where {condition} and members.{status} = 'included' "
        f"order by members.customer_id) to {sql_literal(path)} (format csv, header true)"
    )
    counts = dict(
        connection.execute(f"select members.{status}, count(*) from {joined} where {condition} group by 1").fetchall()
    )
    return {
        "file": path.name,
        "members": sum(counts.values()),
        "rows": counts.get("included", 0),
        "left_out": {reason: counts.get(reason, 0) for reason in LEFT_OUT},
        "columns": list(LAYOUTS[layout].values()),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def _resolve_segment(connection, text: str) -> tuple[str, str]:
    """`--segment NAME` or `--segment SEGMENTATION=NAME` -> (segmentation, segment)."""
    known = {
        segmentation: {
            value
            for (value,) in connection.execute(
                f"select distinct {segmentation} from {MEMBERS} where {segmentation} is not null"
            ).fetchall()
        }
        for segmentation in SEGMENTATIONS
    }
    for segmentation, segment in connection.execute(
        f"select segmentation, segment from {relation('segment_actions')}"
    ).fetchall():
        known.setdefault(segmentation, set()).add(segment)
    if "=" in text:
        segmentation, segment = (part.strip() for part in text.split("=", 1))
        if segmentation not in SEGMENTATIONS:
            raise UserError(f"--segment {text!r}: {segmentation!r} is not one of {', '.join(SEGMENTATIONS)}")
        if segment not in known[segmentation]:
            raise UserError(
                f"--segment {text!r}: no {segmentation} is called {segment!r} (known: {_names(known[segmentation])})"
            )
        return segmentation, segment
    matches = [segmentation for segmentation in SEGMENTATIONS if text in known[segmentation]]
    if not matches:
        every = set().union(*known.values())
        raise UserError(f"--segment {text!r} is no segment of this build (known: {_names(every)})")
    if len(matches) > 1:
        qualified = " or ".join(f"{segmentation}={text}" for segmentation in matches)
        raise UserError(f"--segment {text!r} is a segment of {' and '.join(matches)}: write {qualified}")
    return matches[0], text


def _unique_name(lists: dict, name: str, what: str) -> str:
    """A list's file name; two names that write to one file (case or punctuation apart) are an error."""
    if name.lower() in {taken.lower() for taken in lists}:
        raise UserError(f"two audience lists would both be written to {name}.csv ({what} and another): rename one")
    return name


def _names(values: set[str]) -> str:
    return ", ".join(sorted(values))


def _file_part(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "blank"
