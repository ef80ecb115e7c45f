"""AWS Lambda without Docker: functions run as warm worker processes of the machine's
Python and Node.js, speaking AWS's Lambda Runtime API to lowcloud.

Layout: ``api.py`` composes the operation mixins (``functions_api``, ``aliases_api``,
``policy_api``, ``layers_api``, ``invoke_api``, ``esm_api``, ``urls_api``,
``provisioned_api``, ``configs_api``); ``state.py`` keeps the
resources in SQLite; ``code.py`` stores and unpacks zips; ``workers.py`` /
``runtime_api.py`` / ``bootstrap_*`` run code; ``invoker.py`` and ``logsink.py`` turn
one invocation into a response plus CloudWatch Logs lines; ``async_invoke.py`` and
``esm.py`` drive event invocations and stream mappings on the Cloud's clock;
``urls_http.py`` serves function URLs (the gateway hands it requests by host or path).
"""
