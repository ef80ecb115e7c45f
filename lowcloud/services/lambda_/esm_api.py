"""Event source mapping operations (DynamoDB stream sources).

The mapping document is stored with its target state (``Enabled`` / ``Disabled``)
and the clock time its transition (``Creating``, ``Updating``, ``Enabling``,
``Disabling``) ends, so reads show the lifecycle on the Cloud's clock.  With
``StartingPosition: LATEST`` the current end of every shard is read through the
Streams API while the create call runs and stored as the mapping's position:
"latest" means latest when the mapping was created, even across a restart.
"""
from __future__ import annotations

from lowcloud.errors import AwsError
from lowcloud.services.lambda_ import filters
from lowcloud.services.lambda_.esm import read_shard
from lowcloud.services.lambda_.names import (arn_parts, conflict, function_arn, invalid, is_version, not_found,
                                             to_datetime)
from lowcloud.services.lambda_.state import public

TRANSITION_SECONDS = 0.0
DEFAULTS = {"BatchSize": 100, "MaximumBatchingWindowInSeconds": 0, "ParallelizationFactor": 1,
            "MaximumRecordAgeInSeconds": -1, "BisectBatchOnFunctionError": False, "MaximumRetryAttempts": -1,
            "TumblingWindowInSeconds": 0, "FunctionResponseTypes": []}
UPDATABLE = ("BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor", "MaximumRecordAgeInSeconds",
             "BisectBatchOnFunctionError", "MaximumRetryAttempts", "TumblingWindowInSeconds", "FunctionResponseTypes")
MISSING = "The resource you requested does not exist."


def is_stream_arn(arn: str) -> bool:
    parts = arn_parts(arn)
    return len(parts) == 6 and parts[2] == "dynamodb" and "/stream/" in parts[5]


class EsmApi:
    def create_event_source_mapping(self, params: dict, req) -> dict:
        self._check("CreateEventSourceMapping", params)
        source = params.get("EventSourceArn") or ""
        self._check_source(source, params.get("StartingPosition"))
        name, qualifier, arn = self._mapping_function(params["FunctionName"])
        uuid = self.cloud.ids.uuid()
        doc = {"UUID": uuid, "EventSourceMappingArn": self.arn(f"event-source-mapping:{uuid}"),
               "StartingPosition": params["StartingPosition"], **DEFAULTS, "EventSourceArn": source,
               "FunctionArn": arn, "LastModified": self.clock.now(), "LastProcessingResult": "No records processed",
               "StateTransitionReason": "User action", "DestinationConfig": {"OnFailure": {}},
               "_function": name, "_qualifier": qualifier}
        self._apply_settings(doc, params)
        self._check_duplicate(source, arn, name)
        enabled = params.get("Enabled", True)
        self._transition(doc, "Creating", "Enabled" if enabled else "Disabled")
        if params["StartingPosition"] == "LATEST":
            self._mark_latest(uuid, source)
        self.store.put_mapping(doc)
        if params.get("Tags"):
            self.store.put_tags(doc["EventSourceMappingArn"], dict(params["Tags"]))
        self.esm.refresh(uuid, doc)
        return self._mapping_view(doc, forced_state="Creating")

    def _check_source(self, source: str, position: str | None) -> None:
        if not is_stream_arn(source):
            raise invalid(f"lowcloud serves event source mappings for DynamoDB streams only; {source or 'no'} "
                          "EventSourceArn given")
        if not position:
            raise invalid("1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                          "constraint: Member must not be null.")
        if position == "AT_TIMESTAMP":
            raise invalid("Unsupported starting position for arn type.")
        try:
            self.call("dynamodbstreams", "describe_stream", {"StreamArn": source, "Limit": 1},
                      region=arn_parts(source)[3])
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                raise invalid(f"Stream not found: {source}") from None

    def _mapping_function(self, ref: str) -> tuple[str, str | None, str]:
        name, qualifier = self._split(ref)
        if is_version(qualifier) or qualifier is None:
            self._version_doc(name, qualifier)
        else:
            self._alias(name, qualifier)
        return name, qualifier, function_arn(self.region, self.account, name, qualifier)

    def _check_duplicate(self, source: str, arn: str, name: str) -> None:
        for other in self.store.mappings():
            if other["EventSourceArn"] == source and other["FunctionArn"] == arn:
                raise conflict(f'The event source arn (" {source} ") and function (" {name} ") provided mapping '
                               f"already exists. Please update or delete the existing mapping with UUID "
                               f"{other['UUID']}")

    def _apply_settings(self, doc: dict, params: dict) -> None:
        for field in UPDATABLE:
            if params.get(field) is not None:
                doc[field] = params[field]
        if "FilterCriteria" in params:
            doc["FilterCriteria"] = params["FilterCriteria"] or {}
            try:
                for given in doc["FilterCriteria"].get("Filters") or []:
                    filters.parse(given.get("Pattern", ""))
            except filters.PatternError:
                raise invalid("Invalid filter pattern definition.") from None
        if "DestinationConfig" in params:
            self._check_destination(params["DestinationConfig"] or {})
            doc["DestinationConfig"] = {"OnFailure": (params["DestinationConfig"] or {}).get("OnFailure") or {}}

    @staticmethod
    def _check_destination(config: dict) -> None:
        target = (config.get("OnFailure") or {}).get("Destination")
        if target and arn_parts(target)[2:3] not in (["sqs"], ["sns"], ["s3"]):
            raise invalid(f"The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure("
                          f"destination={target})) is invalid.")
        if (config.get("OnSuccess") or {}).get("Destination"):
            raise invalid("Unsupported DestinationConfig parameter for given event source mapping type.")

    def _mark_latest(self, uuid: str, source: str) -> None:
        """Record the current end of each shard: LATEST starts after it."""
        def call(operation, params, stream_arn):
            return self.call("dynamodbstreams", operation, params, region=arn_parts(stream_arn)[3])
        try:
            shards = self.esm._shards(source)
            for shard in shards:
                records = read_shard(call, source, shard, 0)
                if records:
                    self.store.set_position(uuid, shard, records[-1]["dynamodb"]["SequenceNumber"])
        except AwsError:
            return

    def _transition(self, doc: dict, passing: str, final: str) -> None:
        doc.update(_target_state=final, _transition_state=passing,
                   _transition_at=self.clock.now() + TRANSITION_SECONDS)

    def _mapping_view(self, doc: dict, forced_state: str | None = None) -> dict:
        out = public(doc)
        out["LastModified"] = to_datetime(doc["LastModified"])
        passing = doc["_transition_at"] > self.clock.now()
        out["State"] = forced_state or (doc["_transition_state"] if passing else doc["_target_state"])
        return out

    def _mapping(self, uuid: str) -> dict:
        doc = self.store.mapping(uuid)
        if doc is None:
            raise not_found(MISSING)
        return doc

    # --- read / update / delete ----------------------------------------------------------------
    def get_event_source_mapping(self, params: dict, req) -> dict:
        return self._mapping_view(self._mapping(params["UUID"]))

    def list_event_source_mappings(self, params: dict, req) -> dict:
        docs = self.store.mappings()
        if params.get("EventSourceArn"):
            docs = [d for d in docs if d["EventSourceArn"] == params["EventSourceArn"]]
        if params.get("FunctionName"):
            name, qualifier = self._split(params["FunctionName"])
            docs = [d for d in docs if d["_function"] == name and (qualifier is None or d["_qualifier"] == qualifier)]
        page, marker = self._page(docs, params, key=lambda d: d["UUID"])
        return {"EventSourceMappings": [self._mapping_view(d) for d in page],
                **({"NextMarker": marker} if marker else {})}

    def update_event_source_mapping(self, params: dict, req) -> dict:
        self._check("UpdateEventSourceMapping", params)
        doc = self._mapping(params["UUID"])
        if params.get("FunctionName"):
            name, qualifier, arn = self._mapping_function(params["FunctionName"])
            doc.update(_function=name, _qualifier=qualifier, FunctionArn=arn)
        self._apply_settings(doc, params)
        passing, final = "Updating", doc["_target_state"]
        if "Enabled" in params:
            final = "Enabled" if params["Enabled"] else "Disabled"
            if final != doc["_target_state"]:
                passing = "Enabling" if params["Enabled"] else "Disabling"
        doc["LastModified"] = self.clock.now()
        self._transition(doc, passing, final)
        self.store.put_mapping(doc)
        self.esm.refresh(doc["UUID"], doc)
        return self._mapping_view(doc, forced_state=passing)

    def delete_event_source_mapping(self, params: dict, req) -> dict:
        doc = self._mapping(params["UUID"])
        self.store.delete_mapping(doc["UUID"])
        self.store.put_tags(doc["EventSourceMappingArn"], {})
        self.esm.refresh(doc["UUID"], None)
        return self._mapping_view(doc, forced_state="Deleting")
