"""Exact medians and 90th percentiles without sorting every value: a histogram, then the few values it points to.

A measured figure's values (whole seconds, say) are counted in buckets `width` wide (a minute of seconds) by one
GROUP BY, with each bucket's least and greatest value. Cumulative counts over those few thousand buckets say which
bucket holds the value of each rank a percentile needs, and where in the bucket. A bucket's first or last value,
or any value of a bucket holding one value only, is its least or greatest; otherwise the values of the buckets
pointed to (and only those) are read again and counted by value. So the database ranks a few thousand rows, not a
year's 600,000 times, and the answer is the same to the second.

Interpolation is percentile_cont's (a spreadsheet's PERCENTILE.INC): of N values ranked 1 to N, the p-th
percentile lies (N - 1)p of the way from the first, between the ranks lo = floor((N - 1)p) + 1 and lo + 1, a
fraction frac((N - 1)p) of the way on. With p = num/den that is whole-number arithmetic in either database.

A bucket is `value / width`: integer division for whole numbers, and any function that keeps the order of the
values would do (a fraction's bucket is itself), so the figures' rows may be fractions too.
"""
from __future__ import annotations

# The values at these ranks must be read from the rows: not the first or last of its bucket, nor a bucket of one value.
NEEDS_ROWS = "pos > 0 AND pos < n - 1 AND least < most"


def histogram(rows: str, width: int) -> str:
    """SQL: (agency, item, bucket, n, least, most) from `rows`' (agency, item, value)."""
    return (f"SELECT q.agency, q.item, q.bucket, COUNT(*) AS n, MIN(q.value) AS least, MAX(q.value) AS most "
            f"FROM (SELECT agency, item, value, value / {width} AS bucket FROM ({rows}) r WHERE value IS NOT NULL) q "
            f"GROUP BY q.agency, q.item, q.bucket")


def percentile_ctes(name: str, rows: str, width: int, measures: tuple[tuple[int, int], ...],
                    counted: str | None = None) -> list[str]:
    """WITH-clause entries giving, in `{name}_v`, the values at the ranks each measure (num, den) needs, for each
    agency (whole = 0) and for the total (whole = 1): (whole, agency, item, j, side, rest, value), where j numbers
    the measure, side 0 is rank lo and side 1 rank lo + 1 (only when rest > 0). `rows` yields (agency, item,
    value); `counted`, if given, is its histogram already made (as `histogram` would make it, `width` wide)."""
    agency_type = "CAST(NULL AS VARCHAR(40))"
    targets = []
    for j, (num, den) in enumerate(measures):
        for side in (0, 1):
            rank = f"((c.total - 1) * {num}) / {den} + 1 + {side}"
            rest = f"((c.total - 1) * {num}) % {den}"
            targets.append(
                f"SELECT c.whole, c.agency, c.item, {j} AS j, {side} AS side, {rest} AS rest, c.bucket, c.n, "
                f"c.least, c.most, {rank} - (c.upto - c.n) - 1 AS pos FROM {name}_c c "
                f"WHERE {rank} > c.upto - c.n AND {rank} <= c.upto" + (f" AND {rest} > 0" if side else ""))
    return [
        f"{name}_h AS MATERIALIZED ({counted or histogram(rows, width)})",
        # For each agency, and (whole = 1) for the partnership: its buckets, with the ranks each one ends at.
        f"{name}_c AS MATERIALIZED (SELECT w.*, CAST(SUM(w.n) OVER (PARTITION BY w.whole, w.agency, w.item "
        f"ORDER BY w.bucket) AS BIGINT) AS upto, CAST(SUM(w.n) OVER (PARTITION BY w.whole, w.agency, w.item) "
        f"AS BIGINT) AS total FROM (SELECT 0 AS whole, agency, item, bucket, n, least, most FROM {name}_h "
        f"UNION ALL SELECT 1, {agency_type}, item, bucket, CAST(SUM(n) AS BIGINT), MIN(least), MAX(most) "
        f"FROM {name}_h GROUP BY item, bucket) w)",
        # Where each rank a percentile needs lies: its bucket, and its place in it (pos, from 0).
        f"{name}_t AS MATERIALIZED ({' UNION ALL '.join(targets)})",
        # The rows of just the buckets where a rank's value is not the bucket's least or greatest, by value.
        f"{name}_f AS MATERIALIZED (SELECT q.agency, q.item, q.value, q.value / {width} AS bucket, COUNT(*) AS n "
        f"FROM ({rows}) q WHERE EXISTS (SELECT 1 FROM {name}_t WHERE {NEEDS_ROWS}) AND q.value / {width} IN "
        f"(SELECT bucket FROM {name}_t WHERE {NEEDS_ROWS}) GROUP BY q.agency, q.item, q.value)",
        f"{name}_fc AS MATERIALIZED (SELECT w.*, CAST(SUM(w.n) OVER (PARTITION BY w.whole, w.agency, w.item, "
        f"w.bucket ORDER BY w.value) AS BIGINT) AS upto FROM (SELECT 0 AS whole, agency, item, value, bucket, n "
        f"FROM {name}_f UNION ALL SELECT 1, {agency_type}, item, value, bucket, CAST(SUM(n) AS BIGINT) "
        f"FROM {name}_f GROUP BY item, value, bucket) w)",
        f"{name}_v AS MATERIALIZED (SELECT t.whole, t.agency, t.item, t.j, t.side, t.rest, CASE "
        f"WHEN t.pos = 0 OR t.least = t.most THEN t.least WHEN t.pos = t.n - 1 THEN t.most ELSE "
        f"(SELECT MIN(f.value) FROM {name}_fc f WHERE f.whole = t.whole AND (t.whole = 1 OR f.agency = t.agency) "
        f"AND f.item = t.item AND f.bucket = t.bucket AND f.upto > t.pos) END AS value FROM {name}_t t)",
    ]


def picked(name: str, j: int, den: int, per: int, keys: str = "whole, agency, item") -> str:
    """SQL: (keys, value) of measure j from `{name}_v`: rank lo's value, `rest`/den of the way on to rank lo + 1's,
    divided by `per` (3600 for hours)."""
    lo, hi = "MAX(CASE WHEN side = 0 THEN value END)", "MAX(CASE WHEN side = 1 THEN value END)"
    return (f"SELECT {keys}, ({lo} + (COALESCE({hi}, {lo}) - {lo}) * MAX(rest) / {float(den)}) / {float(per)} "
            f"AS value FROM {name}_v WHERE j = {j} GROUP BY whole, agency, item")
