"""S3 checks real AWS makes (or S3 behaviours a deployment relies on) that moto 5.2 leaves out or gets wrong, applied
to moto's classes in the sandbox's process (``sandbox.aws_strictness.apply_all`` calls ``apply_all`` here).

Each patch names the AWS documentation it follows (docs/fidelity.md has a row for each):

- ``patch_bucket_acls_with_owner_enforced``: PutBucketAcl on a bucket whose Object Ownership is BucketOwnerEnforced
  (ACLs disabled) is refused with AccessControlListNotSupported unless the ACL only grants the owner (S3 User Guide,
  "Controlling ownership of objects and disabling ACLs for your bucket": "requests to set ACLs or update ACLs fail
  and return the AccessControlListNotSupported error code", the bucket-owner-full-control ACL or equivalent
  excepted);
- ``patch_access_log_targets``: PutBucketLogging checks the target's bucket policy as S3 evaluates it (moto compares
  the Resource with three literal strings, so a grant on the target's prefix with wildcards, a Resource list or the
  aws:SourceArn / aws:SourceAccount conditions AWS recommends fail or pass wrongly), and refuses a target S3 would
  never deliver to: one with SSE-KMS default encryption, or with an Object Lock default retention (S3 User Guide,
  "Enabling Amazon S3 server access logging": the destination bucket may use default encryption only with SSE-S3,
  and "must not have a default retention period configuration"). AWS accepts the call and delivers nothing; the
  sandbox refuses it, so the misconfiguration shows instead of passing silently;
- ``patch_object_lock_versioning``: PutBucketVersioning cannot suspend versioning on a bucket with Object Lock enabled
  (S3 User Guide, "Configuring S3 Object Lock": "you can't disable Object Lock or suspend versioning for the
  bucket"; InvalidBucketState);
- ``patch_object_lock_configuration``: PutObjectLockConfiguration changes the default retention of a bucket that has
  objects (moto refuses with "Bucket needs to be empty"; AWS applies it to new objects), refuses a retention of zero
  or negative days/years (InvalidArgument, API reference DefaultRetention: a positive integer) and
  GetObjectLockConfiguration answers only the unit that was set (moto adds "Years": 0 to a retention in days, which
  makes amazon.aws.s3_bucket rewrite the retention on every run);
- ``patch_bucket_policy_permission`` (a moto bug): moto checks a bucket's policy before DeleteObjects and before
  a request on an existing object, and answers "denied" for any Deny statement whose action and resource match,
  whatever its conditions - so the TLS-only statement every bucket of the collection has ("Deny s3:* when
  aws:SecureTransport is false") refused every DeleteObjects, and emptying a bucket failed. The policy is evaluated
  as AWS does instead (IAM User Guide, "Policy evaluation logic"; a statement applies only when its conditions
  hold), for the request as the sandbox stands for it: over TLS (the loopback endpoint stands for an https one). Only
  statements for every principal ("*") take part, as moto passes no caller; a condition on a key the request does
  not carry does not hold.
"""

import json

from .policy_documents import as_list, covers_action, statements, wildcard_match

LOGGING_SERVICE = "logging.s3.amazonaws.com"
OWNER_ENFORCED = "BucketOwnerEnforced"


def _s3_error(code, message):
    from moto.s3.exceptions import S3ClientError

    class Refused(S3ClientError):
        def __init__(self):
            super().__init__(code, message)

    Refused.code = 400
    return Refused()


# --- ACLs off (BucketOwnerEnforced) --------------------------------------------------------------------------
def acl_grants_only_owner(acl, owner_id):
    """True for an ACL (moto FakeAcl) that grants nothing but to the bucket owner (the private /
    bucket-owner-full-control ACLs S3 still accepts on a bucket with ACLs disabled)."""
    for grant in getattr(acl, "grants", None) or []:
        for grantee in grant.grantees:
            if getattr(grantee, "uri", None) or getattr(grantee, "id", owner_id) not in (owner_id, None, ""):
                return False
    return True


def _owner_enforced(bucket):
    rule = getattr(bucket, "ownership_rule", None)  # moto keeps the ObjectOwnership value itself
    return (rule.get("ObjectOwnership") if isinstance(rule, dict) else rule) == OWNER_ENFORCED


def patch_bucket_acls_with_owner_enforced():
    from moto.s3.models import OWNER, S3Backend

    put_bucket_acl = S3Backend.put_bucket_acl

    def checked_put_bucket_acl(self, bucket_name, acl):
        bucket = self.get_bucket(bucket_name)
        if _owner_enforced(bucket) and not acl_grants_only_owner(acl, OWNER):
            raise _s3_error("AccessControlListNotSupported", "The bucket does not allow ACLs")
        return put_bucket_acl(self, bucket_name, acl)

    S3Backend.put_bucket_acl = checked_put_bucket_acl


# --- server access logging -----------------------------------------------------------------------------------
def _condition_holds(operator, key, expected, context):
    """The condition operators a log-delivery grant uses; any other operator never grants (it can only deny)."""
    present = key in context
    if operator.endswith("IfExists"):
        if not present:
            return True
        operator = operator[:-len("IfExists")]
    if not present:
        return False
    value, wanted = str(context[key]), [str(item) for item in as_list(expected)]
    if operator in ("StringEquals", "ArnEquals"):
        return value in wanted
    if operator in ("StringLike", "ArnLike"):
        return any(wildcard_match(pattern, value) for pattern in wanted)
    if operator == "StringNotEquals":
        return value not in wanted
    if operator in ("StringNotLike", "ArnNotLike"):
        return not any(wildcard_match(pattern, value) for pattern in wanted)
    return False


def _names_logging_service(statement):
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and LOGGING_SERVICE in as_list(principal.get("Service"))


def log_delivery_allowed(policy_document, target_arn, target_prefix, source_arn, source_account):
    """Whether a target bucket's policy lets the S3 logging service put a log object under target_prefix for the
    source bucket: an Allow for logging.s3.amazonaws.com covering s3:PutObject on such a key whose conditions hold,
    and no Deny that applies (IAM User Guide, "Policy evaluation logic")."""
    try:
        policy_statements = statements(json.loads(policy_document))
    except (TypeError, ValueError, AttributeError):
        return False
    resource = "%s/%s%s" % (target_arn, target_prefix or "", "2026-01-01-00-00-00-0123456789ABCDEF")
    context = {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account}
    allowed = False
    for statement in policy_statements:
        if not isinstance(statement, dict) or not _names_logging_service(statement):
            continue
        if not covers_action(statement, "s3:PutObject"):
            continue
        if "Resource" in statement and not any(wildcard_match(pattern, resource)
                                               for pattern in as_list(statement["Resource"])):
            continue
        if "NotResource" in statement and any(wildcard_match(pattern, resource)
                                              for pattern in as_list(statement["NotResource"])):
            continue
        conditions = statement.get("Condition") or {}
        if not all(_condition_holds(operator, key, expected, context)
                   for operator, keys in conditions.items() for key, expected in keys.items()):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def default_encryption_algorithm(bucket):
    """The SSE algorithm of a moto bucket's default encryption, None without one."""
    encryption = getattr(bucket, "encryption", None) or {}
    rules = as_list(encryption.get("Rule")) if isinstance(encryption, dict) else []
    for rule in rules:
        default = (rule or {}).get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm"):
            return default["SSEAlgorithm"]
    return None


def access_log_target_problem(target_bucket, target_prefix, source_bucket):
    """Why S3 would not deliver the source bucket's access logs to the target (None when it would)."""
    algorithm = default_encryption_algorithm(target_bucket)
    if algorithm and algorithm != "AES256":
        return ("The target bucket for logging uses default encryption %s; server access logs can be delivered only "
                "to a bucket with SSE-S3 (AES256) default encryption" % algorithm)
    if getattr(target_bucket, "default_lock_mode", None):
        return ("The target bucket for logging has an Object Lock default retention; server access logs cannot be "
                "delivered to it")
    policy = target_bucket.policy.decode() if isinstance(target_bucket.policy, bytes) else target_bucket.policy
    acl_grant = type(target_bucket)._log_permissions_enabled_acl(target_bucket=target_bucket)
    if not acl_grant and not (policy and log_delivery_allowed(policy, target_bucket.arn, target_prefix,
                                                               source_bucket.arn, source_bucket.account_id)):
        return ("You must either provide the necessary permissions to the logging service using a bucket policy or "
                "give the log-delivery group WRITE and READ_ACP permissions to the target bucket")
    return None


def patch_access_log_targets():
    """moto's FakeBucket.set_logging, with S3's evaluation of the target's policy instead of moto's literal
    comparison, and the targets S3 cannot deliver to refused; the other checks as moto makes them."""
    from moto.s3.exceptions import CrossLocationLoggingProhibited, InvalidTargetBucketForLogging
    from moto.s3.models import FakeBucket

    def checked_set_logging(self, logging_config, bucket_backend):
        if not logging_config:
            self.logging = {}
            return
        target = bucket_backend.buckets.get(logging_config["TargetBucket"])
        if not target:
            raise InvalidTargetBucketForLogging("The target bucket for logging does not exist.")
        problem = access_log_target_problem(target, logging_config.get("TargetPrefix"), self)
        if problem:
            raise InvalidTargetBucketForLogging(problem)
        if target.region_name != self.region_name:
            raise CrossLocationLoggingProhibited()
        self.logging = logging_config

    FakeBucket.set_logging = checked_set_logging


# --- Object Lock ---------------------------------------------------------------------------------------------
def patch_object_lock_versioning():
    from moto.s3.models import S3Backend

    put_bucket_versioning = S3Backend.put_bucket_versioning

    def checked_put_bucket_versioning(self, bucket_name, status):
        bucket = self.get_bucket(bucket_name)
        if getattr(bucket, "object_lock_enabled", False) and status != "Enabled":
            raise _s3_error("InvalidBucketState",
                            "An Object Lock configuration is present on this bucket, so the versioning state cannot "
                            "be changed.")
        return put_bucket_versioning(self, bucket_name, status)

    S3Backend.put_bucket_versioning = checked_put_bucket_versioning


def patch_object_lock_configuration():
    from moto.s3.models import S3Backend

    put_configuration = S3Backend.put_object_lock_configuration
    get_configuration = S3Backend.get_object_lock_configuration

    def checked_put(self, bucket_name, lock_enabled, mode=None, days=None, years=None):
        bucket = self.get_bucket(bucket_name)
        if mode is not None and (not (days or years) or (days or 0) < 0 or (years or 0) < 0):
            raise _s3_error("InvalidArgument", "Default retention period must be a positive integer value.")
        if getattr(bucket, "object_lock_enabled", False) and bucket.is_versioned:
            # AWS changes the default retention of a bucket with objects (it applies to new versions).
            bucket.default_lock_mode = mode
            bucket.default_lock_days = int(days or 0)  # moto computes retention dates from both
            bucket.default_lock_years = int(years or 0)
            return None
        return put_configuration(self, bucket_name, lock_enabled, mode=mode, days=days, years=years)

    def answered(self, bucket_name):
        lock_enabled, mode, days, years = get_configuration(self, bucket_name)
        return lock_enabled, mode, (int(days) if days else None), (int(years) if years else None)

    S3Backend.put_object_lock_configuration = checked_put
    S3Backend.get_object_lock_configuration = answered


# --- bucket policies on object requests (moto bug) --------------------------------------------------------------
def _for_everyone(statement):
    principal = statement.get("Principal")
    return principal == "*" or (isinstance(principal, dict) and as_list(principal.get("AWS")) == ["*"])


def bucket_policy_permission(policy_document, action, resource):
    """"DENIED", "PERMITTED" or "NEUTRAL": the verdict of the statements for every principal on a request over TLS."""
    from sandbox.databricks_emulator.aws.iam_policy import is_allowed

    try:
        policy_statements = statements(json.loads(policy_document))
    except (TypeError, ValueError, AttributeError):
        return "NEUTRAL"
    context = {"aws:SecureTransport": "true"}
    verdict = "NEUTRAL"
    for statement in policy_statements:
        if not isinstance(statement, dict) or not _for_everyone(statement):
            continue
        if not is_allowed([{"Statement": [dict(statement, Effect="Allow")]}], action, resource, context):
            continue  # the statement does not apply to this request
        if statement.get("Effect") == "Deny":
            return "DENIED"
        verdict = "PERMITTED"
    return verdict


def patch_bucket_policy_permission():
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self, action, resource):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
        return getattr(PermissionResult, bucket_policy_permission(policy, action, resource))

    FakeBucket.get_permission = get_permission


def apply_all():
    patch_bucket_policy_permission()
    patch_bucket_acls_with_owner_enforced()
    patch_access_log_targets()
    patch_object_lock_versioning()
    patch_object_lock_configuration()
