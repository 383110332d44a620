# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the collection's AWS modules and the roles' drift filters.

The retrying client every AWS module of the collection uses (with botocore's data loaded once per
interpreter, ``_interpreter_patches.share_botocore_data``), and the tag and policy comparisons the
drift filters and the EC2 modules make the way amazon.aws's modules make them (so "no difference"
means the module would report changed=false). ``policies_differ`` is the collection's one policy
comparison.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._interpreter_patches import (
    share_botocore_data,
)


def retrying_client(module, service, extra_error_codes=None):
    """The boto3 client of an AnsibleAWSModule; calls made with ``aws_retry=True`` back off with jitter.

    AWSRetry retries throttling and "unavailable" by itself; extra_error_codes are the service's own
    retryable codes (eventual consistency, a throttling code AWSRetry does not know).
    """
    share_botocore_data()
    retry = AWSRetry.jittered_backoff(retries=8, delay=1, max_delay=20,
                                      catch_extra_error_codes=list(extra_error_codes or []))
    return module.client(service, retry_decorator=retry)


def kms_alias_name(alias):
    """A KMS alias as KMS names it (``alias/<name>``), given with or without the prefix."""
    alias = str(alias)
    return alias if alias.startswith("alias/") else "alias/" + alias


def plain_tags(tags):
    """Tags as AWS stores them: every key and value a string (None: no tags)."""
    return {str(key): str(value) for key, value in (tags or {}).items()}


def tags_differ(current, wanted):
    """Whether amazon.aws (purge_tags=true) would set or unset a tag.

    wanted None: tags unmanaged, never a difference. current None: tags unreadable, the module would write them.
    """
    if wanted is None:
        return False
    if current is None:
        return True
    to_set, to_unset = compare_aws_tags(dict(current), dict(wanted), purge_tags=True)
    return bool(to_set or to_unset)


def parse_policy(policy):
    """A policy document given as a JSON string or a dict, as a dict (``None`` stays ``None``).

    Raises ValueError when the string is not JSON.
    """
    if policy is None or isinstance(policy, dict):
        return policy
    return json.loads(policy)


def policies_differ(current, wanted):
    """Whether two policy documents differ as amazon.aws compares them; anything but two dicts differs.

    The collection's one policy comparison (modules and drift filters alike): amazon.aws's
    ``compare_policies``, which ignores statement and list order, a single value against a one-item
    list, and an absent Version against the default 2008-10-17.
    """
    if not isinstance(current, dict) or not isinstance(wanted, dict):
        return True
    return compare_policies(current, wanted)
