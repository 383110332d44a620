"""Stateful emulator of the Databricks account and workspace REST APIs (AWS flavour).

Layout follows moto: ``models/`` hold the Databricks state, one backend per resource family composed
into ``AccountBackend`` (``models/account/``) and ``WorkspaceBackend`` (``models/workspace/``);
``responses/`` turn HTTP requests into backend calls and render replies; ``core.py`` has what they build
on (``Request``, ``Reply``, ``route``, ``match``); ``routes.py`` loads the response modules into the route
table; ``aws/`` holds Databricks' checks of the AWS estate in moto; ``faults.py`` the fault injector and
request log; ``server.py`` runs the listeners (one for the account API, one per workspace).
See docs/emulator.md.
"""
