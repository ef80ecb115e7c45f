"""IAM state in one SQLite database (IAM is global: one per Cloud).

Entity names are unique regardless of case, as in IAM, so names use
``COLLATE NOCASE``.  Inline policies, managed-policy attachments and tags are
keyed by (kind, owner) so roles, users and groups share one implementation;
``kind`` is "role", "user", "group", "policy", "instance-profile" or a
provider kind.  Entities with no relations of their own (identity providers,
the account's alias and password policy, service-linked role deletion tasks)
are JSON ``records`` keyed by (kind, name).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from lowcloud.storage.sqlite import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS roles (
  name TEXT PRIMARY KEY COLLATE NOCASE, id TEXT NOT NULL, path TEXT NOT NULL, created INTEGER NOT NULL,
  trust TEXT NOT NULL, description TEXT, max_session INTEGER NOT NULL DEFAULT 3600, boundary TEXT);
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY COLLATE NOCASE, id TEXT NOT NULL, path TEXT NOT NULL, created INTEGER NOT NULL,
  boundary TEXT);
CREATE TABLE IF NOT EXISTS inline_policies (
  kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  document TEXT NOT NULL, PRIMARY KEY (kind, owner, name));
CREATE TABLE IF NOT EXISTS policies (
  arn TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, id TEXT NOT NULL, path TEXT NOT NULL,
  description TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL, default_version TEXT NOT NULL,
  next_version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS policy_versions (
  arn TEXT NOT NULL, version TEXT NOT NULL, document TEXT NOT NULL, created INTEGER NOT NULL,
  PRIMARY KEY (arn, version));
CREATE TABLE IF NOT EXISTS attachments (
  kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE, arn TEXT NOT NULL, PRIMARY KEY (kind, owner, arn));
CREATE TABLE IF NOT EXISTS access_keys (
  id TEXT PRIMARY KEY, user TEXT NOT NULL COLLATE NOCASE, secret TEXT NOT NULL, status TEXT NOT NULL,
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
  name TEXT PRIMARY KEY COLLATE NOCASE, id TEXT NOT NULL, path TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS profile_roles (
  profile TEXT NOT NULL COLLATE NOCASE, role TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY (profile, role));
CREATE TABLE IF NOT EXISTS groups (
  name TEXT PRIMARY KEY COLLATE NOCASE, id TEXT NOT NULL, path TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS group_members (
  grp TEXT NOT NULL COLLATE NOCASE, user TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY (grp, user));
CREATE TABLE IF NOT EXISTS records (
  kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, name));
CREATE TABLE IF NOT EXISTS tags (
  kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE, key TEXT NOT NULL COLLATE NOCASE,
  value TEXT NOT NULL, PRIMARY KEY (kind, owner, key));
"""


@dataclass
class Role:
    name: str
    id: str
    path: str
    created: int
    trust: str
    description: str | None
    max_session: int
    boundary: str | None


@dataclass
class User:
    name: str
    id: str
    path: str
    created: int
    boundary: str | None


@dataclass
class Policy:
    arn: str
    name: str
    id: str
    path: str
    description: str | None
    created: int
    updated: int
    default_version: str
    next_version: int


@dataclass
class Profile:
    name: str
    id: str
    path: str
    created: int


@dataclass
class Group:
    name: str
    id: str
    path: str
    created: int


ROLE_COLUMNS = "name, id, path, created, trust, description, max_session, boundary"
POLICY_COLUMNS = "arn, name, id, path, description, created, updated, default_version, next_version"


class IamStore:
    def __init__(self, db: Database):
        self.db = db
        db.script(SCHEMA)

    def insert(self, table: str, row: dict) -> bool:
        """INSERT unless the primary/unique key exists; False when it did."""
        with self.db.transaction() as conn:
            cursor = conn.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(row)}) "
                                  f"VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
            return cursor.rowcount == 1

    # --- roles, users, profiles ------------------------------------------
    def role(self, name: str) -> Role | None:
        row = self.db.one(f"SELECT {ROLE_COLUMNS} FROM roles WHERE name=?", (name,))
        return Role(*row) if row else None

    def roles(self) -> list[Role]:
        return [Role(*r) for r in self.db.all(f"SELECT {ROLE_COLUMNS} FROM roles ORDER BY name")]

    def update_role(self, name: str, **fields) -> None:
        sets = ", ".join(f"{k}=?" for k in fields)
        self.db.execute(f"UPDATE roles SET {sets} WHERE name=?", (*fields.values(), name))

    def user(self, name: str) -> User | None:
        row = self.db.one("SELECT name, id, path, created, boundary FROM users WHERE name=?", (name,))
        return User(*row) if row else None

    def users(self) -> list[User]:
        return [User(*r) for r in self.db.all("SELECT name, id, path, created, boundary FROM users ORDER BY name")]

    def profile(self, name: str) -> Profile | None:
        row = self.db.one("SELECT name, id, path, created FROM profiles WHERE name=?", (name,))
        return Profile(*row) if row else None

    def profiles(self, role: str | None = None) -> list[Profile]:
        if role is None:
            rows = self.db.all("SELECT name, id, path, created FROM profiles ORDER BY name")
        else:
            rows = self.db.all("SELECT p.name, p.id, p.path, p.created FROM profiles p JOIN profile_roles r "
                               "ON r.profile = p.name WHERE r.role=? ORDER BY p.name", (role,))
        return [Profile(*r) for r in rows]

    def profile_roles(self, profile: str) -> list[str]:
        return [r[0] for r in self.db.all("SELECT role FROM profile_roles WHERE profile=? ORDER BY role", (profile,))]

    def set_boundary(self, table: str, name: str, arn: str | None) -> None:
        self.db.execute(f"UPDATE {table} SET boundary=? WHERE name=?", (arn, name))

    def boundary_usage(self, arn: str) -> int:
        """How many roles and users have ``arn`` as their permissions boundary."""
        row = self.db.one("SELECT (SELECT COUNT(*) FROM roles WHERE boundary=?) + "
                          "(SELECT COUNT(*) FROM users WHERE boundary=?)", (arn, arn))
        return row[0]

    def boundary_holders(self, arn: str) -> list[tuple[str, str]]:
        rows = self.db.all("SELECT 'role', name FROM roles WHERE boundary=? UNION ALL "
                           "SELECT 'user', name FROM users WHERE boundary=?", (arn, arn))
        return [tuple(r) for r in rows]

    def count(self, table: str) -> int:
        return self.db.one(f"SELECT COUNT(*) FROM {table}")[0]

    def delete_entity(self, kind: str, table: str, name: str) -> None:
        """Remove an entity with its tags (its policies and links were checked to be gone)."""
        with self.db.transaction() as conn:
            conn.execute(f"DELETE FROM {table} WHERE name=?", (name,))
            conn.execute("DELETE FROM tags WHERE kind=? AND owner=?", (kind, name))

    # --- groups and their members ------------------------------------------
    def group(self, name: str) -> Group | None:
        row = self.db.one("SELECT name, id, path, created FROM groups WHERE name=?", (name,))
        return Group(*row) if row else None

    def groups(self, user: str | None = None) -> list[Group]:
        if user is None:
            rows = self.db.all("SELECT name, id, path, created FROM groups ORDER BY name")
        else:
            rows = self.db.all("SELECT g.name, g.id, g.path, g.created FROM groups g JOIN group_members m "
                               "ON m.grp = g.name WHERE m.user=? ORDER BY g.name", (user,))
        return [Group(*r) for r in rows]

    def members(self, group: str) -> list[User]:
        rows = self.db.all("SELECT u.name, u.id, u.path, u.created, u.boundary FROM users u JOIN group_members m "
                           "ON m.user = u.name WHERE m.grp=? ORDER BY u.name", (group,))
        return [User(*r) for r in rows]

    def membership(self, group: str, user: str, add: bool) -> bool:
        sql = ("INSERT OR IGNORE INTO group_members VALUES (?,?)" if add
               else "DELETE FROM group_members WHERE grp=? AND user=?")
        return self.db.execute(sql, (group, user)).rowcount == 1

    def rename_group(self, old: str, new: str, path: str) -> None:
        """Move a group and everything keyed by its name to ``new``."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE groups SET name=?, path=? WHERE name=?", (new, path, old))
            conn.execute("UPDATE group_members SET grp=? WHERE grp=?", (new, old))
            for table in ("inline_policies", "attachments"):
                conn.execute(f"UPDATE {table} SET owner=? WHERE kind='group' AND owner=?", (new, old))

    # --- records: JSON bodies keyed by (kind, name) ---------------------------
    def record(self, kind: str, name: str) -> dict | None:
        row = self.db.one("SELECT body FROM records WHERE kind=? AND name=?", (kind, name))
        return json.loads(row[0]) if row else None

    def records(self, kind: str) -> list[tuple[str, dict]]:
        rows = self.db.all("SELECT name, body FROM records WHERE kind=? ORDER BY name", (kind,))
        return [(name, json.loads(body)) for name, body in rows]

    def put_record(self, kind: str, name: str, body: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?,?,?)", (kind, name, json.dumps(body)))

    def delete_record(self, kind: str, name: str) -> bool:
        cursor = self.db.execute("DELETE FROM records WHERE kind=? AND name=?", (kind, name))
        return cursor.rowcount == 1

    # --- inline policies and attachments ---------------------------------
    def inline(self, kind: str, owner: str, name: str) -> tuple[str, str] | None:
        """(stored name, document) of an inline policy."""
        return self.db.one("SELECT name, document FROM inline_policies WHERE kind=? AND owner=? AND name=?",
                           (kind, owner, name))

    def inline_names(self, kind: str, owner: str) -> list[str]:
        rows = self.db.all("SELECT name FROM inline_policies WHERE kind=? AND owner=? ORDER BY name", (kind, owner))
        return [r[0] for r in rows]

    def inline_documents(self, kind: str, owner: str) -> dict[str, str]:
        return dict(self.db.all("SELECT name, document FROM inline_policies WHERE kind=? AND owner=?", (kind, owner)))

    def put_inline(self, kind: str, owner: str, name: str, document: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM inline_policies WHERE kind=? AND owner=? AND name=?", (kind, owner, name))
            conn.execute("INSERT INTO inline_policies VALUES (?,?,?,?)", (kind, owner, name, document))

    def delete_inline(self, kind: str, owner: str, name: str) -> bool:
        cursor = self.db.execute("DELETE FROM inline_policies WHERE kind=? AND owner=? AND name=?", (kind, owner, name))
        return cursor.rowcount == 1

    def attached(self, kind: str, owner: str) -> list[str]:
        rows = self.db.all("SELECT arn FROM attachments WHERE kind=? AND owner=? ORDER BY arn", (kind, owner))
        return [r[0] for r in rows]

    def attach(self, kind: str, owner: str, arn: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO attachments VALUES (?,?,?)", (kind, owner, arn))

    def detach(self, kind: str, owner: str, arn: str) -> bool:
        cursor = self.db.execute("DELETE FROM attachments WHERE kind=? AND owner=? AND arn=?", (kind, owner, arn))
        return cursor.rowcount == 1

    def attachments_of(self, arn: str) -> list[tuple[str, str]]:
        """(kind, owner) of every entity ``arn`` is attached to."""
        return [tuple(r) for r in self.db.all("SELECT kind, owner FROM attachments WHERE arn=? ORDER BY kind, owner",
                                              (arn,))]

    # --- managed policies --------------------------------------------------
    def policy(self, arn: str) -> Policy | None:
        row = self.db.one(f"SELECT {POLICY_COLUMNS} FROM policies WHERE arn=?", (arn,))
        return Policy(*row) if row else None

    def policies(self) -> list[Policy]:
        return [Policy(*r) for r in self.db.all(f"SELECT {POLICY_COLUMNS} FROM policies ORDER BY name")]

    def versions(self, arn: str) -> list[tuple[str, str, int]]:
        """(version, document, created) newest first."""
        rows = self.db.all("SELECT version, document, created FROM policy_versions WHERE arn=?", (arn,))
        return sorted((tuple(r) for r in rows), key=lambda r: int(r[0][1:]), reverse=True)

    def add_version(self, arn: str, document: str, now: int, make_default: bool) -> str:
        with self.db.transaction() as conn:
            number = conn.execute("SELECT next_version FROM policies WHERE arn=?", (arn,)).fetchone()[0]
            version = f"v{number}"
            conn.execute("INSERT INTO policy_versions VALUES (?,?,?,?)", (arn, version, document, now))
            conn.execute("UPDATE policies SET next_version = next_version + 1, updated = ? WHERE arn=?", (now, arn))
            if make_default:
                conn.execute("UPDATE policies SET default_version=? WHERE arn=?", (version, arn))
        return version

    def set_default(self, arn: str, version: str, now: int) -> None:
        self.db.execute("UPDATE policies SET default_version=?, updated=? WHERE arn=?", (version, now, arn))

    def delete_version(self, arn: str, version: str) -> bool:
        cursor = self.db.execute("DELETE FROM policy_versions WHERE arn=? AND version=?", (arn, version))
        return cursor.rowcount == 1

    def delete_policy(self, arn: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM policies WHERE arn=?", (arn,))
            conn.execute("DELETE FROM policy_versions WHERE arn=?", (arn,))
            conn.execute("DELETE FROM tags WHERE kind='policy' AND owner=?", (arn,))

    # --- access keys, profile links ------------------------------------------
    def access_keys(self, user: str) -> list[tuple]:
        """(id, user, secret, status, created) of a user's keys, oldest first."""
        return [tuple(r) for r in self.db.all("SELECT id, user, secret, status, created FROM access_keys "
                                              "WHERE user=? ORDER BY created, id", (user,))]

    def access_key(self, key_id: str) -> tuple | None:
        return self.db.one("SELECT id, user, secret, status, created FROM access_keys WHERE id=?", (key_id,))

    def set_key_status(self, key_id: str, status: str) -> None:
        self.db.execute("UPDATE access_keys SET status=? WHERE id=?", (status, key_id))

    def delete_key(self, key_id: str) -> None:
        self.db.execute("DELETE FROM access_keys WHERE id=?", (key_id,))

    def link(self, profile: str, role: str, add: bool) -> bool:
        sql = ("INSERT OR IGNORE INTO profile_roles VALUES (?,?)" if add
               else "DELETE FROM profile_roles WHERE profile=? AND role=?")
        return self.db.execute(sql, (profile, role)).rowcount == 1

    # --- tags ----------------------------------------------------------------
    def tags(self, kind: str, owner: str) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.all("SELECT key, value FROM tags WHERE kind=? AND owner=? ORDER BY key",
                                              (kind, owner))]

    def tag(self, kind: str, owner: str, tags: list[dict]) -> None:
        with self.db.transaction() as conn:
            for tag in tags:
                conn.execute("DELETE FROM tags WHERE kind=? AND owner=? AND key=?", (kind, owner, tag["Key"]))
                conn.execute("INSERT INTO tags VALUES (?,?,?,?)", (kind, owner, tag["Key"], tag["Value"]))

    def untag(self, kind: str, owner: str, keys: list[str]) -> None:
        with self.db.transaction() as conn:
            conn.executemany("DELETE FROM tags WHERE kind=? AND owner=? AND key=?", [(kind, owner, k) for k in keys])
