"""An independent plain-Python RFM: recency, frequency, monetary, the three scores with the default
methods, and the segment. Written from the definitions in models/docs/rfm.md, sharing no code with the SQL.

Defaults: window 365 days; recency and monetary scored by quantile (1 + 5*s // n, s = buyers strictly
worse), frequency by fixed cut points [2, 3, 4, 6]; the segment grid of the README.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

WINDOW_DAYS = 365
FREQUENCY_CUT_POINTS = (2, 3, 4, 6)
PURCHASE_STATUSES = {"completed", "partially_refunded"}

# (r_score, f_score ranges) -> segment, as documented (R rows x F columns).
GRID = {
    5: {1: "new", 2: "potential_loyalist", 3: "potential_loyalist", 4: "champions", 5: "champions"},
    4: {1: "promising", 2: "potential_loyalist", 3: "potential_loyalist", 4: "loyal", 5: "loyal"},
    3: {1: "about_to_sleep", 2: "about_to_sleep", 3: "need_attention", 4: "loyal", 5: "loyal"},
    2: {1: "hibernating", 2: "hibernating", 3: "at_risk", 4: "at_risk", 5: "cannot_lose"},
    1: {1: "lost", 2: "lost", 3: "at_risk", 4: "at_risk", 5: "cannot_lose"},
}


@dataclass(frozen=True)
class Order:
    customer_id: str
    order_date: datetime.date
    status: str
    net_amount: Decimal


@dataclass(frozen=True)
class Rfm:
    recency_days: int
    frequency: int
    monetary: Decimal
    r_score: int
    f_score: int
    m_score: int
    segment: str


def latest_purchase_date(orders: list[Order]) -> datetime.date:
    return max(order.order_date for order in orders if order.status in PURCHASE_STATUSES)


def rfm(orders: list[Order], as_of: datetime.date) -> dict[str, Rfm]:
    last: dict[str, datetime.date] = {}
    frequency: dict[str, int] = defaultdict(int)
    monetary: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders:
        if order.status not in PURCHASE_STATUSES or order.order_date > as_of:
            continue
        customer = order.customer_id
        last[customer] = max(last.get(customer, order.order_date), order.order_date)
        frequency[customer] += 0
        monetary[customer] += 0
        if (as_of - order.order_date).days < WINDOW_DAYS:
            frequency[customer] += 1
            monetary[customer] += order.net_amount
    recency = {customer: (as_of - date).days for customer, date in last.items()}
    n = len(last)
    recencies = sorted(recency.values())
    amounts = sorted(monetary.values())
    result = {}
    for customer in last:
        # recency: worse = more days; s = buyers with strictly more days
        s_recency = n - bisect.bisect_right(recencies, recency[customer])
        # monetary: worse = less money; s = buyers with strictly less
        s_monetary = bisect.bisect_left(amounts, monetary[customer])
        r_score = 1 + (5 * s_recency) // n
        m_score = 1 + (5 * s_monetary) // n
        f_score = 1 + sum(1 for cut in FREQUENCY_CUT_POINTS if frequency[customer] >= cut)
        result[customer] = Rfm(
            recency[customer],
            frequency[customer],
            monetary[customer],
            r_score,
            f_score,
            m_score,
            GRID[r_score][f_score],
        )
    return result
