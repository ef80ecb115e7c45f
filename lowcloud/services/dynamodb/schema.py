"""A table's key schema and secondary indexes, as an in-memory object.

``Table`` is rebuilt from the stored description whenever it changes and kept
in the service's cache, so every item operation gets its key names, key types
and index projections without touching SQLite or re-reading JSON.  It turns
items and keys into the storage key ``(bucket, pk bytes, sk bytes)`` and
raises AWS's exact messages for bad keys.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.types import (INVALID, MAX_HASH_KEY_BYTES, MAX_RANGE_KEY_BYTES, key_bytes,
                                              number_key, partition_bucket, type_of)

SCHEMA_MISMATCH = "The provided key element does not match the schema"


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


class Index:
    """One GSI or LSI: its keys, projection, and storage number ``ix``."""

    def __init__(self, desc: dict, kind: str, ix: int, types: dict, table_keys: tuple):
        self.name, self.kind, self.ix, self.desc = desc["IndexName"], kind, ix, desc
        self.hash_name, self.range_name = _key_names(desc["KeySchema"])
        self.hash_type = types[self.hash_name]
        self.range_type = types.get(self.range_name) if self.range_name else None
        projection = desc.get("Projection", {})
        self.projection_type = projection.get("ProjectionType", "ALL")
        self.key_names = tuple(dict.fromkeys((self.hash_name,) + ((self.range_name,) if self.range_name else ())
                                             + table_keys))
        self.projected = set(self.key_names) | set(projection.get("NonKeyAttributes", ()))

    def entry_key(self, item: dict):
        """(bucket, pk, sk) of ``item`` in this index, or None when the item is not indexed (sparse)."""
        pk = _indexable(item.get(self.hash_name), self.hash_type)
        sk = _indexable(item.get(self.range_name), self.range_type) if self.range_name else b""
        if pk is None or sk is None:
            return None
        return partition_bucket(pk), pk, sk

    def project(self, item: dict) -> dict:
        if self.projection_type == "ALL":
            return item
        return {k: v for k, v in item.items() if k in self.projected}


class Table:
    """Key schema + indexes of one table, and the stored description it came from."""

    def __init__(self, tid: int, desc: dict):
        self.tid, self.desc, self.name = tid, desc, desc["TableName"]
        types = {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]}
        self.hash_name, self.range_name = _key_names(desc["KeySchema"])
        self.hash_type = types[self.hash_name]
        self.range_type = types.get(self.range_name) if self.range_name else None
        self.key_names = (self.hash_name,) + ((self.range_name,) if self.range_name else ())
        self.key_types = tuple((name, types.get(name)) for name in self.key_names)
        self.indexes: dict[str, Index] = {}
        for kind, field in (("GSI", "GlobalSecondaryIndexes"), ("LSI", "LocalSecondaryIndexes")):
            for idx in desc.get(field, ()):
                ix = desc["_ix"][idx["IndexName"]]
                self.indexes[idx["IndexName"]] = Index(idx, kind, ix, types, self.key_names)
        self.index_list = sorted(self.indexes.values(), key=lambda i: i.name)
        self.has_lsi = any(i.kind == "LSI" for i in self.index_list)
        self.ttl_attribute = desc.get("_ttl")

    # --- keys ----------------------------------------------------------------------
    def item_key(self, item: dict, mismatch: str | None = None):
        """Storage key of a full item; ``mismatch`` replaces the type-mismatch message (batch writes)."""
        pk = self._part(item, self.hash_name, self.hash_type, mismatch)
        sk = self._part(item, self.range_name, self.range_type, mismatch) if self.range_name else b""
        if len(pk) > MAX_HASH_KEY_BYTES or len(sk) > MAX_RANGE_KEY_BYTES:
            self._check_sizes(pk, sk)
        return partition_bucket(pk), pk, sk

    def _part(self, item: dict, name: str, kind: str, mismatch: str | None) -> bytes:
        av = item.get(name)
        if av is None:
            raise invalid(INVALID + f"Missing the key {name} in the item")
        if kind not in av or len(av) != 1:
            actual = type_of(av)
            if actual != kind:
                raise invalid(mismatch or INVALID + f"Type mismatch for key {name} expected: {kind} actual: {actual}")
        value = av[kind]
        if kind == "N":  # _non_empty's common cases, inline
            return number_key(value)
        if kind == "S" and value:
            return value.encode("utf-8")
        return _non_empty(name, kind, value)

    def key_of(self, key: dict):
        """Storage key of a ``Key`` parameter: exactly the key attributes, right types."""
        if type(key) is not dict or len(key) != len(self.key_names):
            raise invalid(SCHEMA_MISMATCH)
        parts = []
        for name, kind in self.key_types:
            av = key.get(name)
            if av is None or type(av) is not dict or type_of(av) != kind:
                raise invalid(SCHEMA_MISMATCH)
            parts.append(_non_empty(name, kind, av[kind]))
        pk, sk = parts[0], parts[1] if len(parts) > 1 else b""
        self._check_sizes(pk, sk)
        return partition_bucket(pk), pk, sk

    @staticmethod
    def _check_sizes(pk: bytes, sk: bytes) -> None:
        if len(pk) > MAX_HASH_KEY_BYTES:
            raise invalid(INVALID + f"Size of hashkey has exceeded the maximum size limit of{MAX_HASH_KEY_BYTES} bytes")
        if len(sk) > MAX_RANGE_KEY_BYTES:
            raise invalid(INVALID + "Aggregated size of all range keys has exceeded the size limit of "
                          f"{MAX_RANGE_KEY_BYTES} bytes")

    def key_attributes(self, item: dict) -> dict:
        return {name: item[name] for name in self.key_names}

    def check_index_keys(self, item: dict, via_update: bool = False) -> None:
        """AWS rejects an item whose index key attribute has the wrong type or is empty."""
        for index in self.index_list:
            for name, kind in ((index.hash_name, index.hash_type), (index.range_name, index.range_type)):
                av = item.get(name) if name else None
                if av is None or name in self.key_names:
                    continue
                _check_index_value(index.name, name, kind, av, via_update)


def _check_index_value(index: str, name: str, kind: str, av: dict, via_update: bool) -> None:
    actual = type_of(av)
    if actual != kind:
        raise invalid(INVALID + f"Type mismatch for Index Key {name} Expected: {kind} Actual: {actual} IndexName: {index}")
    if len(av[kind]) == 0:
        word = "string" if kind == "S" else "binary"
        lead = ("The update expression attempted to update a secondary index key to a value that is not supported"
                if via_update else "A value specified for a secondary index key is not supported")
        raise invalid(f"One or more parameter values are not valid. {lead}. The AttributeValue for a key attribute "
                      f"cannot contain an empty {word} value. IndexName: {index}, IndexKey: {name}")


def _indexable(av, kind: str):
    """Key bytes of an index key value; None when missing, of another type, or an empty S/B (skipped
    when an index is backfilled over items written before it existed)."""
    if av is None or type_of(av) != kind or (kind != "N" and len(av[kind]) == 0):
        return None
    return key_bytes(kind, av[kind])


def _non_empty(name: str, kind: str, value) -> bytes:
    if kind != "N" and len(value) == 0:
        word = "string" if kind == "S" else "binary"
        raise invalid("One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                      f"contain an empty {word} value. Key: {name}")
    return key_bytes(kind, value)


def _key_names(key_schema: list) -> tuple:
    hash_name = next(k["AttributeName"] for k in key_schema if k["KeyType"] == "HASH")
    range_name = next((k["AttributeName"] for k in key_schema if k["KeyType"] == "RANGE"), None)
    return hash_name, range_name
