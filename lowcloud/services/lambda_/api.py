"""AWS Lambda (``lambda``): the service object the protocol layer calls.

Operations live in mixins named for what they cover (functions, versions and
aliases, policies and tags, layers, invoke, event source mappings, function URLs,
provisioned concurrency, and the small settings in ``configs_api``); this class
owns the shared parts - the SQLite store, the code store, the invoker with its
warm worker pools, the async event queue and the stream-mapping engine - and the
lookups every operation uses (function references, versions, paging).
"""
from __future__ import annotations

import base64
import threading

from lowcloud.services.base import Service
from lowcloud.services.lambda_.aliases_api import AliasesApi
from lowcloud.services.lambda_.async_invoke import AsyncQueue
from lowcloud.services.lambda_.code import CodeStore
from lowcloud.services.lambda_.configs_api import ConfigsApi
from lowcloud.services.lambda_.esm import StreamMappings
from lowcloud.services.lambda_.esm_api import EsmApi
from lowcloud.services.lambda_.functions_api import FunctionsApi
from lowcloud.services.lambda_.invoke_api import InvokeApi
from lowcloud.services.lambda_.invoker import Invoker
from lowcloud.services.lambda_.layers_api import LayersApi
from lowcloud.services.lambda_.names import (LATEST, function_arn, function_not_found, invalid, is_version,
                                             parse_function_ref)
from lowcloud.services.lambda_.policy_api import PolicyApi
from lowcloud.services.lambda_.provisioned_api import ProvisionedApi
from lowcloud.services.lambda_.state import Store
from lowcloud.services.lambda_.urls_api import UrlsApi

REAP_EVERY_SECONDS = 60.0
DEFAULT_PAGE = 50


class Lambda(FunctionsApi, AliasesApi, PolicyApi, LayersApi, InvokeApi, EsmApi, UrlsApi, ProvisionedApi, ConfigsApi,
             Service):
    name = "lambda"

    def __init__(self, cloud, region: str):
        super().__init__(cloud, region)
        self.store = Store(cloud.storage.database(self.db_name()))
        self.code = CodeStore(cloud.storage.blobs(self.db_name()), cloud.storage.data_dir, region)
        self.invoker = Invoker(self, self.code)
        self.async_queue = AsyncQueue(self)
        self.esm = StreamMappings(self)
        self.esm.start()
        self.async_queue.resume()
        self._reaper = self.clock.call_later(REAP_EVERY_SECONDS, self._reap, daemon=True)

    def _reap(self) -> None:
        threading.Thread(target=self.invoker.reap, name="lambda-reaper", daemon=True).start()
        self._reaper = self.clock.call_later(REAP_EVERY_SECONDS, self._reap, daemon=True)

    def close(self) -> None:
        self._reaper.cancel()
        self.esm.close()
        self.invoker.close()
        self.code.close()

    # --- lookups shared by the operations ------------------------------------------------------
    def _split(self, ref: str, qualifier: str | None = None) -> tuple[str, str | None]:
        return parse_function_ref(ref, qualifier)

    def _plain_name(self, ref: str) -> str:
        return parse_function_ref(ref)[0]

    def _latest(self, name: str) -> dict:
        doc = self.store.function(name)
        if doc is None:
            raise function_not_found(function_arn(self.region, self.account, name))
        return doc

    def _version_doc(self, name: str, qualifier: str | None) -> dict:
        """The configuration document a qualifier names ($LATEST, a version, or an alias's version)."""
        latest = self._latest(name)
        if qualifier in (None, LATEST):
            return latest
        version = qualifier
        if not is_version(qualifier):
            alias = self.store.alias(name, qualifier)
            if alias is None:
                raise function_not_found(function_arn(self.region, self.account, name, qualifier))
            version = alias["FunctionVersion"]
            if version == LATEST:
                return latest
        doc = self.store.version(name, version)
        if doc is None:
            raise function_not_found(function_arn(self.region, self.account, name, qualifier))
        return doc

    def _page(self, docs: list, params: dict, key, cap: int = 10000) -> tuple[list, str | None]:
        """One page of ``docs`` after ``Marker``, at most ``MaxItems`` (and ``cap``); the next marker if more
        remain."""
        start = 0
        if params.get("Marker"):
            try:
                after = base64.urlsafe_b64decode(params["Marker"].encode()).decode()
            except (ValueError, UnicodeDecodeError):
                raise invalid(f"Invalid marker: {params['Marker']}") from None
            keys = [key(d) for d in docs]
            start = keys.index(after) + 1 if after in keys else len(docs)
        limit = min(params.get("MaxItems") or DEFAULT_PAGE, cap)
        page = docs[start:start + limit]
        more = start + limit < len(docs)
        marker = base64.urlsafe_b64encode(key(page[-1]).encode()).decode() if more and page else None
        return page, marker
