"""The AWS managed policies lowcloud knows (aws_managed_policies.json), read-only.

They live in every account under ``arn:aws:iam::aws:policy<path><name>`` and
cannot be changed, so they are data shipped with lowcloud rather than rows in a
Cloud's database; only attachments to them are per Cloud.  Documents are
rendered the way IAM prints AWS's own policies (two-space indent, ``" : "``).
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).with_name("aws_managed_policies.json")
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    path: str
    description: str
    version: str
    created: datetime
    updated: datetime
    document: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def policy_id(self) -> str:
        """Stable across Clouds and runs: derived from the ARN (AWS does not publish these)."""
        digest = hashlib.sha256(self.arn.encode()).digest()
        return "ANPA" + "".join(ID_ALPHABET[b % 32] for b in digest[:17])


@functools.lru_cache(maxsize=1)
def _all() -> dict[str, ManagedPolicy]:
    data = json.loads(DATA.read_text())
    policies = (_policy(entry) for entry in data["policies"])
    return {p.arn: p for p in policies}


def _policy(entry: dict) -> ManagedPolicy:
    return ManagedPolicy(
        name=entry["PolicyName"], path=entry["Path"], description=entry["Description"],
        version=entry["DefaultVersionId"], created=_date(entry["CreateDate"]),
        updated=_date(entry["UpdateDate"]),
        document=json.dumps(entry["Document"], indent=2, separators=(",", " : ")))


def _date(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def find(arn: str) -> ManagedPolicy | None:
    return _all().get(arn)


def every() -> list[ManagedPolicy]:
    return list(_all().values())
