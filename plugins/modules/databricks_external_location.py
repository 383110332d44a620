#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_external_location
short_description: Manage a Unity Catalog external location (an S3 path and its storage credential)
version_added: 0.1.0
description:
  - Creates (C(POST /api/2.1/unity-catalog/external-locations)), updates (C(PATCH .../external-locations/<name>))
    or deletes an external location of the metastore assigned to the workspace, found by O(name).
  - Unless O(skip_validation=true), Databricks checks on creation and update that the credential's role can be
    assumed and reaches the URL. While a new or changed IAM role or trust has not propagated in AWS yet, that
    check fails; the module retries those validation errors for up to O(propagation_timeout) seconds and fails
    at once on any other error (an overlapping URL, an unknown credential, ...).
  - A trailing slash of O(url) does not count as a difference. The owner is set by an update after the creation.
  - Needs a metastore admin or the C(CREATE_EXTERNAL_LOCATION) privilege on the metastore and the credential.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description:
      - Name of the external location, unique in the metastore.
      - Required unless O(locations) is given.
    type: str
  locations:
    description:
      - Several external locations, converged in one run instead of a loop of tasks; they are read and changed
        side by side (up to 8 requests in flight).
      - An option an entry does not set is the module's (O(url), O(credential_name), O(comment), O(owner),
        O(encryption_details)); O(read_only), O(skip_validation), O(propagation_timeout), O(force) and O(state)
        apply to every one. Each entry is checked before any location is read or changed. Mutually exclusive with
        O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the external location, unique in the metastore.
        type: str
        required: true
      url:
        description: As O(url).
        type: str
      credential_name:
        description: As O(credential_name).
        type: str
      comment:
        description: As O(comment).
        type: str
      owner:
        description: As O(owner).
        type: str
      encryption_details:
        description: As O(encryption_details).
        type: dict
        suboptions:
          sse_encryption_details:
            description: SSE settings of the S3 requests.
            type: dict
            suboptions:
              algorithm:
                description: V(AWS_SSE_KMS) or V(AWS_SSE_S3).
                type: str
                choices: [AWS_SSE_KMS, AWS_SSE_S3]
                required: true
              aws_kms_key_arn:
                description: The KMS key of SSE-KMS; only with V(AWS_SSE_KMS).
                type: str
  url:
    description: The storage path, for example V(s3://lakehouse-dev-raw/). Required when O(state=present).
    type: str
  credential_name:
    description: Name of the storage credential that reaches O(url). Required when O(state=present).
    type: str
  comment:
    description: Free-text comment (not managed when omitted).
    type: str
  read_only:
    description: Whether the location may only be used for read operations.
    type: bool
    default: false
  owner:
    description: The owning user, service principal (application id) or account group (not managed when omitted;
      Databricks makes the caller the owner).
    type: str
  encryption_details:
    description:
      - The server-side encryption Unity Catalog asks for when it writes under O(url) (not managed when omitted; V({})
        clears it). Its algorithm is the C(x-amz-server-side-encryption) header of those writes, so a bucket whose
        policy requires SSE-KMS (as the data lake buckets of this collection do) needs V(AWS_SSE_KMS) here.
    type: dict
    suboptions:
      sse_encryption_details:
        description: SSE settings of the S3 requests.
        type: dict
        suboptions:
          algorithm:
            description: V(AWS_SSE_KMS) (with O(encryption_details.sse_encryption_details.aws_kms_key_arn)) or
              V(AWS_SSE_S3).
            type: str
            choices: [AWS_SSE_KMS, AWS_SSE_S3]
            required: true
          aws_kms_key_arn:
            description: The KMS key of SSE-KMS (the C(x-amz-server-side-encryption-aws-kms-key-id) header); only with
              V(AWS_SSE_KMS).
            type: str
  skip_validation:
    description: Skip Databricks' validation of the credential against the URL on creation and update.
    type: bool
    default: false
  propagation_timeout:
    description: Seconds to keep retrying the validation errors Databricks answers while IAM is still propagating.
    type: int
    default: 120
  force:
    description:
      - With O(state=absent), delete the location even when tables or volumes depend on it.
      - With O(state=present), sent with an update, so Databricks accepts a new URL for a location that tables,
        volumes or managed storage depend on.
    type: bool
    default: false
  state:
    description: Whether the external location should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: The raw bucket as an external location
  lakehouse.databricks_aws.databricks_external_location:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    name: lakehouse-dev-raw
    url: s3://lakehouse-dev-raw/
    credential_name: lakehouse-dev-credential
    encryption_details:
      sse_encryption_details:
        algorithm: AWS_SSE_KMS
        aws_kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    propagation_timeout: 180

- name: Two layers, one task
  lakehouse.databricks_aws.databricks_external_location:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    credential_name: lakehouse-dev-credential
    locations:
      - name: lakehouse-dev-raw
        url: s3://lakehouse-dev-raw/
      - name: lakehouse-dev-trusted
        url: s3://lakehouse-dev-trusted/
"""

RETURN = r"""
external_location:
  description: The external location as Databricks holds it (null when absent). In check mode, as it would be.
  returned: with O(name)
  type: dict
  sample:
    name: lakehouse-dev-raw
    url: s3://lakehouse-dev-raw/
    credential_name: lakehouse-dev-credential
    read_only: false
    encryption_details:
      sse_encryption_details:
        algorithm: AWS_SSE_KMS
        aws_kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    owner: 8f4e3d2c-1111-2222-3333-444455556666
    metastore_id: 11111111-2222-3333-4444-555555555555
locations:
  description: One entry per location of O(locations), in the order given, each with its C(name), C(changed) and
    C(external_location) as above.
  returned: with O(locations)
  type: list
  elements: dict
  sample:
    - name: lakehouse-dev-raw
      changed: false
      external_location: {name: lakehouse-dev-raw, url: "s3://lakehouse-dev-raw", read_only: false}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import (
    DatabricksModule,
    ItemView,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_unity_catalog import (
    Securable,
    SecurableSpec,
    ensure_absent,
    ensure_present,
    is_iam_propagation_error,
    strip_slash,
)

ENCRYPTION_OPTIONS = dict(
    sse_encryption_details=dict(type="dict", options=dict(
        algorithm=dict(type="str", required=True, choices=["AWS_SSE_KMS", "AWS_SSE_S3"]),
        aws_kms_key_arn=dict(type="str", no_log=False),  # an ARN, not a secret
    )),
)


def encryption(details):
    """encryption_details without its unset members ({} when there is no SSE setting)."""
    sse = dict((k, v) for k, v in ((details or {}).get("sse_encryption_details") or {}).items() if v is not None)
    return {"sse_encryption_details": sse} if sse else {}


def project(location):
    return {"url": strip_slash(location.get("url")), "credential_name": location.get("credential_name"),
            "comment": location.get("comment"), "read_only": bool(location.get("read_only")),
            "encryption_details": encryption(location.get("encryption_details")), "owner": location.get("owner")}


def check(module, params):
    """Fail on what Databricks would refuse, before anything is read or changed."""
    what = "external location %s: " % params["name"] if module.params["locations"] is not None else ""
    if params["state"] == "present":
        missing = [key for key in ("url", "credential_name") if not params.get(key)]
        if missing:
            module.fail("%sstate is present but all of the following are missing: %s" % (what, ", ".join(missing)),
                        error_code="INVALID_PARAMETER_VALUE")
    if params["encryption_details"] is not None:
        sse = (params["encryption_details"].get("sse_encryption_details") or {})
        if sse.get("aws_kms_key_arn") and sse.get("algorithm") != "AWS_SSE_KMS":
            module.fail("%sencryption_details.sse_encryption_details.aws_kms_key_arn is only for AWS_SSE_KMS" % what,
                        error_code="INVALID_PARAMETER_VALUE")


def converge(module):
    """One external location (module.params) as wanted."""
    params = module.params
    retries = dict(retry_if=is_iam_propagation_error,
                   retry_timeout=max(params["propagation_timeout"], params.get("retry_timeout") or 0))
    location = Securable(module, "external-locations", params["name"], "external location", call_kwargs=retries)
    if params["state"] == "absent":
        return ensure_absent(module, location, params["force"], "external_location", project=project)
    desired = dict(url=strip_slash(params["url"]), credential_name=params["credential_name"],
                   comment=params["comment"], read_only=params["read_only"], owner=params["owner"],
                   encryption_details=None if params["encryption_details"] is None
                   else encryption(params["encryption_details"]))
    spec = SecurableSpec(desired, project, ("url", "credential_name", "comment", "read_only", "encryption_details"),
                         to_api=lambda fields: dict(fields, url=params["url"]) if "url" in fields else fields,
                         create_extra=dict(name=params["name"], skip_validation=params["skip_validation"] or None),
                         update_extra=dict(skip_validation=params["skip_validation"] or None,
                                           force=params["force"] or None))
    return ensure_present(module, location, spec, "external_location")


def run(module):
    locations = module.params["locations"]
    if locations is None:
        check(module, module.params)
        return converge(module)
    views = [ItemView(module, location) for location in locations]
    for view in views:
        check(module, view.params)
    return module.run_each(converge, locations, "locations", identity=("name",))


def per_location_options():
    """The options an entry of locations may set as well as the module (unset there, the module's hold)."""
    return dict(
        url=dict(type="str"),
        credential_name=dict(type="str"),
        comment=dict(type="str"),
        owner=dict(type="str"),
        encryption_details=dict(type="dict", options=ENCRYPTION_OPTIONS),
    )


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str"),
            locations=dict(type="list", elements="dict",
                           options=dict(name=dict(type="str", required=True), **per_location_options())),
            read_only=dict(type="bool", default=False),
            skip_validation=dict(type="bool", default=False),
            propagation_timeout=dict(type="int", default=120),
            force=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            **per_location_options()
        ),
        api="workspace",
        required_one_of=[("name", "locations")],
        mutually_exclusive=[("name", "locations")],
    ).run(run)


if __name__ == "__main__":
    main()
