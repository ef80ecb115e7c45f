"""Lambda's resources in one SQLite file per region, each kept as a JSON document.

A function's ``$LATEST`` configuration, each published version, alias, resource
policy, layer version and event source mapping is stored as the dict the API
returns (plus a few ``_``-prefixed internal fields such as the code id), so
reading a resource is one row and answering is stripping the internals.  Two
tables hold the mutable runtime facts that must survive a restart: stream
positions of event source mappings and the queue of asynchronous invocations.
Function URLs are also found by their URL id (the gateway serves them by host), so
that id is a column of its own.
"""
from __future__ import annotations

import json

SCHEMA = """
CREATE TABLE IF NOT EXISTS functions(name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions(name TEXT, version INTEGER, doc TEXT NOT NULL, PRIMARY KEY(name, version));
CREATE TABLE IF NOT EXISTS aliases(name TEXT, alias TEXT, doc TEXT NOT NULL, PRIMARY KEY(name, alias));
CREATE TABLE IF NOT EXISTS policies(name TEXT, qualifier TEXT, doc TEXT NOT NULL, PRIMARY KEY(name, qualifier));
CREATE TABLE IF NOT EXISTS invoke_configs(name TEXT, qualifier TEXT, doc TEXT NOT NULL, PRIMARY KEY(name, qualifier));
CREATE TABLE IF NOT EXISTS tags(arn TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS layers(name TEXT, version INTEGER, doc TEXT NOT NULL, PRIMARY KEY(name, version));
CREATE TABLE IF NOT EXISTS layer_counters(name TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mappings(uuid TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions(uuid TEXT, shard TEXT, seq TEXT NOT NULL, PRIMARY KEY(uuid, shard));
CREATE TABLE IF NOT EXISTS async_events(id TEXT PRIMARY KEY, doc TEXT NOT NULL, payload BLOB);
CREATE TABLE IF NOT EXISTS url_configs(name TEXT, qualifier TEXT, url_id TEXT UNIQUE, doc TEXT NOT NULL,
                                       PRIMARY KEY(name, qualifier));
CREATE TABLE IF NOT EXISTS provisioned(name TEXT, qualifier TEXT, doc TEXT NOT NULL, PRIMARY KEY(name, qualifier));
CREATE TABLE IF NOT EXISTS settings(name TEXT, kind TEXT, qualifier TEXT, doc TEXT NOT NULL,
                                    PRIMARY KEY(name, kind, qualifier));
CREATE TABLE IF NOT EXISTS signing_configs(arn TEXT PRIMARY KEY, doc TEXT NOT NULL);
"""
FUNCTION_TABLES = ("functions", "versions", "aliases", "policies", "invoke_configs", "url_configs", "provisioned",
                   "settings")
QUALIFIED_TABLES = ("policies", "invoke_configs", "url_configs", "provisioned", "settings")


def public(doc: dict) -> dict:
    """The document without lowcloud's internal ``_`` fields."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class Store:
    def __init__(self, db):
        self.db = db
        db.script(SCHEMA)

    # --- generic keyed documents ------------------------------------------------
    def _get(self, table: str, where: str, args: tuple) -> dict | None:
        row = self.db.one(f"SELECT doc FROM {table} WHERE {where}", args)
        return json.loads(row[0]) if row else None

    def _all(self, table: str, where: str = "1", args: tuple = (), order: str = "rowid") -> list[dict]:
        rows = self.db.all(f"SELECT doc FROM {table} WHERE {where} ORDER BY {order}", args)
        return [json.loads(r[0]) for r in rows]

    def _put(self, table: str, keys: tuple, doc: dict) -> None:
        marks = ",".join("?" * (len(keys) + 1))
        self.db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", (*keys, json.dumps(doc)))

    # --- functions and versions -------------------------------------------------------
    def function(self, name: str) -> dict | None:
        return self._get("functions", "name=?", (name,))

    def functions(self) -> list[dict]:
        return self._all("functions", order="name")

    def put_function(self, doc: dict) -> None:
        self._put("functions", (doc["FunctionName"],), doc)

    def delete_function(self, name: str) -> None:
        with self.db.transaction() as conn:
            for table in FUNCTION_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE name=?", (name,))

    def version(self, name: str, version: str) -> dict | None:
        return self._get("versions", "name=? AND version=?", (name, int(version)))

    def versions(self, name: str) -> list[dict]:
        return self._all("versions", "name=?", (name,), order="version")

    def put_version(self, doc: dict) -> None:
        self._put("versions", (doc["FunctionName"], int(doc["Version"])), doc)

    def delete_version(self, name: str, version: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM versions WHERE name=? AND version=?", (name, int(version)))
            for table in QUALIFIED_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE name=? AND qualifier=?", (name, version))

    # --- aliases ------------------------------------------------------------------------
    def alias(self, name: str, alias: str) -> dict | None:
        return self._get("aliases", "name=? AND alias=?", (name, alias))

    def aliases(self, name: str) -> list[dict]:
        return self._all("aliases", "name=?", (name,), order="alias")

    def put_alias(self, name: str, doc: dict) -> None:
        self._put("aliases", (name, doc["Name"]), doc)

    def delete_alias(self, name: str, alias: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM aliases WHERE name=? AND alias=?", (name, alias))
            for table in QUALIFIED_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE name=? AND qualifier=?", (name, alias))

    # --- per-qualifier documents: resource policies, event invoke configs ---------------
    def policy(self, name: str, qualifier: str) -> dict | None:
        return self._get("policies", "name=? AND qualifier=?", (name, qualifier))

    def put_policy(self, name: str, qualifier: str, doc: dict | None) -> None:
        if doc is None:
            self.db.execute("DELETE FROM policies WHERE name=? AND qualifier=?", (name, qualifier))
        else:
            self._put("policies", (name, qualifier), doc)

    def invoke_config(self, name: str, qualifier: str) -> dict | None:
        return self._get("invoke_configs", "name=? AND qualifier=?", (name, qualifier))

    def invoke_configs(self, name: str) -> list[dict]:
        return self._all("invoke_configs", "name=?", (name,))

    def put_invoke_config(self, name: str, qualifier: str, doc: dict | None) -> None:
        if doc is None:
            self.db.execute("DELETE FROM invoke_configs WHERE name=? AND qualifier=?", (name, qualifier))
        else:
            self._put("invoke_configs", (name, qualifier), doc)

    # --- function URLs, provisioned concurrency, per-function settings ---------------------
    def url_config(self, name: str, qualifier: str) -> dict | None:
        return self._get("url_configs", "name=? AND qualifier=?", (name, qualifier))

    def url_config_by_id(self, url_id: str) -> dict | None:
        return self._get("url_configs", "url_id=?", (url_id,))

    def url_configs(self, name: str) -> list[dict]:
        return self._all("url_configs", "name=?", (name,))

    def put_url_config(self, name: str, qualifier: str, doc: dict | None) -> None:
        if doc is None:
            self.db.execute("DELETE FROM url_configs WHERE name=? AND qualifier=?", (name, qualifier))
        else:
            self._put("url_configs", (name, qualifier, doc["_url_id"]), doc)

    def provisioned(self, name: str, qualifier: str) -> dict | None:
        return self._get("provisioned", "name=? AND qualifier=?", (name, qualifier))

    def provisioned_all(self, name: str) -> list[tuple[str, dict]]:
        """(qualifier, config) of each provisioned-concurrency config of the function, oldest first."""
        rows = self.db.all("SELECT qualifier, doc FROM provisioned WHERE name=? ORDER BY rowid", (name,))
        return [(r[0], json.loads(r[1])) for r in rows]

    def put_provisioned(self, name: str, qualifier: str, doc: dict | None) -> None:
        if doc is None:
            self.db.execute("DELETE FROM provisioned WHERE name=? AND qualifier=?", (name, qualifier))
        else:
            self._put("provisioned", (name, qualifier), doc)

    def setting(self, name: str, kind: str, qualifier: str = "") -> dict | None:
        """A small per-function (or per-qualifier) settings document: runtime management, recursion, code signing."""
        return self._get("settings", "name=? AND kind=? AND qualifier=?", (name, kind, qualifier))

    def settings_of_kind(self, kind: str) -> list[tuple[str, dict]]:
        rows = self.db.all("SELECT name, doc FROM settings WHERE kind=? ORDER BY name", (kind,))
        return [(r[0], json.loads(r[1])) for r in rows]

    def put_setting(self, name: str, kind: str, doc: dict | None, qualifier: str = "") -> None:
        if doc is None:
            self.db.execute("DELETE FROM settings WHERE name=? AND kind=? AND qualifier=?", (name, kind, qualifier))
        else:
            self._put("settings", (name, kind, qualifier), doc)

    # --- code signing configs (account-level, region-scoped) ------------------------------
    def signing_config(self, arn: str) -> dict | None:
        return self._get("signing_configs", "arn=?", (arn,))

    def signing_configs(self) -> list[dict]:
        return self._all("signing_configs")

    def put_signing_config(self, arn: str, doc: dict | None) -> None:
        if doc is None:
            self.db.execute("DELETE FROM signing_configs WHERE arn=?", (arn,))
        else:
            self._put("signing_configs", (arn,), doc)

    # --- tags -------------------------------------------------------------------------
    def tags(self, arn: str) -> dict:
        return self._get("tags", "arn=?", (arn,)) or {}

    def put_tags(self, arn: str, tags: dict) -> None:
        if tags:
            self._put("tags", (arn,), tags)
        else:
            self.db.execute("DELETE FROM tags WHERE arn=?", (arn,))

    # --- layers ---------------------------------------------------------------------------
    def next_layer_version(self, name: str) -> int:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT last FROM layer_counters WHERE name=?", (name,)).fetchone()
            number = (row[0] if row else 0) + 1
            conn.execute("INSERT OR REPLACE INTO layer_counters VALUES (?,?)", (name, number))
        return number

    def layer_version(self, name: str, version: int) -> dict | None:
        return self._get("layers", "name=? AND version=?", (name, int(version)))

    def layer_versions(self, name: str | None = None) -> list[dict]:
        if name is None:
            return self._all("layers", order="name, version")
        return self._all("layers", "name=?", (name,), order="version")

    def put_layer_version(self, name: str, version: int, doc: dict) -> None:
        self._put("layers", (name, int(version)), doc)

    def delete_layer_version(self, name: str, version: int) -> None:
        self.db.execute("DELETE FROM layers WHERE name=? AND version=?", (name, int(version)))

    # --- event source mappings and their stream positions -------------------------------
    def mapping(self, uuid: str) -> dict | None:
        return self._get("mappings", "uuid=?", (uuid,))

    def mappings(self) -> list[dict]:
        return self._all("mappings")

    def put_mapping(self, doc: dict) -> None:
        self._put("mappings", (doc["UUID"],), doc)

    def delete_mapping(self, uuid: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM mappings WHERE uuid=?", (uuid,))
            conn.execute("DELETE FROM positions WHERE uuid=?", (uuid,))

    def position(self, uuid: str, shard: str) -> str | None:
        row = self.db.one("SELECT seq FROM positions WHERE uuid=? AND shard=?", (uuid, shard))
        return row[0] if row else None

    def set_position(self, uuid: str, shard: str, seq: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO positions VALUES (?,?,?)", (uuid, shard, seq))

    # --- queued asynchronous invocations --------------------------------------------------
    def put_event(self, event_id: str, doc: dict, payload: bytes | None = None) -> None:
        if payload is None:
            self.db.execute("UPDATE async_events SET doc=? WHERE id=?", (json.dumps(doc), event_id))
        else:
            self.db.execute("INSERT OR REPLACE INTO async_events VALUES (?,?,?)", (event_id, json.dumps(doc), payload))

    def event(self, event_id: str) -> tuple[dict, bytes] | None:
        row = self.db.one("SELECT doc, payload FROM async_events WHERE id=?", (event_id,))
        return (json.loads(row[0]), bytes(row[1])) if row else None

    def event_ids(self) -> list[str]:
        return [r[0] for r in self.db.all("SELECT id FROM async_events ORDER BY rowid")]

    def delete_event(self, event_id: str) -> None:
        self.db.execute("DELETE FROM async_events WHERE id=?", (event_id,))
