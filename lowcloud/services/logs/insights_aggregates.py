"""The ``stats`` command: grouping records and AWS's aggregate functions.

Groups keep the order their first record arrived in (records come newest
first, so ``bin()`` groups are newest first too).  A stats item is an
aggregate or an expression over aggregates and literals
(``sum(bytes)/1024/1024 as mb``, ``round(avg(ms))``); a field outside every
aggregate is a MalformedQueryException, as on AWS.  Each aggregate sees the
present values of its argument; ``count(*)`` counts records.  A statistic
over no values is left out of its row.  A query may aggregate twice: the
second stats runs over the first one's rows.
"""
from __future__ import annotations

import math
import statistics

from lowcloud.services.logs.insights_values import apply_function, binary, number


def _numbers(values: list) -> list[float]:
    return [n for n in map(number, values) if n is not None]


def _extreme(pick):
    def aggregate(values: list, records: list, extra: list):
        numbers = _numbers(values)
        if numbers and len(numbers) == len(values):
            best = pick(range(len(values)), key=lambda i: numbers[i])
            return values[best] if isinstance(values[best], int) else numbers[best]
        return pick(values, key=str) if values else None
    return aggregate


def _percentile(values: list, records: list, extra: list):
    numbers = sorted(_numbers(values))
    if not numbers or not extra or number(extra[0]) is None:
        return None
    rank = max(1, math.ceil(number(extra[0]) / 100 * len(numbers)))
    return numbers[min(rank, len(numbers)) - 1]


def _by_time(pick):
    def aggregate(values: list, records: list, extra: list):
        pairs = [(r.get("@timestamp") or 0, v) for r, v in zip(records, values)]
        return pick(pairs, key=lambda p: p[0])[1] if pairs else None
    return aggregate


def _mean(values: list, records: list, extra: list):
    numbers = _numbers(values)
    return statistics.fmean(numbers) if numbers else None


def _sum(values: list, records: list, extra: list):
    numbers = _numbers(values)
    return sum(numbers) if numbers else None


def _stddev(values: list, records: list, extra: list):
    numbers = _numbers(values)
    return statistics.stdev(numbers) if len(numbers) > 1 else (0.0 if numbers else None)


AGGREGATES = {
    "count": lambda values, records, extra: len(values),
    "count_distinct": lambda values, records, extra: len({str(v) for v in values}),
    "sum": _sum, "avg": _mean, "min": _extreme(min), "max": _extreme(max), "stddev": _stddev,
    "pct": _percentile, "percentile": _percentile,
    "earliest": _by_time(min), "latest": _by_time(max),
}


def aggregates_only(expr: tuple) -> bool | None:
    """True: built from aggregates (and literals); None: no aggregate in it; False: a bare field in it."""
    kind = expr[0]
    if kind == "call" and expr[1] in AGGREGATES:
        return True
    if kind in ("field", "star"):
        return False
    if kind in ("lit", "regex"):
        return None
    children = expr[2] if kind == "call" else (expr[1] if kind == "list" else expr[1:])
    shapes = [aggregates_only(c) for c in children if isinstance(c, tuple)]
    if False in shapes:
        return False
    return True if True in shapes else None


def check_stats(items: list, malformed) -> None:
    """Every stats item must be computed from aggregates; AWS's MalformedQueryException otherwise."""
    for expr, label in items:
        if aggregates_only(expr) is not True:
            raise malformed(f"Expression {label} in stats must be an aggregate function")


def aggregate_rows(records: list[dict], cmd, evaluate) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        key = tuple(_key(evaluate(expr, record)) for expr, _ in cmd.by)
        groups.setdefault(key, []).append(record)
    return [_row(members, cmd, evaluate) for members in groups.values()]


def _key(value):
    return value if isinstance(value, (int, float, str, type(None))) else str(value)


def _row(members: list[dict], cmd, evaluate) -> dict:
    row = {label: evaluate(expr, members[0]) for expr, label in cmd.by}
    for expr, label in cmd.items:
        row[label] = _value(expr, members, evaluate)
    return row


def _value(expr: tuple, members: list[dict], evaluate):
    """An aggregate expression over one group's records."""
    kind = expr[0]
    if kind == "call" and expr[1] in AGGREGATES:
        return _aggregate(expr, members, evaluate)
    if kind == "lit":
        return expr[1]
    if kind == "neg":
        inner = number(_value(expr[1], members, evaluate))
        return None if inner is None else -inner
    if kind == "call":
        return apply_function(expr[1], [_value(a, members, evaluate) for a in expr[2]])
    return binary(kind, _value(expr[1], members, evaluate), _value(expr[2], members, evaluate))


def _aggregate(expr: tuple, members: list[dict], evaluate):
    name, args = expr[1], expr[2]
    if args and args[0] != ("star",):
        pairs = [(r, v) for r in members if (v := evaluate(args[0], r)) is not None]
    else:
        pairs = [(r, 1) for r in members]
    extra = [evaluate(a, members[0]) if members else None for a in args[1:]]
    return AGGREGATES[name]([v for _, v in pairs], [r for r, _ in pairs], extra)
