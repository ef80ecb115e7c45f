"""State machines, versions, aliases, activities, tags and definition validation.

Answers follow the recorded AWS behaviour: creating an identical machine twice
returns the first one, a different one under the same name is
``StateMachineAlreadyExists``; DeleteStateMachine of an unknown ARN succeeds; an
update that changes nothing keeps the revisionId; ListStateMachines is sorted
by name.  Definitions go through asl.validate, whose diagnostics become the
``InvalidDefinition`` message.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from lowcloud.asl import validate
from lowcloud.errors import AwsError
from lowcloud.services.stepfunctions import cwlogs
from lowcloud.services.stepfunctions.common import NO_ACTIVITY, NO_MACHINE, NOT_FOUND, check_name, page, parse_arn

DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING = {"enabled": False}


def _dt(epoch):
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


class MachineOps:
    # --- lookups ---------------------------------------------------------------------
    def machine_row(self, arn: str) -> dict:
        parse_arn(arn, "stateMachine")
        return self.store.existing("machines", arn, NO_MACHINE)

    def target(self, arn: str) -> dict:
        """What StartExecution runs for a machine, version or alias ARN."""
        kind, parts = parse_arn(arn, "stateMachine")
        if len(parts) == 1:
            row = self.machine_row(arn)
            return {"machine": row, "definition": row["definition"], "role": row["role_arn"], "version": None,
                    "alias": None}
        base = self.states_arn("stateMachine", parts[0])
        machine = self.store.existing("machines", base, NO_MACHINE, shown=arn)
        if parts[1].isdigit():
            version = self._version_row(arn)
            return {"machine": machine, "definition": version["definition"], "role": version["role_arn"],
                    "version": arn, "alias": None}
        alias = self.store.existing("aliases", arn, NOT_FOUND)
        version = self._version_row(self._route(json.loads(alias["routing"])))
        return {"machine": machine, "definition": version["definition"], "role": version["role_arn"],
                "version": version["arn"], "alias": arn}

    def _version_row(self, arn: str) -> dict:
        return self.store.existing("versions", arn, NO_MACHINE)

    def _route(self, routing: list) -> str:
        if len(routing) == 1:
            return routing[0]["stateMachineVersionArn"]
        pick = self.cloud.ids.random() * sum(r["weight"] for r in routing)
        for r in routing:
            pick -= r["weight"]
            if pick < 0:
                return r["stateMachineVersionArn"]
        return routing[-1]["stateMachineVersionArn"]

    def _check_definition(self, definition: str, sm_type: str) -> None:
        message = validate.error_message(validate.diagnose(definition, sm_type))
        if message:
            raise AwsError("InvalidDefinition", message)

    def _check_logging(self, config: dict | None) -> None:
        cwlogs.check_configuration(config)
        cwlogs.validate_delivery(self, config)

    @staticmethod
    def _check_role(role_arn: str) -> None:
        if not isinstance(role_arn, str) or not role_arn.startswith("arn:"):
            raise AwsError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {role_arn}'")

    # --- state machines ------------------------------------------------------------------
    def create_state_machine(self, params: dict, req) -> dict:
        name, sm_type = params.get("name"), params.get("type") or "STANDARD"
        check_name(name)
        self._check_role(params.get("roleArn"))
        self._check_definition(params.get("definition", ""), sm_type)
        self._check_logging(params.get("loggingConfiguration"))
        arn = self.states_arn("stateMachine", name)
        values = {"arn": arn, "name": name, "type": sm_type, "definition": params["definition"],
                  "role_arn": params["roleArn"], "created": self.clock.now(), "updated": None, "revision_id": None,
                  "description": None, "logging": json.dumps(params.get("loggingConfiguration") or DEFAULT_LOGGING),
                  "tracing": json.dumps(params.get("tracingConfiguration") or DEFAULT_TRACING),
                  "encryption": json.dumps(params.get("encryptionConfiguration")), "next_version": 1}
        existing = self.store.row("machines", arn)
        if existing is not None:
            same = all(existing[k] == values[k] for k in ("type", "definition", "role_arn", "logging", "tracing"))
            if not same:
                raise AwsError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            return {"stateMachineArn": arn, "creationDate": _dt(existing["created"])}
        self.store.insert("machines", values)
        self.store.set_tags(arn, params.get("tags") or [])
        out = {"stateMachineArn": arn, "creationDate": _dt(values["created"])}
        if params.get("publish"):
            out["stateMachineVersionArn"] = self._publish(arn, params.get("versionDescription"))["arn"]
        return out

    def describe_state_machine(self, params: dict, req) -> dict:
        arn = params.get("stateMachineArn")
        kind, parts = parse_arn(arn, "stateMachine")
        if len(parts) > 1 and parts[1].isdigit():
            return self._describe_version(arn)
        return self.machine_description(self.machine_row(arn))

    def machine_description(self, row: dict) -> dict:
        out = {"stateMachineArn": row["arn"], "name": row["name"], "status": "ACTIVE",
               "definition": row["definition"], "roleArn": row["role_arn"], "type": row["type"],
               "creationDate": _dt(row["created"]), "loggingConfiguration": json.loads(row["logging"]),
               "tracingConfiguration": json.loads(row["tracing"])}
        if row.get("revision_id"):
            out["revisionId"] = row["revision_id"]
        if row.get("description"):
            out["description"] = row["description"]
        return out

    def _describe_version(self, arn: str) -> dict:
        version = self._version_row(arn)
        machine = self.store.row("machines", version["machine_arn"])
        out = self.machine_description({**machine, "definition": version["definition"],
                                        "role_arn": version["role_arn"], "revision_id": version["revision_id"],
                                        "description": version["description"], "created": version["created"]})
        out["stateMachineArn"] = arn
        return out

    def update_state_machine(self, params: dict, req) -> dict:
        row = self.machine_row(params.get("stateMachineArn"))
        keys = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
        if not any(params.get(k) is not None for k in keys):
            raise AwsError("MissingRequiredParameter", "Either the definition, the role ARN, the "
                                                       "LoggingConfiguration, or the TracingConfiguration must be "
                                                       "specified")
        changes = {}
        if params.get("definition") is not None:
            self._check_definition(params["definition"], row["type"])
            changes["definition"] = params["definition"]
        if params.get("roleArn") is not None:
            self._check_role(params["roleArn"])
            changes["role_arn"] = params["roleArn"]
        if params.get("loggingConfiguration") is not None:
            self._check_logging(params["loggingConfiguration"])
        for key, col in (("loggingConfiguration", "logging"), ("tracingConfiguration", "tracing")):
            if params.get(key) is not None:
                changes[col] = json.dumps(params[key])
        changed = any(row[k] != v for k, v in changes.items())
        now = self.clock.now()
        values = {**changes, "updated": now}
        if changed or not row.get("revision_id"):
            values["revision_id"] = self.cloud.ids.uuid()
        self.store.update("machines", row["arn"], values)
        out = {"updateDate": _dt(now), "revisionId": values.get("revision_id", row.get("revision_id"))}
        if params.get("publish"):
            out["stateMachineVersionArn"] = self._publish(row["arn"], params.get("versionDescription"))["arn"]
        return out

    def delete_state_machine(self, params: dict, req) -> dict:
        arn = params.get("stateMachineArn")
        kind, parts = parse_arn(arn, "stateMachine")
        if len(parts) > 1:
            raise AwsError("ValidationException", f"Invalid Arn: '{arn}'")
        self.store.delete_machine(arn)
        return {}

    def list_state_machines(self, params: dict, req) -> dict:
        rows = self.store.rows("SELECT arn, name, type, created FROM machines ORDER BY name")
        items = [{"stateMachineArn": r["arn"], "name": r["name"], "type": r["type"],
                  "creationDate": _dt(r["created"])} for r in rows]
        return page(items, params, "stateMachines")

    # --- versions --------------------------------------------------------------------------
    def _publish(self, machine_arn: str, description: str | None) -> dict:
        row = self.store.row("machines", machine_arn)
        latest = self.store.rows("SELECT * FROM versions WHERE machine_arn = ? ORDER BY version DESC LIMIT 1",
                                 (machine_arn,))
        if latest and latest[0]["definition"] == row["definition"] and latest[0]["role_arn"] == row["role_arn"]:
            return latest[0]
        number = row["next_version"] or 1
        version = {"arn": f"{machine_arn}:{number}", "machine_arn": machine_arn, "version": number,
                   "definition": row["definition"], "role_arn": row["role_arn"], "created": self.clock.now(),
                   "revision_id": row["revision_id"], "description": description, "type": row["type"],
                   "logging": row["logging"], "tracing": row["tracing"]}
        self.store.insert("versions", version)
        self.store.update("machines", machine_arn, {"next_version": number + 1})
        return version

    def publish_state_machine_version(self, params: dict, req) -> dict:
        row = self.machine_row(params.get("stateMachineArn"))
        rev = params.get("revisionId")
        if rev is not None and rev != (row.get("revision_id") or ""):
            raise AwsError("ConflictException", f"Failed to publish the State Machine version for revision {rev}. "
                                                f"The current State Machine revision is {row.get('revision_id')}.")
        version = self._publish(row["arn"], params.get("description"))
        return {"creationDate": _dt(version["created"]), "stateMachineVersionArn": version["arn"]}

    def list_state_machine_versions(self, params: dict, req) -> dict:
        row = self.machine_row(params.get("stateMachineArn"))
        rows = self.store.rows("SELECT arn, created FROM versions WHERE machine_arn = ? ORDER BY version DESC",
                               (row["arn"],))
        items = [{"stateMachineVersionArn": r["arn"], "creationDate": _dt(r["created"])} for r in rows]
        return page(items, params, "stateMachineVersions")

    def delete_state_machine_version(self, params: dict, req) -> dict:
        arn = params.get("stateMachineVersionArn")
        kind, parts = parse_arn(arn, "stateMachine")
        if len(parts) < 2 or not parts[1].isdigit():
            raise AwsError("ValidationException", f"Invalid Arn: '{arn}'")
        used = self.store.rows("SELECT arn FROM aliases WHERE routing LIKE ?", (f'%"{arn}"%',))
        if used:
            raise AwsError("ConflictException", f"Version to be deleted must not be referenced by an alias. "
                                                f"Current list of aliases referencing this version: "
                                                f"[{', '.join(a['arn'].split(':')[-1] for a in used)}]")
        self.store.delete("versions", arn)
        return {}

    # --- aliases --------------------------------------------------------------------------------
    def _check_routing(self, routing: list) -> str:
        if not routing:
            raise AwsError("ValidationException", "Routing configuration must contain at least one version")
        bases = set()
        for r in routing:
            self._version_row(r["stateMachineVersionArn"])
            bases.add(r["stateMachineVersionArn"].rsplit(":", 1)[0])
        if len(bases) != 1 or sum(r["weight"] for r in routing) != 100:
            raise AwsError("ValidationException", "Routing configuration weights must sum to 100 and reference "
                                                  "versions of one state machine")
        return bases.pop()

    def create_state_machine_alias(self, params: dict, req) -> dict:
        name, routing = params.get("name"), params.get("routingConfiguration") or []
        check_name(name)
        machine_arn = self._check_routing(routing)
        arn = f"{machine_arn}:{name}"
        if self.store.row("aliases", arn) is not None:
            raise AwsError("ConflictException", f"Failed to create alias because an alias with the same name and a "
                                                f"different routing configuration already exists: {arn}")
        now = self.clock.now()
        self.store.insert("aliases", {"arn": arn, "machine_arn": machine_arn, "name": name,
                                      "description": params.get("description"), "routing": json.dumps(routing),
                                      "created": now, "updated": now})
        return {"stateMachineAliasArn": arn, "creationDate": _dt(now)}

    def _alias_row(self, arn: str) -> dict:
        parse_arn(arn, "stateMachine")
        return self.store.existing("aliases", arn, NOT_FOUND)

    def describe_state_machine_alias(self, params: dict, req) -> dict:
        row = self._alias_row(params.get("stateMachineAliasArn"))
        out = {"stateMachineAliasArn": row["arn"], "name": row["name"],
               "routingConfiguration": json.loads(row["routing"]), "creationDate": _dt(row["created"]),
               "updateDate": _dt(row["updated"])}
        if row.get("description"):
            out["description"] = row["description"]
        return out

    def update_state_machine_alias(self, params: dict, req) -> dict:
        row = self._alias_row(params.get("stateMachineAliasArn"))
        values = {"updated": self.clock.now()}
        if params.get("routingConfiguration") is not None:
            self._check_routing(params["routingConfiguration"])
            values["routing"] = json.dumps(params["routingConfiguration"])
        if params.get("description") is not None:
            values["description"] = params["description"]
        self.store.update("aliases", row["arn"], values)
        return {"updateDate": _dt(values["updated"])}

    def delete_state_machine_alias(self, params: dict, req) -> dict:
        self._alias_row(params.get("stateMachineAliasArn"))
        self.store.delete("aliases", params["stateMachineAliasArn"])
        return {}

    def list_state_machine_aliases(self, params: dict, req) -> dict:
        row = self.machine_row(params.get("stateMachineArn"))
        rows = self.store.rows("SELECT arn, created FROM aliases WHERE machine_arn = ? ORDER BY name", (row["arn"],))
        items = [{"stateMachineAliasArn": r["arn"], "creationDate": _dt(r["created"])} for r in rows]
        return page(items, params, "stateMachineAliases")

    # --- activities -------------------------------------------------------------------------------
    def create_activity(self, params: dict, req) -> dict:
        name = params.get("name")
        check_name(name)
        arn = self.states_arn("activity", name)
        row = self.store.row("activities", arn)
        if row is None:
            row = {"arn": arn, "name": name, "created": self.clock.now()}
            self.store.insert("activities", row)
            self.store.set_tags(arn, params.get("tags") or [])
        return {"activityArn": arn, "creationDate": _dt(row["created"])}

    def _activity_row(self, arn: str) -> dict:
        parse_arn(arn, "activity")
        return self.store.existing("activities", arn, NO_ACTIVITY)

    def describe_activity(self, params: dict, req) -> dict:
        row = self._activity_row(params.get("activityArn"))
        return {"activityArn": row["arn"], "name": row["name"], "creationDate": _dt(row["created"])}

    def delete_activity(self, params: dict, req) -> dict:
        parse_arn(params.get("activityArn"), "activity")
        self.store.delete("activities", params["activityArn"])
        return {}

    def list_activities(self, params: dict, req) -> dict:
        rows = self.store.rows("SELECT * FROM activities ORDER BY name")
        items = [{"activityArn": r["arn"], "name": r["name"], "creationDate": _dt(r["created"])} for r in rows]
        return page(items, params, "activities")

    # --- tags ------------------------------------------------------------------------------------------
    def _tag_target(self, arn: str) -> str:
        kind, _ = parse_arn(arn, "stateMachine", "activity")
        table = "machines" if kind == "stateMachine" else "activities"
        self.store.existing(table, arn, NOT_FOUND, resourceName=arn)
        return arn

    def tag_resource(self, params: dict, req) -> dict:
        arn = self._tag_target(params.get("resourceArn"))
        tags = params.get("tags") or []
        if len({t["key"] for t in self.store.tags(arn)} | {t["key"] for t in tags}) > 50:
            raise AwsError("TooManyTags", "Too many tags", resourceName=arn)
        self.store.set_tags(arn, tags)
        return {}

    def untag_resource(self, params: dict, req) -> dict:
        self.store.remove_tags(self._tag_target(params.get("resourceArn")), params.get("tagKeys") or [])
        return {}

    def list_tags_for_resource(self, params: dict, req) -> dict:
        return {"tags": self.store.tags(self._tag_target(params.get("resourceArn")))}

    # --- validation ----------------------------------------------------------------------------------
    def validate_state_machine_definition(self, params: dict, req) -> dict:
        diags = validate.diagnose(params.get("definition", ""), params.get("type") or "STANDARD")
        if params.get("severity") == "ERROR":
            diags = [d for d in diags if d["severity"] == "ERROR"]
        limit = params.get("maxResults") or 100
        result = "FAIL" if any(d["severity"] == "ERROR" for d in diags) else "OK"
        return {"result": result, "diagnostics": diags[:limit], "truncated": len(diags) > limit}
