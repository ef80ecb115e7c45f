"""ConsumedCapacity as AWS reports it (when the request asks with ReturnConsumedCapacity).

Units follow the documented sizing: a write costs one unit per started KB of
the larger of the old and new item, a read one unit per started 4 KB (half for
eventually consistent reads), Query/Scan are sized on everything read before
filtering, transactions cost double.  Only transactional operations report the
Read/WriteCapacityUnits split; the others report ``CapacityUnits`` alone.
"""
from __future__ import annotations

import math


def write_units(*sizes: int) -> float:
    return float(max(1, math.ceil(max(sizes or (0,)) / 1024)))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units if consistent else units / 2)


def report(mode: str, table_name: str, units: float, indexes: dict | None = None,
           split: str | None = None) -> dict | None:
    """The ConsumedCapacity member; ``indexes`` maps (kind, name) -> units; ``split`` 'Read'/'Write'."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    indexes = indexes or {}
    total = units + sum(indexes.values())
    out = {"TableName": table_name, "CapacityUnits": total}
    if split:
        out[f"{split}CapacityUnits"] = total
    if mode == "INDEXES":
        out["Table"] = _units(units, split)
        for (kind, name), value in indexes.items():
            field = "GlobalSecondaryIndexes" if kind == "GSI" else "LocalSecondaryIndexes"
            out.setdefault(field, {})[name] = _units(value, split)
    return out


def _units(value: float, split: str | None) -> dict:
    out = {"CapacityUnits": value}
    if split:
        out[f"{split}CapacityUnits"] = value
    return out


def index_write_units(table, old: dict | None, new: dict | None) -> dict:
    """Write units spent keeping each secondary index current."""
    out = {}
    for index in table.index_list:
        before = index.entry_key(old) if old is not None else None
        after = index.entry_key(new) if new is not None else None
        if before is None and after is None:
            continue
        out[(index.kind, index.name)] = 2.0 if before is not None and after is not None and before != after else 1.0
    return out
