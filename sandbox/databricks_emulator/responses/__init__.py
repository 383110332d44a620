"""HTTP layer: parse requests, call the backends in ``models/``, render Databricks-shaped replies.

Each module registers its handlers with ``core.route``; ``routes.py`` loads them all.
"""
