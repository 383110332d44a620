"""HTTP listeners: one for the account API (plus /__sandbox/ admin endpoints), one per workspace.

Usage from tests::

    server = EmulatorServer(aws_endpoint=..., account_id=..., client_id=..., client_secret=...)
    server.start()          # background threads, real HTTP on 127.0.0.1
    server.url              # account host
    server.stop()
"""

import json
import logging
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .core import Reply, Request, match
from .errors import ApiError
from .faults import FaultInjector, RequestLog
from .models.state import EmulatorState
from .routes import load_routes

LOG = logging.getLogger("databricks_emulator")
FAULT_ERRORS = {429: ("REQUEST_LIMIT_EXCEEDED", "Too many requests. Please wait a moment and try again."),
                503: ("TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable. Please try again later."),
                500: ("INTERNAL_ERROR", "Internal error. Please try again later.")}


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, emulator: "EmulatorServer", workspace_id, host: str, port: int):
        self.emulator = emulator
        self.workspace_id = workspace_id  # None for the account listener
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms delayed-ACK stalls
    server: _Listener

    def log_message(self, format, *args):  # silence the default access log (it prints queries)
        return

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def do_PATCH(self):
        self._serve("PATCH")

    def do_DELETE(self):
        self._serve("DELETE")

    # --- plumbing --------------------------------------------------------------------------
    def _send(self, status: int, body=None, headers: dict | None = None) -> int:
        payload = b"" if body is None or status == 204 else json.dumps(body).encode()
        self._log(status)  # before the reply leaves: a client that reads the log next must find this request
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        return status

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        emulator = self.server.emulator
        listener = "account" if self.server.workspace_id is None else self.server.workspace_id
        self._unlogged = None
        if listener == "account" and path.startswith("/__sandbox/"):
            status, body = emulator.admin(method, path, raw)
            self._send(status, body)
            return
        self._unlogged = (emulator, listener, method, path)
        try:
            self._dispatch(emulator, method, path, url.query, raw)
        finally:
            self._log(500)  # no reply was sent (a dropped connection): logged as a failure

    def _log(self, status: int) -> None:
        """Add the request being served to the request log, once."""
        if getattr(self, "_unlogged", None) is not None:
            emulator, listener, method, path = self._unlogged
            self._unlogged = None
            emulator.requests.add(listener, method, path, status)
            LOG.info("%s %s %s -> %s", listener, method, path, status)

    def _dispatch(self, emulator: "EmulatorServer", method: str, path: str, query: str, raw: bytes) -> int:
        fault = emulator.faults.take(method, path)
        if fault is not None:
            if fault.latency:
                time.sleep(float(fault.latency))
            if fault.status is not None:
                code, message = FAULT_ERRORS[fault.status]
                headers = {"Retry-After": int(fault.retry_after)} if fault.retry_after is not None else {}
                return self._send(fault.status, {"error_code": code, "message": message}, headers)
        try:
            reply = emulator.handle(self.server.workspace_id, method, path, query, raw, dict(self.headers),
                                    self.server.url)
        except ApiError as exc:
            return self._send(exc.status, exc.body(), exc.headers)
        except Exception:  # a bug must become a 500 reply, not a dropped connection; logged in full
            LOG.error("unhandled error serving %s %s:\n%s", method, path, traceback.format_exc())
            return self._send(500, {"error_code": "INTERNAL_ERROR", "message": "Emulator internal error."})
        if isinstance(reply, Reply):
            return self._send(reply.status, reply.body if reply.body is not None else ({} if reply.status != 204
                                                                                        else None), reply.headers)
        return self._send(200, reply)


class EmulatorServer:
    def __init__(self, aws_endpoint: str, account_id: str, client_id: str, client_secret: str,
                 host: str = "127.0.0.1", port: int = 0, **config):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator listens on loopback only")
        self.host, self.port = host, port
        self.state = EmulatorState(account_id, client_id, client_secret, aws_endpoint, **config)
        self.state.on_workspace_created = self._start_workspace_listener
        self.state.on_workspace_deleted = self._stop_workspace_listener
        self.faults = FaultInjector()
        self.requests = RequestLog()
        self._account: _Listener | None = None
        self._workspaces: dict[int, _Listener] = {}
        self.routes = load_routes()

    # --- lifecycle ----------------------------------------------------------------------------
    def _serve(self, listener: _Listener, name: str) -> None:
        threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True).start()

    def start(self) -> "EmulatorServer":
        self._account = _Listener(self, None, self.host, self.port)
        self._serve(self._account, "emulator-account")
        LOG.info("Databricks emulator: account API on %s", self.url)
        return self

    def stop(self) -> None:
        for workspace_id in list(self._workspaces):
            self._stop_workspace_listener(workspace_id, wait=True)
        if self._account is not None:
            self._account.shutdown()
            self._account.server_close()
            self._account = None

    @property
    def url(self) -> str:
        return self._account.url

    def _start_workspace_listener(self, ws: dict) -> str:
        listener = _Listener(self, ws["workspace_id"], self.host, 0)
        self._workspaces[ws["workspace_id"]] = listener
        self._serve(listener, f"emulator-ws-{ws['workspace_id']}")
        LOG.info("workspace %s (%s) on %s", ws["workspace_id"], ws["deployment_name"], listener.url)
        return listener.url

    def _stop_workspace_listener(self, workspace_id: int, wait: bool = False) -> None:
        listener = self._workspaces.pop(workspace_id, None)
        if listener is None:
            return

        def close():
            listener.shutdown()
            listener.server_close()

        if wait:
            close()
        else:  # called while serving a request: don't block it on the other listener's shutdown
            threading.Thread(target=close, daemon=True).start()

    # --- API requests -------------------------------------------------------------------------
    def handle(self, workspace_id, method: str, path: str, query: str, raw: bytes, headers: dict, base_url: str):
        kind = "account" if workspace_id is None else "workspace"
        if workspace_id is not None:  # a workspace not (yet) serving refuses every path, discovery included
            with self.state.lock:
                self._check_workspace_up(workspace_id)
        found, params = match(self.routes, kind, method, path)
        if found is None:
            raise ApiError(404, "ENDPOINT_NOT_FOUND", f"No API found for '{method} {path}'")
        req = Request(method=method, path=path, query={k: v[0] if len(v) == 1 else v
                                                       for k, v in parse_qs(query).items()},
                      body={}, headers=headers, params=params, state=self.state, base_url=base_url,
                      workspace_id=workspace_id)
        content_type = headers.get("Content-Type") or headers.get("content-type") or ""
        if raw and "application/x-www-form-urlencoded" in content_type:
            req.form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        elif raw:
            try:
                req.body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ApiError(400, "MALFORMED_REQUEST", f"Could not parse request body as JSON: {exc.msg}") from exc
            if not isinstance(req.body, dict):
                raise ApiError(400, "MALFORMED_REQUEST", "Request body must be a JSON object")
        with self.state.lock:
            if workspace_id is not None:  # again, under the lock the handler runs in
                self._check_workspace_up(workspace_id)
            if found.auth:
                self._authenticate(req, headers)
            return found.handler(req)

    def _check_workspace_up(self, workspace_id: int) -> None:
        ws = self.state.account.workspaces.get(workspace_id)
        if ws is None or self.state.workspace_backend(workspace_id) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Workspace {workspace_id} does not exist.")
        status = self.state.account.refresh(ws)["workspace_status"]
        if status != "RUNNING":
            raise ApiError(503, "TEMPORARILY_UNAVAILABLE", f"Workspace {workspace_id} is not running ({status}).")
        if self.state.settling(ws) > 0:
            # Just after RUNNING the workspace has no worker environment yet. Databricks then answers 400
            # INVALID_PARAMETER_VALUE, e.g. "Current organization <id> does not have any associated worker
            # environments" (Azure/azure-rest-api-specs#9316) or "...UnknownWorkerEnvironmentException: Unknown
            # worker environment WorkerEnvId(...)" (databricks/terraform-provider-databricks#33). Both SDKs retry
            # these messages as transient (databricks-sdk _base_client.py _BaseClient._is_retryable;
            # databricks-sdk-go apierr/error_overrides.go allTransientErrors) within their retry window.
            raise ApiError(400, "INVALID_PARAMETER_VALUE",
                           f"Current organization {workspace_id} does not have any associated worker environments")

    def _authenticate(self, req: Request, headers: dict) -> None:
        authorization = headers.get("Authorization") or headers.get("authorization")
        token = self.state.tokens.authenticate(authorization, req.workspace_id)
        req.caller = token.principal_id
        if req.workspace_id is None:
            account = self.state.account
            if req.params.get("account_id") not in (None, account.account_id):
                raise ApiError(403, "PERMISSION_DENIED",
                               f"The token is not valid for account {req.params['account_id']}.")
            if not account.is_account_admin(token.principal_id):
                raise ApiError(403, "PERMISSION_DENIED", "Only account admins can use the account API.")
        else:
            backend = req.backend
            backend.principal(token.principal_id)  # 403 when the principal was deleted
            backend.check_ip("127.0.0.1")

    # --- /__sandbox/ admin endpoints ----------------------------------------------------------------
    def workspaces(self) -> list[dict]:
        with self.state.lock:
            return [{"workspace_id": ws["workspace_id"], "deployment_name": ws["deployment_name"],
                     "url": ws.get("_url", "")} for ws in self.state.account.workspaces.values()]

    def admin(self, method: str, path: str, raw: bytes) -> tuple[int, object]:
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return 400, {"error": "body must be JSON"}
        key = (method, path[len("/__sandbox"):])
        try:
            if key == ("GET", "/health"):
                return 200, {"status": "ok"}
            if key == ("GET", "/requests"):
                return 200, self.requests.entries()
            if key == ("DELETE", "/requests"):
                self.requests.clear()
                return 200, {}
            if key == ("GET", "/counts"):
                return 200, self.requests.counts()
            if key == ("GET", "/faults"):
                return 200, self.faults.armed()
            if key == ("POST", "/faults"):
                return 200, self.faults.add(body)
            if key == ("DELETE", "/faults"):
                self.faults.clear()
                return 200, {}
            if key == ("POST", "/clock/advance"):
                offset = self.state.clock.advance(float(body.get("seconds", 0)))
                return 200, {"offset_seconds": offset, "now": self.state.clock.now()}
            if key == ("POST", "/reset"):
                with self.state.lock:
                    self.state.reset()
                self.faults.clear()
                self.requests.clear()
                return 200, {}
            if key == ("GET", "/config"):
                return 200, dict(self.state.config)
            if key == ("POST", "/config"):
                with self.state.lock:
                    self.state.config.update_from(body)
                return 200, dict(self.state.config)
            if key == ("GET", "/workspaces"):
                return 200, self.workspaces()
            if key == ("GET", "/tokens"):
                with self.state.lock:
                    return 200, self.state.tokens.issued()
        except (ValueError, TypeError) as exc:
            return 400, {"error": str(exc)}
        return 404, {"error": f"no admin endpoint {method} {path}"}
