# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare the network role's desired VPC estate with what vpc_estate_info read.

Each amazon.aws network module reads its resource again on every run, several calls and one module
start-up per resource. The role reads the whole VPC once, compares here, and runs a module only for
the parts that differ. A part is reported as unchanged only when the amazon.aws module would report
changed=false; anything this comparison does not understand counts as a difference, so the module
decides. The filter network_drift (plugins/filter/network_drift.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import plain_tags
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_layout import name as resource_name

PARTS = ("vpc", "subnets", "internet_gateway", "elastic_ips", "nat_gateways", "public_route_table",
         "private_route_tables", "security_group", "workspace_security_group")
# What an isolated network (no route to the internet) does not have.
INTERNET_PARTS = ("internet_gateway", "elastic_ips", "nat_gateways", "public_route_table")
DEFAULT_ROUTE = "0.0.0.0/0"
COMPARABLE_RULE_KEYS = {"proto", "cidr_ip", "cidr_ipv6", "from_port", "to_port", "ports"}


def _tag_difference(what, current, wanted):
    """A reason when the tags differ (the modules purge tags they were not given)."""
    if plain_tags(current) == plain_tags(wanted):
        return []
    return ["%s: tags %s, want %s" % (what, plain_tags(current), plain_tags(wanted))]


def _port_ranges(rule):
    if "ports" in rule:
        ports = rule["ports"] if isinstance(rule["ports"], list) else [rule["ports"]]
        ranges = []
        for port in ports:
            low, _separator, high = str(port).partition("-")
            ranges.append((int(low), int(high or low)))
        return ranges
    if isinstance(rule.get("from_port"), int) and isinstance(rule.get("to_port"), int):
        return [(rule["from_port"], rule["to_port"])]
    return None


def desired_rule_set(rules):
    """(protocol, from, to, peer) tuples of amazon.aws security group rules; None when a rule is not comparable."""
    wanted = set()
    for rule in rules or []:
        if not isinstance(rule, dict) or set(rule) - COMPARABLE_RULE_KEYS:
            return None
        proto = str(rule.get("proto", "")).lower()
        if proto in ("all", "-1"):
            proto, ranges = "-1", [(None, None)]
        elif proto in ("tcp", "udp"):
            try:
                ranges = _port_ranges(rule)
            except ValueError:
                return None
        else:
            return None
        peers = []
        for key, kind in (("cidr_ip", "cidr"), ("cidr_ipv6", "cidr6")):
            values = rule.get(key)
            values = values if isinstance(values, list) else ([values] if values else [])
            peers.extend("%s:%s" % (kind, value) for value in values)
        if not ranges or not peers:
            return None
        wanted.update((proto, low, high, peer) for low, high in ranges for peer in peers)
    return wanted


def current_rule_set(permissions):
    """The same tuples for the ip_permissions(_egress) of a described security group."""
    current = set()
    for permission in permissions or []:
        proto = str(permission.get("ip_protocol"))
        low, high = (None, None) if proto == "-1" else (permission.get("from_port"), permission.get("to_port"))
        peers = ["cidr:%s" % item.get("cidr_ip") for item in permission.get("ip_ranges") or []]
        peers += ["cidr6:%s" % item.get("cidr_ipv6") for item in permission.get("ipv6_ranges") or []]
        peers += ["group:%s" % item.get("group_id") for item in permission.get("user_id_group_pairs") or []]
        peers += ["prefix:%s" % item.get("prefix_list_id") for item in permission.get("prefix_list_ids") or []]
        current.update((proto, low, high, peer) for peer in peers or ["none"])
    return current


def _vpc_reasons(vpc, name, tags, dns_hostnames, dns_support):
    reasons = _tag_difference("VPC", vpc["tags"], dict(tags, Name=name))
    for attribute, wanted in (("enable_dns_hostnames", dns_hostnames), ("enable_dns_support", dns_support)):
        if bool(vpc.get(attribute)) != bool(wanted):
            reasons.append("VPC: %s is %s, want %s" % (attribute, vpc.get(attribute), bool(wanted)))
    return reasons


def _subnet_reasons(subnets_by_cidr, layout_subnets, tags):
    reasons = []
    for wanted in layout_subnets:
        subnet = subnets_by_cidr.get(wanted["cidr"])
        if subnet is None:
            reasons.append("subnet %s (%s): missing" % (wanted["name"], wanted["cidr"]))
            continue
        if subnet.get("availability_zone") != wanted["az"]:
            reasons.append("subnet %s: in %s, want %s"
                           % (wanted["name"], subnet.get("availability_zone"), wanted["az"]))
        if bool(subnet.get("map_public_ip_on_launch")) != bool(wanted["map_public"]):
            reasons.append("subnet %s: map_public_ip_on_launch differs" % wanted["name"])
        reasons += _tag_difference("subnet " + wanted["name"], subnet["tags"],
                                   dict(tags, Name=wanted["name"], Tier=wanted["tier"]))
    return reasons


def _route_table(route_tables, name, tags):
    """The route table amazon.aws finds by its tags (lookup: tag), and the reasons it differs."""
    wanted = plain_tags(dict(tags, Name=name))
    matches = [table for table in route_tables
               if all(plain_tags(table["tags"]).get(key) == value for key, value in wanted.items())]
    if len(matches) != 1:
        return None, ["route table %s: %d found by its tags" % (name, len(matches))]
    return matches[0], _tag_difference("route table " + name, matches[0]["tags"], wanted)


def _route_table_reasons(table, name, subnet_ids, route_target):
    """Associations must be exactly subnet_ids (purge_subnets); the default route must go to route_target (None:
    no default route is needed)."""
    reasons = []
    associated = sorted(item.get("subnet_id") for item in table.get("associations") or []
                        if not item.get("main") and item.get("subnet_id"))
    if None in subnet_ids or associated != sorted(subnet_ids):
        reasons.append("route table %s: associated with %s" % (name, associated))
    if route_target is None:
        return reasons
    key, target = route_target
    if not any(route.get("destination_cidr_block") == DEFAULT_ROUTE and route.get(key) == target
               for route in table.get("routes") or []):
        reasons.append("route table %s: no default route to %s" % (name, target))
    return reasons


def _nat_reasons(estate, layout, tags, result):
    """Each NAT gateway must be available in its subnet with its Elastic IP; records the IDs found."""
    reasons = []
    for index, nat in enumerate(layout["nat_gateways"]):
        subnet_id = result["subnet_ids"].get(nat["subnet_cidr"])
        allocation_id = result["eip_ids"].get(nat["eip_name"])
        found = [gateway for gateway in estate.get("nat_gateways") or []
                 if gateway.get("subnet_id") == subnet_id and gateway.get("state") == "available"
                 and allocation_id in [address.get("allocation_id")
                                       for address in gateway.get("nat_gateway_addresses") or []]]
        if subnet_id is None or allocation_id is None or not found:
            reasons.append("NAT gateway %s: none available with its Elastic IP" % nat["name"])
            continue
        result["nat_gateway_ids"][index] = found[0]["nat_gateway_id"]
        reasons += _tag_difference("NAT gateway " + nat["name"], found[0]["tags"], dict(tags, Name=nat["name"]))
    return reasons


def _public_route_table_reasons(route_tables, prefix, tags, public_subnet_cidrs, result):
    table_name = resource_name("public_route_table", prefix)
    table, reasons = _route_table(route_tables, table_name, tags)
    if table:
        result["public_route_table_id"] = table["route_table_id"]
        reasons += _route_table_reasons(
            table, table_name, [result["subnet_ids"].get(cidr) for cidr in public_subnet_cidrs or []],
            ("gateway_id", result["internet_gateway_id"] or "an internet gateway"))
    return reasons


def _private_route_table_reasons(route_tables, layout, tags, result):
    reasons, ids = [], []
    for wanted in layout["private_route_tables"]:
        table, found_reasons = _route_table(route_tables, wanted["name"], tags)
        reasons += found_reasons
        if not table:
            continue
        ids.append(table["route_table_id"])
        # A NAT gateway still to be made needs its route too: the target is unknown until then, so never found.
        # An isolated network has no NAT gateway and no default route.
        target = None
        if not layout.get("isolated"):
            nat_id = result["nat_gateway_ids"][wanted["nat_index"]] or "the NAT gateway to be created"
            target = ("nat_gateway_id", nat_id)
        reasons += _route_table_reasons(
            table, wanted["name"], [result["subnet_ids"].get(cidr) for cidr in wanted["subnet_cidrs"]], target)
    # When the task runs, its results give the IDs (all of them, in layout order).
    result["private_route_table_ids"] = [] if reasons else ids
    return reasons


def _group_named(groups, group_name):
    return [group for group in groups if group.get("group_name") == group_name]


def _security_group_reasons(groups, prefix, tags, result):
    """The VPC's default security group: managed, tagged, with no rule at all (nothing uses it)."""
    groups = _group_named(groups, "default")
    if len(groups) != 1:
        return ["default security group: %d found" % len(groups)]
    group = groups[0]
    result["default_security_group_id"] = group["group_id"]
    reasons = _tag_difference("default security group", group["tags"],
                              dict(tags, Name=resource_name("default_security_group", prefix)))
    if group.get("ip_permissions"):
        reasons.append("default security group: has ingress rules, want none")
    if group.get("ip_permissions_egress"):
        reasons.append("default security group: has egress rules, want none")
    return reasons


def workspace_rule_sets(group_id, egress_rules, prefix_list_id):
    """The (ingress, egress) rule tuples of the workspace's security group: all TCP and UDP from and to itself,
    egress_rules, and HTTPS to the S3 prefix list; egress None when egress_rules are not comparable."""
    itself = {(proto, 0, 65535, "group:" + group_id) for proto in ("tcp", "udp")}
    wanted = desired_rule_set(egress_rules)
    if wanted is None:
        return itself, None
    return itself, itself | wanted | {("tcp", 443, 443, "prefix:" + prefix_list_id)}


def _workspace_group_reasons(groups, prefix, tags, egress_rules, result):
    group_name = resource_name("workspace_security_group", prefix)
    groups = _group_named(groups, group_name)
    if len(groups) != 1:
        return ["workspace security group %s: %d found" % (group_name, len(groups))]
    group = groups[0]
    result["security_group_id"] = group["group_id"]
    reasons = _tag_difference("workspace security group", group["tags"], dict(tags, Name=group_name))
    if not result["s3_prefix_list_id"]:
        return [*reasons, "workspace security group: the S3 prefix list was not found"]
    ingress, egress = workspace_rule_sets(group["group_id"], egress_rules, result["s3_prefix_list_id"])
    if current_rule_set(group.get("ip_permissions")) != ingress:
        reasons.append("workspace security group: ingress is not exactly all TCP and UDP from itself")
    if egress is None:
        reasons.append("workspace security group: egress rules left to ec2_security_group")
    elif current_rule_set(group.get("ip_permissions_egress")) != egress:
        reasons.append("workspace security group: egress differs")
    return reasons


def network_drift(estate, prefix, layout, tags, dns_hostnames=True, dns_support=True, public_subnet_cidrs=None,
                  egress_rules=None, skip_unchanged=True):
    """The parts of the network to hand to their writers (``changes``: those that differ, or every part with
    skip_unchanged false), what differs (``reasons``) and the IDs found. An isolated layout has no internet
    gateway, Elastic IP, NAT gateway or public route table: those parts are never handed to their writers."""
    if not isinstance(estate, dict) or not isinstance(layout, dict):
        raise AnsibleFilterError("network_drift: expects the vpc_estate_info result and the network_plan layout")
    tags = dict(tags or {})
    skip_unchanged = boolean(skip_unchanged, strict=True)  # "false" when given as -e deployment_skip_unchanged=false
    vpc = estate.get("vpc")
    parts = [part for part in PARTS if not (layout.get("isolated") and part in INTERNET_PARTS)]
    prefix_lists = estate.get("prefix_lists") or []
    result = {"changes": [], "reasons": {}, "vpc_id": None, "subnet_ids": {}, "internet_gateway_id": None,
              "eip_ids": {}, "nat_gateway_ids": ["" for dummy in layout["nat_gateways"]],
              "public_route_table_id": None, "private_route_table_ids": [], "default_security_group_id": None,
              "security_group_id": None,
              "s3_prefix_list_id": prefix_lists[0].get("prefix_list_id") if len(prefix_lists) == 1 else None}
    if not vpc:
        result["changes"] = parts
        result["reasons"] = {"vpc": ["VPC %s: %d found" % (resource_name("vpc", prefix), estate.get("vpc_matches", 0))]}
        return result
    result["vpc_id"] = vpc["vpc_id"]
    reasons = {"vpc": _vpc_reasons(vpc, resource_name("vpc", prefix), tags, dns_hostnames, dns_support)}

    subnets_by_cidr = {subnet["cidr_block"]: subnet for subnet in estate.get("subnets") or []}
    result["subnet_ids"] = {subnet["cidr"]: subnets_by_cidr[subnet["cidr"]]["subnet_id"]
                            for subnet in layout["subnets"] if subnet["cidr"] in subnets_by_cidr}
    reasons["subnets"] = _subnet_reasons(subnets_by_cidr, layout["subnets"], tags)

    gateways = estate.get("internet_gateways") or []
    if len(gateways) == 1:
        result["internet_gateway_id"] = gateways[0]["internet_gateway_id"]
        reasons["internet_gateway"] = _tag_difference("internet gateway", gateways[0]["tags"],
                                                      dict(tags, Name=resource_name("internet_gateway", prefix)))
    else:
        reasons["internet_gateway"] = ["internet gateway: %d attached" % len(gateways)]

    for address in estate.get("addresses") or []:
        result["eip_ids"].setdefault(address["tags"].get("Name"), address["allocation_id"])
    reasons["elastic_ips"] = ["Elastic IP %s: missing" % nat["eip_name"] for nat in layout["nat_gateways"]
                              if nat["eip_name"] not in result["eip_ids"]]
    reasons["nat_gateways"] = _nat_reasons(estate, layout, tags, result)

    route_tables = estate.get("route_tables") or []
    reasons["public_route_table"] = _public_route_table_reasons(route_tables, prefix, tags, public_subnet_cidrs,
                                                                result)
    reasons["private_route_tables"] = _private_route_table_reasons(route_tables, layout, tags, result)
    groups = estate.get("security_groups") or []
    reasons["security_group"] = _security_group_reasons(groups, prefix, tags, result)
    reasons["workspace_security_group"] = _workspace_group_reasons(groups, prefix, tags, egress_rules, result)

    result["reasons"] = {part: reasons[part] for part in parts if reasons[part]}
    result["changes"] = [part for part in parts if reasons[part] or not skip_unchanged]
    return result
