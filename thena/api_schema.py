"""The OpenAPI schema class: drf-spectacular's, plus the error responses of every endpoint.

Kept apart from ``thena.api``: DRF loads the classes named in ``REST_FRAMEWORK`` while
``rest_framework.generics`` is importing, and drf-spectacular's ``AutoSchema`` imports
``generics``, so the two cannot share a module.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema

from thena.api import ErrorResponseSerializer

_ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `error.fields` names each invalid field.",
    "401": "Not authenticated: send `Authorization: Token <key>`.",
    "403": "Authenticated, but your role in the workspace does not allow this.",
    "404": "Not found, or in a workspace you are not a member of.",
    "409": "The object is not in a state where this applies.",
    "429": "Too many requests: retry after the `Retry-After` header's seconds.",
}


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error responses every endpoint can give.

    400 for operations that take input (a body or query parameters), 401, 403, 404 and 429
    everywhere, 409 where a write can conflict; views may declare more with extend_schema.
    """

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "404", "429"]
        takes_input = self.method in ("POST", "PUT", "PATCH") or bool(self._get_parameters())
        if takes_input:
            codes.append("400")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in sorted(codes):
            if code not in responses:
                response = self._get_response_for_code(
                    ErrorResponseSerializer, code, ["application/json"], direction
                )
                response["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
