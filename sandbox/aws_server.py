"""Moto in server mode, wrapped for the sandbox.

Run as ``python -m sandbox.aws_server --port 4566``.  On top of moto's own server it:

- loads IAM's AWS-managed policies (``MOTO_IAM_LOAD_MANAGED_POLICIES``), so roles can attach them;
- counts requests: ``GET /__sandbox/requests`` lists every AWS call as
  ``{"service", "action", "method", "path", "mutating"}``, ``GET /__sandbox/counts`` sums them
  by ``service:action``, ``DELETE /__sandbox/requests`` clears the log;
- answers ``GET /__sandbox/health`` once it serves;
- patches two moto bugs (``patch_describe_tags_resource_types``, ``patch_kms_key_deletion_by_arn``).
"""

import argparse
import io
import json
import os
import re
import threading
import time
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

ADMIN_PREFIX = "/__sandbox/"
READ_ACTION = re.compile(r"^(Describe|Get|List|Head|Lookup|Search|Query|Scan|BatchGet|Check)")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


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

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX):
            return self.admin(environ, start_response, path[len(ADMIN_PREFIX):])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, action = classify(environ, body)
        method = environ["REQUEST_METHOD"]
        with self.lock:
            self.requests.append({
                "service": service,
                "action": action,
                "method": method,
                "path": path,
                "mutating": is_mutating(method, action),
                "ts": time.time(),
            })
        return self.app(environ, start_response)

    def admin(self, environ, start_response, route):
        method = environ["REQUEST_METHOD"]
        with self.lock:
            if route == "health":
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
    args = parser.parse_args()
    patch_describe_tags_resource_types()
    patch_kms_key_deletion_by_arn()
    app = RequestCounter(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"moto sandbox listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
