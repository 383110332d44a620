"""Databricks resource state and its rules (no HTTP here; the checks of the AWS estate are in ``aws/``)."""
