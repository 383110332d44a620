"""A small IAM policy evaluator: is an action on a resource allowed by a role's identity policies?

Databricks validates an instance profile by a dry run of ``ec2:RunInstances`` made with the
workspace's cross-account role; AWS evaluates that role's policies (inline and attached) for the
actions the dry run needs (``iam:PassRole`` on the profile's role, ``ec2:RunInstances`` with the
tags Databricks sets). This module evaluates the same thing from moto's state, following AWS's
policy evaluation logic (IAM User Guide, "Policy evaluation logic": an explicit Deny wins, then an
Allow is needed; NotAction / NotResource match everything but their list; a statement applies only
when all its condition operators match). Only the condition operators the collection's policies
use are implemented; a statement with any other operator never matches (so it can only deny
access, never grant it by mistake).
"""

from ...policy_documents import as_list, covers_action, decoded, statements, wildcard_match


def _resource_matches(patterns, resource: str) -> bool:
    return any(wildcard_match(p, resource) for p in as_list(patterns))


def _condition_matches(operator: str, key: str, expected, context: dict) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator[:-len("IfExists")] if if_exists else operator
    present = key in context
    if not present:
        return if_exists or (base == "Null" and str(as_list(expected)[0]).lower() == "true")
    values = [str(v) for v in as_list(context[key])]
    wanted = [str(v) for v in as_list(expected)]
    if base in ("StringEquals", "ArnEquals"):
        return any(v in wanted for v in values)
    if base in ("StringLike", "ArnLike"):
        return any(wildcard_match(w, v) for v in values for w in wanted)
    if base == "StringNotEquals":
        return all(v not in wanted for v in values)
    if base == "StringNotLike":
        return all(not wildcard_match(w, v) for v in values for w in wanted)
    if base == "Bool":
        return any(v.lower() in [w.lower() for w in wanted] for v in values)
    if base == "Null":
        return str(wanted[0]).lower() == "false"
    return False  # an operator this evaluator does not know never grants access


def _statement_applies(statement: dict, action: str, resource: str, context: dict) -> bool:
    if not covers_action(statement, action):
        return False
    if "Resource" in statement and not _resource_matches(statement["Resource"], resource):
        return False
    if "NotResource" in statement and _resource_matches(statement["NotResource"], resource):
        return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, expected in keys.items():
            if not _condition_matches(operator, key, expected, context):
                return False
    return True


def is_allowed(documents: list[dict], action: str, resource: str, context: dict | None = None) -> bool:
    """AWS's verdict for one request against identity policy documents: explicit deny, else allow, else deny."""
    context = context or {}
    allowed = False
    for document in documents:
        for statement in statements(document):
            if not _statement_applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return False
            if statement.get("Effect") == "Allow":
                allowed = True
    return allowed


def role_policy_documents(iam, role_name: str) -> list[dict]:
    """Every identity policy of a role: its inline policies and the default versions of attached ones."""
    documents = []
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for name in page["PolicyNames"]:
            documents.append(decoded(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]))
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for attached in page["AttachedPolicies"]:
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
            documents.append(decoded(version["PolicyVersion"]["Document"]))
    return documents
