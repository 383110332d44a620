"""Moto in server mode, wrapped for the sandbox.

Run as ``python -m sandbox.aws_server --port 4566``.  On top of moto's own server it:

- loads IAM's AWS-managed policies (``MOTO_IAM_LOAD_MANAGED_POLICIES``), so roles can attach them;
- counts requests: ``GET /__sandbox/requests`` lists every AWS call as
  ``{"service", "action", "method", "path", "mutating", "by_emulator"}`` (``by_emulator``: made by the
  Databricks emulator validating account objects, not by the deployment), ``GET /__sandbox/counts`` sums them
  by ``service:action``, ``DELETE /__sandbox/requests`` clears the log;
- injects faults: ``POST /__sandbox/faults`` arms one (``{"service", "action", "status", "count",
  "retry_after", "latency", "user_agent"}``, see ``FaultInjector.add``), ``GET`` lists the armed ones,
  ``DELETE`` disarms all. A faulted call is answered the way the AWS service answers it (query-protocol
  XML, EC2's XML, JSON ``__type`` or S3's REST XML, with the service's throttling/unavailable codes), so
  botocore classifies and retries it as it would real AWS; it stays in the request log with ``"fault"``;
- answers ``GET /__sandbox/health`` once it serves;
- delays what AWS does not do at once (``CONFIG``, set with ``--nat-gateway-pending-seconds`` or
  ``POST /__sandbox/config``, read with ``GET``): a new NAT gateway is ``pending`` for
  ``nat_gateway_pending_seconds`` after its creation, then ``available`` (``patch_nat_gateway_pending``);
- patches two moto bugs (``patch_describe_tags_resource_types``, ``patch_kms_key_deletion_by_arn``);
- makes moto as strict as AWS where the estate depends on it (``sandbox.aws_strictness``): KMS key-policy lockout
  and principal checks, IAM policy grammar, size quotas and trust principals, S3 bucket-policy principals, EC2
  endpoint service names (with Databricks' PrivateLink services listed in their regions).
"""

import argparse
import inspect
import io
import json
import os
import re
import threading
import time
import uuid
from urllib.parse import parse_qs

# Must be set before moto builds its IAM backend.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.ec2.models import tags as moto_ec2_tags
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from sandbox import EMULATOR_USER_AGENT, aws_strictness

ADMIN_PREFIX = "/__sandbox/"
READ_ACTION = re.compile(r"^(Describe|Get|List|Head|Lookup|Search|Query|Scan|BatchGet|Check)")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")

# The wrapper's settings (POST /__sandbox/config); the delays' short and realistic values are in sandbox/delays.py.
CONFIG = {"nat_gateway_pending_seconds": 0.0}


def patch_describe_tags_resource_types():
    """Moto bug: EC2 DescribeTags reports EIPs as ``vpc-elastic-ip`` and NAT gateways as
    ``nat-gateway`` (its internal id-prefix names) where AWS says ``elastic-ip`` and
    ``natgateway``, and filters ``resource-type`` by the same wrong names.  amazon.aws modules
    (ec2_eip, ec2_vpc_nat_gateway) filter tags by the AWS names, so they saw no tags and
    re-tagged on every run.  DescribeTags looks the names up in this module-level map at call
    time, so replacing the map fixes both the reply and the filter."""
    corrected = dict(moto_ec2_tags.EC2_PREFIX_TO_RESOURCE)
    corrected["eipalloc"] = "elastic-ip"
    corrected["nat"] = "natgateway"
    moto_ec2_tags.EC2_PREFIX_TO_RESOURCE = corrected


def patch_kms_key_deletion_by_arn():
    """Moto bug: KMS ScheduleKeyDeletion and CancelKeyDeletion look the key up by the KeyId exactly
    as sent, so a key ARN (what amazon.aws.kms_key sends) raises KeyError and the call ends in
    HTTP 500. AWS accepts a key id or ARN; resolve the ARN to the key id first."""
    from moto.kms.models import KmsBackend

    for name in ("schedule_key_deletion", "cancel_key_deletion"):
        original = getattr(KmsBackend, name)

        def by_key_id(self, key_id, *args, _original=original, **kwargs):
            return _original(self, self.get_key_id(key_id), *args, **kwargs)

        setattr(KmsBackend, name, by_key_id)


def patch_nat_gateway_pending(config=CONFIG):
    """Moto makes a NAT gateway ``available`` the moment it is created; AWS answers CreateNatGateway with
    ``pending`` and keeps it so for a minute or two, and nothing may route through it until it is ``available``
    (amazon.aws's ec2_vpc_nat_gateway with ``wait: true`` polls DescribeNatGateways until it is). A gateway
    created now reads ``pending`` (reply, filters) until ``config["nat_gateway_pending_seconds"]`` (taken at
    its creation) have passed, then ``available``; a state moto sets later (``deleted``) is kept."""
    from moto.ec2.models.nat_gateways import NatGateway

    if getattr(NatGateway, "_sandbox_pending_patch", False):
        return
    original_init = NatGateway.__init__

    def __init__(self, *args, **kwargs):
        self._sandbox_available_at = time.monotonic() + float(config.get("nat_gateway_pending_seconds") or 0)
        original_init(self, *args, **kwargs)

    def get_state(self):
        state = self.__dict__.get("_sandbox_state", "available")
        if state == "available" and time.monotonic() < self.__dict__.get("_sandbox_available_at", 0):
            return "pending"
        return state

    def set_state(self, value):
        self._sandbox_state = value

    NatGateway.__init__ = __init__
    NatGateway.state = property(get_state, set_state)
    NatGateway._sandbox_pending_patch = True


def patch_routes_to_pending_nat_gateways():
    """AWS does not route through a NAT gateway that is not ``available`` yet: CreateRoute / ReplaceRoute naming a
    ``pending`` one fail with InvalidNatGatewayID.NotFound "The natGateway ID '<id>' does not exist" (kops, "Wait for
    NatGateway creation to complete", kubernetes/kops#944; boto/boto3#779; the Terraform AWS provider's
    aws_nat_gateway waits for ``available`` before anything routes through it). moto routes through it at once; here
    a route to a pending gateway is refused as AWS refuses it, so a converge that stops waiting for the NAT gateway
    fails here before it fails on AWS."""
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.models.route_tables import RouteBackend

    if getattr(RouteBackend, "_sandbox_pending_nat_patch", False):
        return

    def refuse_pending(backend, nat_gateway_id):
        nat_gateway = getattr(backend, "nat_gateways", {}).get(nat_gateway_id) if nat_gateway_id else None
        if nat_gateway is not None and nat_gateway.state == "pending":
            raise EC2ClientError("InvalidNatGatewayID.NotFound", f"The natGateway ID '{nat_gateway_id}' does not exist")

    def checked(original):
        signature = inspect.signature(original)  # ReplaceRoute passes the gateway by position, CreateRoute by name

        def method(self, *args, **kwargs):
            refuse_pending(self, signature.bind(self, *args, **kwargs).arguments.get("nat_gateway_id"))
            return original(self, *args, **kwargs)

        method.__name__, method.__doc__ = original.__name__, original.__doc__
        return method

    RouteBackend.create_route = checked(RouteBackend.create_route)
    RouteBackend.replace_route = checked(RouteBackend.replace_route)
    RouteBackend._sandbox_pending_nat_patch = True


def update_config(body, config=CONFIG):
    """Set known settings from a JSON object: non-negative numbers of seconds."""
    if not isinstance(body, dict):
        raise ValueError("the config is a JSON object")
    unknown = sorted(set(body) - set(config))
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; known: {sorted(config)}")
    values = {key: float(value) for key, value in body.items()}
    if any(value < 0 for value in values.values()):
        raise ValueError("delays are seconds >= 0")
    config.update(values)
    return dict(config)


def classify(environ, body):
    """Return (service, action) for one AWS request."""
    service = "unknown"
    match = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        service = match.group(1)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, target.rsplit(".", 1)[-1]
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" not in params and body and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        params = parse_qs(body.decode("utf-8", "replace"))
    if "Action" in params:
        return service, params["Action"][0]
    # REST services (S3 and friends): the method and the sub-resource name the operation.
    query = environ.get("QUERY_STRING", "")
    subresource = query.split("&", 1)[0].split("=", 1)[0] if query else ""
    return service, f"{environ['REQUEST_METHOD']} {subresource}".strip()


# Error codes AWS answers with, by protocol and status (botocore retries all of them).
QUERY_ERRORS = {429: ("Throttling", "Rate exceeded"),
                500: ("InternalFailure", "The request processing has failed because of an unknown error."),
                503: ("ServiceUnavailable", "Service is unable to handle request.")}
EC2_ERRORS = {429: ("RequestLimitExceeded", "Request limit exceeded."),
              500: ("InternalError", "An internal error has occurred."),
              503: ("Unavailable", "The server is overloaded and can't handle the request.")}
JSON_ERRORS = {429: ("ThrottlingException", "Rate exceeded"),
               500: ("InternalFailure", "The request processing has failed because of an unknown error."),
               503: ("ServiceUnavailableException", "Service is unable to handle request.")}
S3_ERRORS = {429: ("SlowDown", "Please reduce your request rate."),
             500: ("InternalError", "We encountered an internal error. Please try again."),
             503: ("SlowDown", "Please reduce your request rate.")}
STATUS_LINES = {429: "429 Too Many Requests", 500: "500 Internal Server Error", 503: "503 Service Unavailable"}


class FaultInjector:
    """Armed faults; the first one matching a request is used up by it."""

    STATUSES = tuple(STATUS_LINES)

    def __init__(self):
        self.faults = []

    def add(self, body):
        """Arm a fault. service/action/user_agent: regular expressions matched in full against the
        service (credential scope: ec2, iam, s3, kms, ...), the action (``CreateVpc``, S3's ``PUT policy``)
        and searched in the User-Agent; status: 429, 500 or 503 (none: a latency-only fault);
        count: how many matching calls it hits; retry_after: a Retry-After header; latency: seconds
        to wait before answering."""
        status = body.get("status")
        if status is not None and int(status) not in self.STATUSES:
            raise ValueError(f"status must be one of {self.STATUSES}")
        if status is None and not body.get("latency"):
            raise ValueError("a fault needs a status or a latency")
        if not body.get("action") and not body.get("service"):
            raise ValueError("a fault needs an action or a service (regular expressions)")
        fault = {
            "service": body.get("service"), "action": body.get("action"), "user_agent": body.get("user_agent"),
            "status": int(status) if status is not None else None, "count": int(body.get("count", 1)),
            "retry_after": body.get("retry_after"), "latency": float(body["latency"]) if body.get("latency") else None,
            "hits": 0,
        }
        for key in ("service", "action", "user_agent"):
            if fault[key]:
                re.compile(fault[key])
        self.faults.append(fault)
        return dict(fault)

    def take(self, service, action, user_agent):
        for fault in self.faults:
            if fault["count"] <= 0:
                continue
            if fault["service"] and not re.fullmatch(fault["service"], service):
                continue
            if fault["action"] and not re.fullmatch(fault["action"], action):
                continue
            if fault["user_agent"] and not re.search(fault["user_agent"], user_agent):
                continue
            fault["count"] -= 1
            fault["hits"] += 1
            return dict(fault)
        return None


def fault_reply(environ, service, status, retry_after=None):
    """(status line, headers, body) of the error AWS answers for this request's protocol."""
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if retry_after is not None:
        headers.append(("Retry-After", str(int(retry_after))))
    if environ.get("HTTP_X_AMZ_TARGET"):  # JSON protocol (KMS, Secrets Manager, CloudWatch Logs, ...)
        code, message = JSON_ERRORS[status]
        body = json.dumps({"__type": code, "message": message}).encode()
        headers.append(("Content-Type", environ.get("CONTENT_TYPE") or "application/x-amz-json-1.1"))
    elif service == "s3":
        code, message = S3_ERRORS[status]
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
                f"<RequestId>{request_id}</RequestId></Error>").encode()
        headers.append(("Content-Type", "application/xml"))
        if environ["REQUEST_METHOD"] == "HEAD":
            body = b""
    elif service == "ec2":
        code, message = EC2_ERRORS[status]
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>").encode()
        headers.append(("Content-Type", "text/xml"))
    else:  # query protocol (IAM, STS, ...)
        code, message = QUERY_ERRORS[status]
        kind = "Sender" if status == 429 else "Receiver"
        body = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        headers.append(("Content-Type", "text/xml"))
    headers.append(("Content-Length", str(len(body))))
    return STATUS_LINES[status], headers, body


def is_mutating(method, action):
    if " " in action or action in ("GET", "HEAD", "PUT", "POST", "DELETE"):  # REST call
        return method not in ("GET", "HEAD")
    return not READ_ACTION.match(action)


class RequestCounter:
    """WSGI middleware recording every AWS call, and serving the ``/__sandbox/`` admin routes."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.requests = []
        self.faults = FaultInjector()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX):
            return self.admin(environ, start_response, path[len(ADMIN_PREFIX):])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, action = classify(environ, body)
        method = environ["REQUEST_METHOD"]
        entry = {
            "service": service,
            "action": action,
            "method": method,
            "path": path,
            "mutating": is_mutating(method, action),
            "by_emulator": EMULATOR_USER_AGENT in environ.get("HTTP_USER_AGENT", ""),
            "ts": time.time(),
        }
        with self.lock:
            fault = self.faults.take(service, action, environ.get("HTTP_USER_AGENT", ""))
            if fault is not None:
                entry["fault"] = fault["status"] if fault["status"] is not None else "latency"
            self.requests.append(entry)
        if fault is not None:
            if fault["latency"]:
                time.sleep(fault["latency"])
            if fault["status"] is not None:
                status, headers, reply = fault_reply(environ, service, fault["status"], fault["retry_after"])
                start_response(status, headers)
                return [reply]
        return self.app(environ, start_response)

    def admin(self, environ, start_response, route):
        method = environ["REQUEST_METHOD"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        with self.lock:
            if route == "faults" and method == "POST":
                try:
                    payload = self.faults.add(json.loads(raw or b"{}"))
                except (ValueError, TypeError, re.error) as exc:
                    start_response("400 Bad Request", [("Content-Type", "application/json")])
                    return [json.dumps({"error": str(exc)}).encode()]
            elif route == "faults" and method == "DELETE":
                self.faults.faults.clear()
                payload = {"cleared": True}
            elif route == "faults":
                payload = [dict(fault) for fault in self.faults.faults if fault["count"] > 0]
            elif route == "config" and method == "POST":
                try:
                    payload = update_config(json.loads(raw or b"{}"))
                except (ValueError, TypeError) as exc:
                    start_response("400 Bad Request", [("Content-Type", "application/json")])
                    return [json.dumps({"error": str(exc)}).encode()]
            elif route == "config":
                payload = dict(CONFIG)
            elif route == "health":
                payload = {"status": "ok"}
            elif route == "requests" and method == "DELETE":
                self.requests.clear()
                payload = {"cleared": True}
            elif route == "requests":
                payload = list(self.requests)
            elif route == "counts":
                payload = {}
                for request in self.requests:
                    key = f"{request['service']}:{request['action']}"
                    payload[key] = payload.get(key, 0) + 1
            else:
                start_response("404 Not Found", [("Content-Type", "application/json")])
                return [b'{"error": "unknown sandbox route"}']
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(payload).encode()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    for key, value in CONFIG.items():
        parser.add_argument("--" + key.replace("_", "-"), type=float, default=value, dest=key)
    args = parser.parse_args()
    update_config({key: getattr(args, key) for key in CONFIG})
    patch_nat_gateway_pending()
    patch_routes_to_pending_nat_gateways()
    patch_describe_tags_resource_types()
    patch_kms_key_deletion_by_arn()
    aws_strictness.apply_all()
    app = RequestCounter(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"moto sandbox listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
