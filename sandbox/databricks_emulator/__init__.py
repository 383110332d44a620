"""Stateful emulator of the Databricks account and workspace REST APIs (AWS flavour).

Layout follows moto: ``models/`` hold state and validation rules, ``responses/`` turn HTTP
requests into backend calls and render replies, ``routes.py`` is the route table and
``server.py`` runs the listeners (one for the account API, one per workspace).
See docs/emulator.md.
"""
