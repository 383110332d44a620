"""SCIM 2.0 routes (Users, ServicePrincipals, Groups), registered on the account and on each workspace."""

from ..core import Reply, route
from ..errors import ScimError


def scim_routes(prefix: str, directory_of, listener: str, create, delete=None):
    """SCIM CRUD for the three resource types, on the account or a workspace. delete(req, kind, id), when given,
    deletes instead of the directory's own delete (the account's: assignments go with the principal)."""
    for kind in ("Users", "ServicePrincipals", "Groups"):
        base = f"{prefix}/{kind}"

        def handlers(kind=kind, base=base):
            @route(listener, "POST", base)
            def scim_create(req):
                return Reply(201, directory_of(req).render(kind, create(req, kind, req.body)))

            @route(listener, "GET", base)
            def scim_list(req):
                return directory_of(req).list(kind, req.query)

            @route(listener, "GET", f"{base}/{{id}}")
            def scim_get(req):
                return directory_of(req).render(kind, directory_of(req).get(kind, req.params["id"]))

            @route(listener, "PUT", f"{base}/{{id}}")
            def scim_replace(req):
                return directory_of(req).render(kind, directory_of(req).replace(kind, req.params["id"], req.body))

            @route(listener, "PATCH", f"{base}/{{id}}")
            def scim_patch(req):
                directory_of(req).patch(kind, req.params["id"], req.body)
                return Reply(204)

            @route(listener, "DELETE", f"{base}/{{id}}")
            def scim_delete(req):
                if kind == "ServicePrincipals" and listener == "account" and req.params["id"] == req.caller:
                    raise ScimError(400, "A service principal cannot delete itself.")
                if delete is not None:
                    delete(req, kind, req.params["id"])
                else:
                    directory_of(req).delete(kind, req.params["id"])
                return Reply(204)

        handlers()
