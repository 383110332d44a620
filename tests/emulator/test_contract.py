"""Contract: every emulator route exists in the installed databricks-sdk (same method and path)."""

import pathlib
import re

import databricks.sdk

from sandbox.databricks_emulator.routes import load_routes

SDK_DIR = pathlib.Path(databricks.sdk.__file__).parent
CALL = re.compile(r'self\._api\.do\(\s*"([A-Z]+)",\s*f?"([^"]+)"')
# Routes the SDK reaches without a literal `_api.do` call: discovery documents (oauth.py/config.py build
# these URLs) and the token endpoints (named by the discovery documents' token_endpoint).
AUTH_ROUTES = {
    ("GET", "/.well-known/databricks-config"),
    ("GET", "/oidc/accounts/{}/.well-known/oauth-authorization-server"),
    ("GET", "/oidc/.well-known/oauth-authorization-server"),
    ("POST", "/oidc/accounts/{}/v1/token"),
    ("POST", "/oidc/v1/token"),
}


def normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def sdk_calls() -> set[tuple[str, str]]:
    calls = set()
    for module in (SDK_DIR / "service").glob("*.py"):
        for method, path in CALL.findall(module.read_text()):
            calls.add((method, normalise(path)))
    return calls


def test_every_route_is_an_sdk_call():
    calls = sdk_calls()
    missing = []
    for route in load_routes():
        key = (route.method, normalise(route.template))
        if key in AUTH_ROUTES:
            continue
        if route.template.startswith("/api/2.0/clusters/"):  # legacy 2.0 clusters API = the SDK's 2.1 paths
            key = (route.method, key[1].replace("/api/2.0/clusters/", "/api/2.1/clusters/"))
        if key not in calls:
            missing.append(f"{route.method} {route.template}")
    assert not missing, f"emulator routes absent from databricks-sdk: {missing}"


def test_auth_routes_are_what_the_sdk_builds():
    sources = (SDK_DIR / "oauth.py").read_text() + (SDK_DIR / "config.py").read_text()
    for needle in ("/.well-known/databricks-config", "/.well-known/oauth-authorization-server",
                   "/oidc/accounts/{account_id}/.well-known/oauth-authorization-server"):
        assert needle in sources


def test_route_table_has_no_duplicates():
    keys = [(r.listener, r.method, r.template) for r in load_routes()]
    assert len(keys) == len(set(keys))


def test_docs_list_every_route():
    doc = (pathlib.Path(__file__).parents[2] / "docs" / "emulator.md").read_text()
    missing = [f"{r.method} {r.template}" for r in load_routes() if f"`{r.method} {r.template}`" not in doc]
    assert not missing, missing
