"""Databricks' view of the customer's AWS estate: the checks it makes by reading moto's state with boto3
(``validation``) and the IAM policy evaluator its instance-profile dry run needs (``iam_policy``)."""
