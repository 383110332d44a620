#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ec2_vpc_flow_log
short_description: Manage a VPC, subnet or network interface flow log
version_added: 0.1.0
description:
  - Ensures a flow log of one resource (a VPC by default) exists with the given destination, traffic type, record
    format and aggregation interval, or does not.
  - The flow log is identified by the resource and its C(Name) tag when O(tags) has a C(Name); otherwise by the
    resource, destination and traffic type.
  - AWS cannot modify a flow log. When the identified flow log differs in an attribute other than its tags (format,
    aggregation interval, traffic type, destination, destination options, delivery role), it is replaced - the new
    one is created first, then the old one deleted. Tags are updated in place.
  - Check mode predicts the result without calling any API that changes something; C(diff) shows the flow log before
    and after.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  state:
    description:
      - V(present) to ensure the flow log exists as specified, V(absent) to delete it.
      - With V(absent) the flow logs of O(resource_id) matching the C(Name) tag in O(tags), else O(log_destination),
        else all of them, are deleted.
    type: str
    choices: [present, absent]
    default: present
  resource_type:
    description:
      - The type of O(resource_id).
    type: str
    choices: [VPC, Subnet, NetworkInterface, TransitGateway, TransitGatewayAttachment]
    default: VPC
  resource_id:
    description:
      - The ID of the VPC, subnet, network interface or transit gateway (attachment) to log.
    required: true
    type: str
  traffic_type:
    description:
      - Which traffic to log. Not used for transit gateways (AWS logs all of it).
    type: str
    choices: [ACCEPT, REJECT, ALL]
    default: ALL
  log_destination_type:
    description:
      - Where the records go.
    type: str
    choices: [s3, cloud-watch-logs, kinesis-data-firehose]
    default: s3
  log_destination:
    description:
      - The ARN of the destination - an S3 bucket (optionally with a folder, C(arn:aws:s3:::bucket/prefix/)), a
        CloudWatch Logs log group or a Kinesis Data Firehose delivery stream.
      - Required when O(state=present).
    type: str
  deliver_logs_permission_arn:
    description:
      - The IAM role that delivers the records to CloudWatch Logs or, across accounts, to Firehose.
    type: str
  log_format:
    description:
      - The record format, fields as C(${field}) separated by spaces. AWS's default format when omitted.
    type: str
  max_aggregation_interval:
    description:
      - The longest interval, in seconds, over which a flow is captured into one record.
    type: int
    choices: [60, 600]
    default: 600
  destination_options:
    description:
      - Options of an S3 destination. When omitted they are not compared.
    type: dict
    suboptions:
      file_format:
        description: Format of the log files.
        type: str
        choices: [plain-text, parquet]
        default: plain-text
      hive_compatible_partitions:
        description: Use Hive-compatible prefixes.
        type: bool
        default: false
      per_hour_partition:
        description: Partition the files per hour instead of per day.
        type: bool
        default: false
attributes:
  check_mode:
    support: full
    description: Reports what would change; makes only read calls.
  diff_mode:
    support: full
    description: Returns the flow log's specification before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Flow logs of the VPC to the logging bucket, 60 s aggregation, custom format
  lakehouse.databricks_aws.ec2_vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    region: eu-west-1
    log_destination: arn:aws:s3:::demo-s3-logging/vpc-flow-logs/
    max_aggregation_interval: 60
    log_format: >-
      ${version} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${protocol}
      ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${tcp-flags}
      ${packets} ${bytes} ${start} ${end} ${action} ${log-status}
    tags:
      Name: demo-vpc-flow-log
  register: flow_log

- name: Remove it
  lakehouse.databricks_aws.ec2_vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    region: eu-west-1
    state: absent
    tags:
      Name: demo-vpc-flow-log
"""

RETURN = r"""
flow_log_id:
  description: The flow log ID; V(null) when absent, or in check mode for a flow log that would be created.
  returned: always
  type: str
  sample: fl-0123456789abcdef0
flow_log:
  description: The flow log as it is after the run (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    flow_log_id:
      description: The flow log ID.
      type: str
    resource_id:
      description: The logged resource.
      type: str
    traffic_type:
      description: ACCEPT, REJECT or ALL.
      type: str
    log_destination_type:
      description: s3, cloud-watch-logs or kinesis-data-firehose.
      type: str
    log_destination:
      description: The destination ARN.
      type: str
    deliver_logs_permission_arn:
      description: The delivery role, if any.
      type: str
    log_format:
      description: The record format.
      type: str
    max_aggregation_interval:
      description: The aggregation interval in seconds.
      type: int
    destination_options:
      description: Options of an S3 destination, when AWS reports them.
      type: dict
    deliver_logs_status:
      description: The delivery status reported by AWS.
      type: str
    tags:
      description: The flow log's tags.
      type: dict
deleted_flow_log_ids:
  description: Flow logs deleted (or that check mode would delete), replaced ones included.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws_ec2 import (
    describe_all,
    desired_tags,
    ec2_client,
    ensure_tags,
    tag_specifications,
    tags_of,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

DEAD_STATUSES = ("deleted", "deleting")
# The attributes AWS cannot change: a difference in any of them means a new flow log.
IMMUTABLE = ("resource_id", "traffic_type", "log_destination_type", "log_destination", "deliver_logs_permission_arn",
             "log_format", "max_aggregation_interval", "destination_options")


def describe_flow_logs(client, resource_id):
    flow_logs = describe_all(client, "describe_flow_logs", "FlowLogs",
                             [{"Name": "resource-id", "Values": [resource_id]}])
    return [flow_log for flow_log in flow_logs
            if flow_log.get("ResourceId") == resource_id
            and str(flow_log.get("FlowLogStatus", "ACTIVE")).lower() not in DEAD_STATUSES]


def normalise_destination(arn):
    """S3 destinations compare without a trailing slash (AWS stores what it is given)."""
    return arn.rstrip("/") if arn and arn.startswith("arn:aws") and ":s3:::" in arn else arn


def current_spec(flow_log):
    options = flow_log.get("DestinationOptions")
    return {
        "flow_log_id": flow_log["FlowLogId"],
        "resource_id": flow_log.get("ResourceId"),
        "traffic_type": flow_log.get("TrafficType"),
        "log_destination_type": flow_log.get("LogDestinationType"),
        "log_destination": flow_log.get("LogDestination") or flow_log.get("LogGroupName"),
        "deliver_logs_permission_arn": flow_log.get("DeliverLogsPermissionArn"),
        "log_format": flow_log.get("LogFormat"),
        "max_aggregation_interval": flow_log.get("MaxAggregationInterval"),
        "destination_options": None if options is None else {
            "file_format": options.get("FileFormat", "plain-text"),
            "hive_compatible_partitions": bool(options.get("HiveCompatiblePartitions")),
            "per_hour_partition": bool(options.get("PerHourPartition")),
        },
        "deliver_logs_status": flow_log.get("DeliverLogsStatus"),
        "tags": tags_of(flow_log),
    }


class FlowLog:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        params = module.params
        self.tags = params.get("tags")
        self.name = (self.tags or {}).get("Name")
        self.wanted = {
            "resource_id": params["resource_id"],
            "traffic_type": None if params["resource_type"].startswith("TransitGateway") else params["traffic_type"],
            "log_destination_type": params["log_destination_type"],
            "log_destination": params.get("log_destination"),
            "deliver_logs_permission_arn": params.get("deliver_logs_permission_arn"),
            "log_format": params.get("log_format"),
            "max_aggregation_interval": params["max_aggregation_interval"],
            "destination_options": params.get("destination_options"),
        }

    def identified(self, live):
        """The live flow logs that are "this" flow log (by Name tag, else by destination and traffic type)."""
        if self.name is not None:
            return [flow_log for flow_log in live if tags_of(flow_log).get("Name") == self.name]
        destination = normalise_destination(self.wanted["log_destination"])
        if destination is None:
            return list(live)
        return [flow_log for flow_log in live
                if normalise_destination(flow_log.get("LogDestination")) == destination
                and (self.wanted["traffic_type"] is None or flow_log.get("TrafficType") == self.wanted["traffic_type"])]

    def differences(self, current):
        """The immutable attributes in which ``current`` differs from the wanted flow log."""
        different = []
        for field in IMMUTABLE:
            wanted, have = self.wanted[field], current[field]
            if field == "log_destination":
                wanted, have = normalise_destination(wanted), normalise_destination(have)
            if field == "log_format" and wanted is not None:
                wanted, have = " ".join(wanted.split()), " ".join((have or "").split())
            if wanted is None and field in ("log_format", "destination_options", "deliver_logs_permission_arn",
                                            "traffic_type"):
                continue  # not asked for: whatever AWS chose is fine
            if field == "destination_options" and have is None:
                have = {"file_format": "plain-text", "hive_compatible_partitions": False, "per_hour_partition": False}
            if wanted != have:
                different.append(field)
        return different

    def ensure_present(self):
        live = self.identified(describe_flow_logs(self.client, self.wanted["resource_id"]))
        keep = next((flow_log for flow_log in live if not self.differences(current_spec(flow_log))), None)
        doomed = [flow_log for flow_log in live if flow_log is not keep]
        before = current_spec(live[0]) if live else {}
        changed = bool(doomed)
        if keep is not None:
            current = current_spec(keep)
            before = current
            try:
                changed |= ensure_tags(self.client, self.module, current["flow_log_id"], current["tags"], self.tags,
                                       self.module.params["purge_tags"])
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                raise ModuleFailure("Failed to tag flow log %s" % current["flow_log_id"], aws_error=exc) from exc
            result = dict(current, tags=desired_tags(current["tags"], self.tags, self.module.params["purge_tags"]))
        else:
            changed = True
            result = self.create()
        deleted = self.delete(doomed)
        if keep is not None and changed and not self.module.check_mode:
            result = self.reread(result["flow_log_id"]) or result
        return changed, result, deleted, before

    def create(self):
        predicted = dict(self.wanted, flow_log_id=None, deliver_logs_status=None,
                         tags=desired_tags({}, self.tags, True))
        if self.wanted["log_format"] is not None:
            predicted["log_format"] = " ".join(self.wanted["log_format"].split())
        if self.module.check_mode:
            return predicted
        params = {
            "ResourceIds": [self.wanted["resource_id"]],
            "ResourceType": self.module.params["resource_type"],
            "LogDestinationType": self.wanted["log_destination_type"],
            "LogDestination": self.wanted["log_destination"],
            "MaxAggregationInterval": self.wanted["max_aggregation_interval"],
        }
        if self.wanted["traffic_type"] is not None:
            params["TrafficType"] = self.wanted["traffic_type"]
        if self.wanted["log_format"] is not None:
            params["LogFormat"] = predicted["log_format"]
        if self.wanted["deliver_logs_permission_arn"]:
            params["DeliverLogsPermissionArn"] = self.wanted["deliver_logs_permission_arn"]
        options = self.wanted["destination_options"]
        if options is not None:
            params["DestinationOptions"] = {"FileFormat": options["file_format"],
                                            "HiveCompatiblePartitions": options["hive_compatible_partitions"],
                                            "PerHourPartition": options["per_hour_partition"]}
        if self.tags:
            params["TagSpecifications"] = tag_specifications("vpc-flow-log", self.tags)
        try:
            reply = self.client.create_flow_logs(aws_retry=True, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise ModuleFailure("Failed to create the flow log of %s" % self.wanted["resource_id"],
                                aws_error=exc) from exc
        if reply.get("Unsuccessful") or not reply.get("FlowLogIds"):
            errors = "; ".join("%s: %s" % (item.get("ResourceId"), item.get("Error", {}).get("Message"))
                               for item in reply.get("Unsuccessful", []))
            raise ModuleFailure("Failed to create the flow log of %s to %s: %s"
                                % (self.wanted["resource_id"], self.wanted["log_destination"], errors))
        return self.reread(reply["FlowLogIds"][0]) or dict(predicted, flow_log_id=reply["FlowLogIds"][0])

    def reread(self, flow_log_id):
        reply = self.client.describe_flow_logs(aws_retry=True, FlowLogIds=[flow_log_id])
        return current_spec(reply["FlowLogs"][0]) if reply.get("FlowLogs") else None

    def delete(self, doomed):
        ids = [flow_log["FlowLogId"] for flow_log in doomed]
        if ids and not self.module.check_mode:
            try:
                reply = self.client.delete_flow_logs(aws_retry=True, FlowLogIds=ids)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                raise ModuleFailure("Failed to delete flow logs %s" % ", ".join(ids), aws_error=exc) from exc
            failures = [item for item in reply.get("Unsuccessful", [])
                        if "NotFound" not in str(item.get("Error", {}).get("Code"))]
            if failures:
                raise ModuleFailure("Failed to delete flow logs: %s" % "; ".join(
                    "%s: %s" % (item.get("ResourceId"), item.get("Error", {}).get("Message")) for item in failures))
        return ids

    def ensure_absent(self):
        live = self.identified(describe_flow_logs(self.client, self.wanted["resource_id"]))
        before = current_spec(live[0]) if live else {}
        deleted = self.delete(live)
        return bool(deleted), {}, deleted, before


def run(module):
    flow_log = FlowLog(module, ec2_client(module))
    try:
        if module.params["state"] == "present":
            changed, result, deleted, before = flow_log.ensure_present()
        else:
            changed, result, deleted, before = flow_log.ensure_absent()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise ModuleFailure("Failed to read the flow logs of %s" % module.params["resource_id"],
                            aws_error=exc) from exc

    output = dict(changed=changed, flow_log=result, flow_log_id=result.get("flow_log_id"),
                  deleted_flow_log_ids=deleted)
    if module._diff:
        output["diff"] = dict(before=before, after=result)
    return output


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        resource_type=dict(type="str", default="VPC",
                           choices=["VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"]),
        resource_id=dict(type="str", required=True),
        traffic_type=dict(type="str", default="ALL", choices=["ACCEPT", "REJECT", "ALL"]),
        log_destination_type=dict(type="str", default="s3",
                                  choices=["s3", "cloud-watch-logs", "kinesis-data-firehose"]),
        log_destination=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        log_format=dict(type="str"),
        max_aggregation_interval=dict(type="int", default=600, choices=[60, 600]),
        destination_options=dict(type="dict", options=dict(
            file_format=dict(type="str", default="plain-text", choices=["plain-text", "parquet"]),
            hive_compatible_partitions=dict(type="bool", default=False),
            per_hour_partition=dict(type="bool", default=False),
        )),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_if=[("state", "present", ["log_destination"])])
    run_module(module, run)


if __name__ == "__main__":
    main()
