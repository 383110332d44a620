"""A small IAM policy evaluator: is an action on a resource allowed by a role's identity policies, or by a
resource policy (a VPC endpoint's, a bucket's) for a given principal?

Databricks validates an instance profile by a dry run of ``ec2:RunInstances`` made with the
workspace's cross-account role; AWS evaluates that role's policies (inline and attached) for the
actions the dry run needs (``iam:PassRole`` on the profile's role, ``ec2:RunInstances`` with the
tags Databricks sets). This module evaluates the same thing from moto's state, following AWS's
policy evaluation logic (IAM User Guide, "Policy evaluation logic": an explicit Deny wins, then an
Allow is needed; NotAction / NotResource match everything but their list; a statement applies only
when all its condition operators match). Only the condition operators the collection's policies
use are implemented; a statement with any other operator never matches (so it can only deny
access, never grant it by mistake).

Resource policies (IAM User Guide, "Policy elements: Principal" and "Determining whether a request
is allowed or denied within an account"): a statement applies to a request only when its Principal
names the caller - ``"*"`` or ``{"AWS": "*"}`` everyone; an account id or ``arn:aws:iam::<id>:root``
every principal of that account; a role's ARN the role and its sessions
(``arn:aws:sts::<id>:assumed-role/<name>/<session>``); any other ARN exactly that principal - or,
with NotPrincipal, when it does not. A VPC endpoint policy lets a request through only when a
statement allows it and none denies it. Condition keys are matched without regard to case, and the
policy variables ``${aws:...}`` in condition values and resources take their value from the
request's context (``aws:PrincipalAccount`` and ``aws:PrincipalArn`` are filled in from the
principal); a variable the context lacks makes the value match nothing.
"""

import re

from ...policy_documents import as_list, covers_action, decoded, statements, wildcard_match

POLICY_VARIABLE = re.compile(r"\$\{([^}]+)\}")
ACCOUNT_ID = re.compile(r"\A\d{12}\Z")
UNRESOLVED = "\x00unresolved policy variable\x00"


def _lookup(context: dict, key: str):
    """The context value of a condition key (keys ignore case); None when absent."""
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None


def _substitute(value: str, context: dict) -> str:
    """A policy element value with its ${...} policy variables replaced from the context."""
    def replace(match):
        found = _lookup(context, match.group(1))
        return UNRESOLVED if found is None or isinstance(found, list) else str(found)
    return POLICY_VARIABLE.sub(replace, str(value))


def _resource_matches(patterns, resource: str, context: dict | None = None) -> bool:
    return any(wildcard_match(_substitute(p, context or {}), resource) for p in as_list(patterns))


def _condition_matches(operator: str, key: str, expected, context: dict) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator[:-len("IfExists")] if if_exists else operator
    found = _lookup(context, key)
    if found is None:
        return if_exists or (base == "Null" and str(as_list(expected)[0]).lower() == "true")
    values = [str(v) for v in as_list(found)]
    wanted = [_substitute(v, context) for v in as_list(expected)]
    if base in ("StringEquals", "ArnEquals"):
        return any(v in wanted for v in values)
    if base in ("StringLike", "ArnLike"):
        return any(wildcard_match(w, v) for v in values for w in wanted)
    if base in ("StringNotEquals", "ArnNotEquals"):
        return all(v not in wanted for v in values)
    if base in ("StringNotLike", "ArnNotLike"):
        return all(not wildcard_match(w, v) for v in values for w in wanted)
    if base == "Bool":
        return any(v.lower() in [w.lower() for w in wanted] for v in values)
    if base == "Null":
        return str(wanted[0]).lower() == "false"
    return False  # an operator this evaluator does not know never grants access


def _statement_applies(statement: dict, action: str, resource: str, context: dict) -> bool:
    if not covers_action(statement, action):
        return False
    if "Resource" in statement and not _resource_matches(statement["Resource"], resource, context):
        return False
    if "NotResource" in statement and _resource_matches(statement["NotResource"], resource, context):
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


def principal_account(principal: str) -> str | None:
    """The account of a principal ARN (arn:aws:iam::<id>:..., arn:aws:sts::<id>:assumed-role/...); None for a
    service principal."""
    parts = str(principal).split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] in ("iam", "sts") and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


def _names_principal(value: str, principal: str) -> bool:
    """Whether one value of a Principal element (an AWS or Service entry) names the principal."""
    value = str(value)
    if value == "*":
        return True
    account = principal_account(principal)
    if ACCOUNT_ID.match(value):
        return account == value
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] == "iam":
        if parts[5] == "root":
            return account == parts[4]
        if parts[5].startswith("role/") and account == parts[4]:
            role_name = parts[5].rsplit("/", 1)[-1]
            session = f"arn:{parts[1]}:sts::{account}:assumed-role/{role_name}/"
            return principal == value or principal.startswith(session)
    return principal == value


def principal_matches(element, principal: str) -> bool:
    """Whether a statement's Principal (or NotPrincipal) element names the principal (an ARN, or a service name
    such as ec2.amazonaws.com)."""
    if element == "*":
        return True
    if isinstance(element, dict):
        return any(_names_principal(value, principal) for values in element.values() for value in as_list(values))
    return any(_names_principal(value, principal) for value in as_list(element))


def resource_policy_decision(documents: list[dict], principal: str, action: str, resource: str,
                             context: dict | None = None) -> str | None:
    """A resource policy's verdict for one request by principal: "Deny" (an explicit deny), "Allow", or None
    when no statement applies (an implicit deny)."""
    context = dict(context or {})
    account = principal_account(principal)
    if account and _lookup(context, "aws:PrincipalAccount") is None:
        context["aws:PrincipalAccount"] = account
    if _lookup(context, "aws:PrincipalArn") is None:
        context["aws:PrincipalArn"] = principal
    verdict = None
    for document in documents:
        for statement in statements(document):
            if "Principal" in statement and not principal_matches(statement["Principal"], principal):
                continue
            if "NotPrincipal" in statement and principal_matches(statement["NotPrincipal"], principal):
                continue
            if "Principal" not in statement and "NotPrincipal" not in statement:
                continue  # a resource policy statement without a principal names no one
            if not _statement_applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return "Deny"
            if statement.get("Effect") == "Allow":
                verdict = "Allow"
    return verdict


def endpoint_policy_allows(policy: dict, principal: str, action: str, resource: str,
                           context: dict | None = None) -> bool:
    """Whether a VPC endpoint policy lets the request through: a statement allows it and none denies it
    (AWS PrivateLink Guide, "Control access to VPC endpoints using endpoint policies")."""
    return resource_policy_decision([policy], principal, action, resource, context) == "Allow"


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


def _names_principal_directly(element, principal: str) -> bool:
    """Whether a Principal element names the principal itself (its ARN or its role), not only its account."""
    values = [element] if element == "*" else (
        [v for vs in element.values() for v in as_list(vs)] if isinstance(element, dict) else as_list(element))
    for raw in values:
        value = str(raw)
        if value == "*" or ACCOUNT_ID.match(value) or value.endswith(":root"):
            continue
        if _names_principal(value, principal):
            return True
    return False


def same_account_decision(resource_policy: dict | None, identity_documents: list[dict] | None, principal: str,
                          action: str, resource: str, context: dict | None = None,
                          resource_policy_required: bool = True) -> bool:
    """Whether a principal of the resource's own account may act on a resource that has a resource policy (a
    role's trust policy, a KMS key policy, a bucket policy), as AWS decides it (IAM User Guide, "Policy evaluation
    logic" - same account; "Determining whether a request is allowed or denied within an account"; AWS KMS
    Developer Guide, "Default key policy": a statement naming the account root "enables IAM policies"): an explicit
    deny in either policy refuses; a resource policy statement naming the principal itself allows on its own; one
    naming only the account (``arn:aws:iam::<id>:root``) delegates to the principal's identity policies, which must
    then allow it. KMS keys and role trust need that resource policy grant (``resource_policy_required``); S3
    buckets do not: an identity policy allowing the request is enough when the bucket policy does not deny it.
    ``identity_documents`` None means the resource policy alone decides."""
    resource_policy = resource_policy or {"Statement": []}
    context = dict(context or {})
    account = principal_account(principal)
    if account and _lookup(context, "aws:PrincipalAccount") is None:
        context["aws:PrincipalAccount"] = account
    if _lookup(context, "aws:PrincipalArn") is None:
        context["aws:PrincipalArn"] = principal
    verdict = resource_policy_decision([resource_policy], principal, action, resource, context)
    if verdict == "Deny":
        return False
    identity = None
    if identity_documents is not None:
        identity_deny = any(_statement_applies(s, action, resource, context) and s.get("Effect") == "Deny"
                            for d in identity_documents for s in statements(d))
        if identity_deny:
            return False
        identity = is_allowed(identity_documents, action, resource, context)
    direct = [s for s in statements(resource_policy) if "Principal" in s
              and _names_principal_directly(s["Principal"], principal)]
    if direct and resource_policy_decision([{"Statement": direct}], principal, action, resource, context) == "Allow":
        return True
    if identity_documents is None:
        return verdict == "Allow"
    if not resource_policy_required:
        return verdict == "Allow" or bool(identity)
    return verdict == "Allow" and bool(identity)
