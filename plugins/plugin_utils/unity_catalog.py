# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unity_catalog role's desired state (filter unity_catalog_desired) and preflight (filter
unity_catalog_input_errors), from a dict of its input variables."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

SECURABLE_TYPES = ("catalog", "schema", "external_location", "storage_credential", "metastore", "table", "volume")
# Privileges per securable type (databricks-sdk catalog.Privilege; Databricks' "Unity Catalog privileges and
# securable objects"): a catalog or schema grant also names what its tables and volumes inherit.
_INHERITED = ("USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE", "CREATE_VIEW", "CREATE_FUNCTION", "CREATE_MODEL",
              "CREATE_VOLUME", "CREATE_MATERIALIZED_VIEW", "READ_VOLUME", "WRITE_VOLUME", "EXECUTE", "REFRESH",
              "APPLY_TAG", "BROWSE", "MANAGE", "ALL_PRIVILEGES", "EXTERNAL_USE_SCHEMA")
PRIVILEGES = {
    "catalog": ("USE_CATALOG", "CREATE_SCHEMA", *_INHERITED),
    "schema": _INHERITED,
    "external_location": ("READ_FILES", "WRITE_FILES", "CREATE_EXTERNAL_TABLE", "CREATE_EXTERNAL_VOLUME",
                          "CREATE_MANAGED_STORAGE", "BROWSE", "MANAGE", "ALL_PRIVILEGES", "EXTERNAL_USE_LOCATION"),
}
LAYER_PRIVILEGE_VARIABLES = ("unity_catalog_read_only_location_privileges",
                             "unity_catalog_all_access_location_privileges")
CATALOG_PRIVILEGE_VARIABLES = ("unity_catalog_read_only_catalog_privileges",
                               "unity_catalog_all_access_catalog_privileges")


def privilege(name):
    """USE CATALOG / use_catalog -> USE_CATALOG."""
    return re.sub(r"[\s-]+", "_", str(name).strip()).upper()


def unity_catalog_desired(inputs):
    """external_locations, schemas and grants of the role (see vars/main.yml)."""
    inputs = dict(inputs or {})
    catalog = inputs["unity_catalog_catalog_name"]
    prefix = inputs["unity_catalog_external_location_prefix"]
    credential = inputs["unity_catalog_storage_credential_name"]
    external = set(inputs.get("unity_catalog_externally_managed_grants") or [])
    read_group, write_group = inputs["unity_catalog_read_only_group"], inputs["unity_catalog_all_access_group"]

    def grants_of(read, write):
        return [{"principal": read_group, "privileges": [privilege(p) for p in inputs[read]]},
                {"principal": write_group, "privileges": [privilege(p) for p in inputs[write]]}]

    def securable(kind, name, grants):
        key = "%s:%s" % (kind, name)
        return {"securable_type": kind, "full_name": name, "grants": grants, "exclusive": key not in external}

    catalog_location = "%s-catalog" % prefix
    locations = [{"name": catalog_location, "url": "s3://%s/" % inputs["unity_catalog_catalog_bucket"],
                  "comment": "Managed storage of the catalog %s" % catalog}]
    layers = [{"name": "%s-%s" % (prefix, layer), "url": "s3://%s/" % bucket, "comment": "Data lake layer %s" % layer}
              for layer, bucket in sorted((inputs.get("unity_catalog_layer_buckets") or {}).items())]
    locations += layers
    schemas = [{"name": name, "comment": "Layer %s of deployment %s" % (name, inputs.get("deployment_prefix"))}
               for name in inputs.get("unity_catalog_schemas") or []]
    grants = [securable("catalog", catalog, grants_of(*CATALOG_PRIVILEGE_VARIABLES))]
    grants += [securable("schema", "%s.%s" % (catalog, schema["name"]), []) for schema in schemas]
    grants += [securable("external_location", catalog_location, []), securable("storage_credential", credential, [])]
    grants += [securable("external_location", layer["name"], grants_of(*LAYER_PRIVILEGE_VARIABLES)) for layer in layers]
    key = inputs.get("unity_catalog_storage_kms_key_arn")
    if key:  # SSE-KMS on Unity Catalog's writes: the buckets' policies deny uploads without it
        for location in locations:
            location["encryption_details"] = {"sse_encryption_details": {"algorithm": "AWS_SSE_KMS",
                                                                         "aws_kms_key_arn": key}}
    return {"external_locations": locations, "schemas": schemas, "grants": grants,
            "storage_root": "s3://%s/" % inputs["unity_catalog_catalog_bucket"]}


def _name_errors(inputs):
    errors = []
    for name in ("unity_catalog_catalog_name",):
        value = inputs.get(name)
        if not isinstance(value, str) or not v.UC_LOWERCASE_NAME_PATTERN.match(value):
            errors.append("%s: '%s' is not a catalog name Unity Catalog keeps as written: lowercase letters, digits, "
                          "'_' and '-', at most 255 characters" % (name, value))
    schemas = inputs.get("unity_catalog_schemas")
    if not isinstance(schemas, list) or not schemas:
        errors.append("unity_catalog_schemas: must be a non-empty list of schema names, got %s" % v.show(schemas))
    else:
        errors += ["unity_catalog_schemas: '%s' is not a schema name Unity Catalog keeps as written: lowercase "
                   "letters, digits, '_' and '-', at most 255 characters" % schema
                   for schema in schemas
                   if not isinstance(schema, str) or not v.UC_LOWERCASE_NAME_PATTERN.match(schema)]
        if len(set(schemas)) != len(schemas):
            repeated = sorted(set(s for s in schemas if schemas.count(s) > 1))
            errors.append("unity_catalog_schemas: names repeat (%s)" % ", ".join(repeated))
    for name in ("unity_catalog_metastore_name", "unity_catalog_storage_credential_name",
                 "unity_catalog_external_location_prefix"):
        value = inputs.get(name)
        if name in inputs and (not isinstance(value, str) or not v.UC_NAME_PATTERN.match(value)):
            errors.append("%s: '%s' is not a Unity Catalog name (1 to 255 characters, no period, space, '/' or control "
                          "character)" % (name, value))
    for name in ("unity_catalog_read_only_group", "unity_catalog_all_access_group"):
        value = inputs.get(name)
        if name in inputs and (not isinstance(value, str) or not value.strip()):
            errors.append("%s: must name an account group, got %s" % (name, v.show(value)))
    return errors


def _privilege_errors(inputs):
    errors = []
    for names, kind in ((CATALOG_PRIVILEGE_VARIABLES, "catalog"), (LAYER_PRIVILEGE_VARIABLES, "external_location")):
        for name in names:
            value = inputs.get(name)
            if name not in inputs:
                continue
            if not isinstance(value, list):
                errors.append("%s: must be a list of privileges, got %s" % (name, v.show(value)))
                continue
            wrong = [p for p in value if privilege(p) not in PRIVILEGES[kind]]
            if wrong:
                errors.append("%s: %s cannot be granted on %s (valid: %s)"
                              % (name, ", ".join(str(p) for p in wrong),
                                 "a catalog" if kind == "catalog" else "an external location",
                                 ", ".join(PRIVILEGES[kind])))
    return errors


def _external_grant_errors(inputs):
    listed = inputs.get("unity_catalog_externally_managed_grants")
    if listed is None:
        return []
    if not isinstance(listed, list):
        return ["unity_catalog_externally_managed_grants: must be a list of '<securable type>:<full name>', got %s"
                % v.show(listed)]
    return ["unity_catalog_externally_managed_grants: '%s' is not '<securable type>:<full name>' with a type among %s"
            % (entry, ", ".join(SECURABLE_TYPES)) for entry in listed
            if not isinstance(entry, str) or ":" not in entry or entry.split(":", 1)[0] not in SECURABLE_TYPES
            or not entry.split(":", 1)[1]]


def _bucket_errors(inputs):
    errors = []
    key = inputs.get("unity_catalog_storage_kms_key_arn")
    if key and not (isinstance(key, str) and (v.KEY_ARN_PATTERN.match(key) or v.KEY_ALIAS_ARN_PATTERN.match(key))):
        errors.append("unity_catalog_storage_kms_key_arn: %s is not a KMS key ARN or alias ARN; it defaults to "
                      "storage_encryption_outputs.datalake_key_arn" % v.show(key))
    if "unity_catalog_catalog_bucket" in inputs:
        errors += v.check_bucket_name("unity_catalog_catalog_bucket", inputs["unity_catalog_catalog_bucket"])
    buckets = inputs.get("unity_catalog_layer_buckets")
    if buckets is not None:
        if not isinstance(buckets, dict):
            errors.append("unity_catalog_layer_buckets: must map layer names to bucket names, got %s" % v.show(buckets))
        else:
            for layer, bucket in sorted(buckets.items()):
                errors += v.check_bucket_name("unity_catalog_layer_buckets.%s" % layer, bucket)
    return errors


def unity_catalog_input_errors(inputs):
    """One message per broken rule of the unity_catalog role's inputs."""
    inputs = dict(inputs or {})
    errors = _name_errors(inputs) + _privilege_errors(inputs) + _external_grant_errors(inputs) + _bucket_errors(inputs)
    if "unity_catalog_propagation_timeout" in inputs:
        errors += v.check_positive_int("unity_catalog_propagation_timeout", inputs["unity_catalog_propagation_timeout"])
    return errors
