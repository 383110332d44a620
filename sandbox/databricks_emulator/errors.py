"""Errors shaped as Databricks sends them.

``ApiError`` renders ``{"error_code": ..., "message": ...}``; ``ScimError`` renders the SCIM
error document (``schemas``/``detail``/``status``) the SCIM endpoints use.
"""

SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ApiError(Exception):
    def __init__(self, status: int, error_code: str, message: str, headers: dict | None = None,
                 details: list | None = None):
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.headers = headers or {}
        self.details = details or []  # google.rpc detail objects ("@type": ...), e.g. an ErrorInfo with an etag

    def body(self) -> dict:
        body = {"error_code": self.error_code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ScimError(ApiError):
    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(status, f"SCIM_{status}", detail)
        self.scim_type = scim_type

    def body(self) -> dict:
        body = {"schemas": [SCIM_ERROR_SCHEMA], "detail": self.message, "status": str(self.status)}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


# Shorthands for the replies Databricks uses most.
def not_found(message: str) -> ApiError:
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", message)


def already_exists(message: str) -> ApiError:
    return ApiError(409, "RESOURCE_ALREADY_EXISTS", message)


def invalid(message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message)


def malformed(message: str) -> ApiError:
    return ApiError(400, "MALFORMED_REQUEST", message)


def invalid_state(message: str) -> ApiError:
    return ApiError(400, "INVALID_STATE", message)


def unauthenticated(message: str = "Unauthenticated: no valid credentials were provided.") -> ApiError:
    return ApiError(401, "UNAUTHENTICATED", message)


def permission_denied(message: str) -> ApiError:
    return ApiError(403, "PERMISSION_DENIED", message)


def require(body: dict, *fields: str) -> None:
    """400 INVALID_PARAMETER_VALUE when a required field is missing or empty."""
    for field in fields:
        if body.get(field) in (None, "", [], {}):
            raise invalid(f"Missing required field: {field}")
