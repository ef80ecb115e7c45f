"""Function URL configurations: Create/Get/Update/Delete/ListFunctionUrlConfigs.

A function has at most one URL per qualifier, and the qualifier is ``$LATEST`` or
an alias (never a version number, as AWS's own pattern says).  Each URL gets a
32-character id that names its host, ``https://<id>.lambda-url.<region>.on.aws/``;
the store can find a config by that id, which is how ``urls_http`` serves requests
that reach the gateway.  The messages are Lambda's, including its double space in
the create-conflict text.
"""
from __future__ import annotations

import string
from datetime import datetime, timezone

from lowcloud.services.lambda_.names import LATEST, conflict, function_arn, is_version, not_found, validation
from lowcloud.services.lambda_.state import public

URL_ID_CHARS = string.ascii_lowercase + string.digits
URL_ID_LENGTH = 32
QUALIFIER_RULE = r"Member must satisfy regular expression pattern: (^\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))"
NO_FUNCTION = "Function does not exist"
NO_RESOURCE = "The resource you requested does not exist."


def url_time(epoch: float) -> str:
    """Function URL times: ISO-8601 with microseconds and ``Z`` (``2024-06-10T06:13:20.123456Z``)."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class UrlsApi:
    def create_function_url_config(self, params: dict, req) -> dict:
        name, qualifier = self._url_target(params)
        self._url_function(name)
        existing = self.store.url_config(name, qualifier)
        if existing is not None:
            raise conflict(f"Failed to create function url config for [functionArn = {existing['FunctionArn']}]. "
                           "Error message:  FunctionUrlConfig exists for this Lambda function")
        self._url_alias(name, qualifier, NO_FUNCTION)
        doc = self._new_url(name, qualifier, params)
        self.store.put_url_config(name, qualifier, doc)
        return {k: v for k, v in public(doc).items() if k != "LastModifiedTime"}

    def _new_url(self, name: str, qualifier: str, params: dict) -> dict:
        url_id = self.cloud.ids.chars(URL_ID_LENGTH, URL_ID_CHARS)
        now = url_time(self.clock.now())
        arn = function_arn(self.region, self.account, name, None if qualifier == LATEST else qualifier)
        doc = {"FunctionUrl": f"https://{url_id}.lambda-url.{self.region}.on.aws/", "FunctionArn": arn,
               "AuthType": params["AuthType"], "CreationTime": now, "LastModifiedTime": now,
               "InvokeMode": params.get("InvokeMode") or "BUFFERED", "_url_id": url_id, "_name": name,
               "_qualifier": qualifier}
        if params.get("Cors") is not None:
            doc["Cors"] = params["Cors"]
        return doc

    def get_function_url_config(self, params: dict, req) -> dict:
        name, qualifier = self._url_target(params)
        if self.store.function(name) is None:
            raise not_found(NO_RESOURCE)
        return public(self._url_doc(name, qualifier))

    def update_function_url_config(self, params: dict, req) -> dict:
        name, qualifier = self._url_target(params)
        self._url_function(name)
        self._url_alias(name, qualifier, NO_FUNCTION)
        doc = self._url_doc(name, qualifier)
        for field in ("AuthType", "Cors", "InvokeMode"):
            if params.get(field) is not None:
                doc[field] = params[field]
        doc["LastModifiedTime"] = url_time(self.clock.now())
        self.store.put_url_config(name, qualifier, doc)
        return public(doc)

    def delete_function_url_config(self, params: dict, req) -> dict:
        name, qualifier = self._url_target(params)
        if self.store.function(name) is None:
            raise not_found(NO_RESOURCE)
        self._url_doc(name, qualifier)
        self.store.put_url_config(name, qualifier, None)
        return {}

    def list_function_url_configs(self, params: dict, req) -> dict:
        name = self._plain_name(params["FunctionName"])
        self._url_function(name)
        docs = self.store.url_configs(name)
        page, marker = self._page(docs, params, key=lambda d: d["FunctionArn"])
        return {"FunctionUrlConfigs": [public(d) for d in page], **({"NextMarker": marker} if marker else {})}

    # --- lookups ----------------------------------------------------------------------------------
    def _url_target(self, params: dict) -> tuple[str, str]:
        """(function name, ``$LATEST`` or alias); a version number is refused as AWS's pattern refuses it."""
        name, qualifier = self._split(params["FunctionName"], params.get("Qualifier"))
        if qualifier and qualifier != LATEST and is_version(qualifier):
            raise validation(qualifier, "qualifier", QUALIFIER_RULE)
        return name, qualifier or LATEST

    def _url_function(self, name: str) -> None:
        if self.store.function(name) is None:
            raise not_found(NO_FUNCTION)

    def _url_alias(self, name: str, qualifier: str, message: str) -> None:
        if qualifier != LATEST and self.store.alias(name, qualifier) is None:
            raise not_found(message)

    def _url_doc(self, name: str, qualifier: str) -> dict:
        doc = self.store.url_config(name, qualifier)
        if doc is None:
            raise not_found(NO_RESOURCE)
        return doc

    def url_config_by_id(self, url_id: str) -> dict | None:
        """The stored URL config whose host starts with ``url_id`` (the gateway serves it)."""
        return self.store.url_config_by_id(url_id)
