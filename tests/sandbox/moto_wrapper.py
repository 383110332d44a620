"""moto's wrapper (sandbox/aws_server.py) served in this process for the sandbox tests, and its admin routes."""

import contextlib
import json
import threading
import urllib.request

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from sandbox.aws_server import RequestCounter


@contextlib.contextmanager
def serving():
    """The wrapper (request log, faults, config) around moto's server app on a free port; yields its URL."""
    app = RequestCounter(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def admin(url, method, route, body=None):
    """One call to a /__sandbox/<route> of the wrapper, the body sent and the reply read as JSON."""
    request = urllib.request.Request(f"{url}/__sandbox/{route}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())
