"""What every API endpoint shares: the error shape, filters, pagination, permissions.

Every error answers ``{"error": {"code", "message", "fields"}}`` (STYLE.md §8): ``code`` is
stable for clients, ``message`` is for people, ``fields`` names the offending input fields
(``{"first_response_minutes": ["Ensure this value is greater than or equal to 30."]}``).
Anything not mapped here is a bug: Django answers 500 and logs it.

Roles (``WorkspaceMembership.role``): a read-only member reads; an agent also acts on
requests; an admin also changes configuration; a superuser may do everything everywhere.
A workspace the caller is no member of is invisible: its rows are "not found" (404).
"""

import logging
from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.fields import get_error_detail
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from slack_integration.api.access import (
    list_visible_workspaces,
    memberships_by_workspace,
    scope_to_user,
)
from slack_integration.models import MemberRole, SlackUser, Workspace, WorkspaceMembership
from thena.errors import DomainError

logger = logging.getLogger(__name__)

# --- Errors -------------------------------------------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Invalid input fields and their messages (dotted paths for nested input); "
        "empty unless the request was invalid.",
    )


class ErrorResponseSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    error = ErrorBodySerializer()


def error_body(code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field.sub": ["message", ...]}``."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            return {prefix: [str(item) for item in detail]} if detail else {}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix: [str(detail)]}


def _validation_response(detail: Any) -> Response:
    fields = flatten_errors(detail)
    top_level = fields.pop("", []) + fields.pop(api_settings.NON_FIELD_ERRORS_KEY, [])
    if top_level:
        message = top_level[0]
    elif fields:
        name, messages = next(iter(fields.items()))
        message = f"{name}: {messages[0]}"
    else:
        message = "Invalid input."
    if top_level and fields:
        fields[api_settings.NON_FIELD_ERRORS_KEY] = top_level
    return Response(error_body("validation_error", message, fields), status=400)


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail=get_error_detail(DjangoValidationError(detail)))
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Maps domain errors and DRF/Django exceptions to the one error shape (STYLE.md §8)."""
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(exc.code, exc.message), status=exc.http_status)
    if isinstance(exc, ProtectedError | RestrictedError):
        set_rollback()
        message = "It is still used by other objects; remove or change those first."
        return Response(error_body("protected", message), status=409)
    if isinstance(exc, IntegrityError):
        # Validation runs first; this is a concurrent write that won the race. The database
        # message may quote values, so only the view is logged.
        logger.warning("api.integrity_error", extra={"view": type(context.get("view")).__name__})
        set_rollback()
        message = "The change conflicts with existing data; reload and try again."
        return Response(error_body("conflict", message), status=409)
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    message = str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail)
    return Response(error_body(str(code), message), status=exc.status_code, headers=headers)


# --- Filters ----------------------------------------------------------------------------

# The largest id a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A whole-number id: ``?workspace=3``. Out-of-range input is a 400, not a DB error."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# --- Pagination ---------------------------------------------------------------------------


class StandardPagination(PageNumberPagination):
    """Configuration lists: ``?page=2&page_size=100``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class NewestFirstCursorPagination(CursorPagination):
    """Large, growing lists (alerts): stable pages without COUNT(*), newest first."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-created_at"


# --- Serializers --------------------------------------------------------------------------


class WorkspaceScopedSerializer(serializers.ModelSerializer):
    """A model with a ``workspace``: only the caller's workspaces, and it never moves.

    Related objects named in ``same_workspace_fields`` must be in the same workspace, and
    the fields in ``unique_in_workspace`` unique within it: checked here, so the error names
    the field (DRF's generated unique-together validators would not), while the database
    constraints remain the guarantee.
    """

    same_workspace_fields: tuple[str, ...] = ()
    unique_in_workspace: tuple[str, ...] = ("name",)

    def get_validators(self) -> list:
        return []

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        workspace_field = fields.get("workspace")
        if request is None:
            return fields
        if isinstance(workspace_field, serializers.RelatedField):
            workspace_field.queryset = list_visible_workspaces(user=request.user)
        for name in self.same_workspace_fields:
            field = fields.get(name)
            if isinstance(field, serializers.RelatedField) and field.queryset is not None:
                field.queryset = scope_to_user(field.queryset, user=request.user)
        return fields

    def validate_workspace(self, value: Workspace) -> Workspace:
        if self.instance is not None and value.pk != self.instance.workspace_id:
            raise serializers.ValidationError("An object cannot move to another workspace.")
        return value

    def target_workspace_id(self, attrs: dict[str, Any]) -> int:
        workspace = attrs.get("workspace")
        return workspace.pk if workspace is not None else self.instance.workspace_id

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        workspace_id = self.target_workspace_id(attrs)
        errors = {
            name: "It belongs to another workspace."
            for name in self.same_workspace_fields
            if attrs.get(name) is not None and attrs[name].workspace_id != workspace_id
        }
        for name in self.unique_in_workspace:
            value = attrs.get(name, getattr(self.instance, name, None))
            if value in (None, ""):
                continue
            others = self.Meta.model.objects.filter(workspace_id=workspace_id, **{name: value})
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                errors[name] = f"This workspace has one with this {name} already."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def scope_target_errors(*, scope: str, segment: str, channel: Any, noun: str) -> dict[str, str]:
    """Errors by field when a global/segment/channel ``scope`` and its target disagree.

    SLA policies and alert rules share the shape (and a CHECK constraint enforces it).
    """
    wrong = None
    if scope == "global" and (segment or channel is not None):
        wrong, rule = ("segment" if segment else "channel"), "has no segment and no channel"
    elif scope == "segment" and (not segment or channel is not None):
        wrong, rule = ("channel" if segment else "segment"), "names a segment and no channel"
    elif scope == "channel" and (segment or channel is None):
        wrong, rule = ("segment" if channel is not None else "channel"), "names a channel only"
    return {wrong: f"A {scope} {noun} {rule}."} if wrong else {}


# --- Roles and permissions ----------------------------------------------------------------

ROLE_RANK = {MemberRole.READ_ONLY: 0, MemberRole.AGENT: 1, MemberRole.ADMIN: 2}
_MEMBERSHIPS_ATTRIBUTE = "_thena_memberships"


def memberships_of(request: HttpRequest) -> dict[int, WorkspaceMembership]:
    """The caller's memberships by workspace id, loaded once per HTTP request."""
    cached = getattr(request, _MEMBERSHIPS_ATTRIBUTE, None)
    if cached is None:
        cached = memberships_by_workspace(user=request.user)
        setattr(request, _MEMBERSHIPS_ATTRIBUTE, cached)
    return cached


def role_in(request: HttpRequest, workspace_id: int) -> str | None:
    """The caller's role in the workspace: admin for superusers, None for non-members."""
    if request.user.is_superuser:
        return MemberRole.ADMIN
    membership = memberships_of(request).get(workspace_id)
    return membership.role if membership else None


def has_role(request: HttpRequest, workspace_id: int, minimum: str) -> bool:
    role = role_in(request, workspace_id)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def require_role(request: HttpRequest, workspace_id: int, minimum: str) -> None:
    """Raises 403 unless the caller has at least ``minimum`` in the workspace."""
    if not has_role(request, workspace_id, minimum):
        raise exceptions.PermissionDenied(_denied_message(minimum))


def linked_slack_user(request: HttpRequest, workspace_id: int) -> SlackUser | None:
    """The caller's Slack identity in the workspace (``WorkspaceMembership.slack_user``)."""
    membership = memberships_of(request).get(workspace_id)
    slack_user = membership.slack_user if membership else None
    if slack_user is None or slack_user.workspace_id != workspace_id:
        return None
    return slack_user


def workspace_id_of(obj: Model, lookup: str = "workspace") -> int:
    """The workspace id of ``obj``, following ``lookup`` (e.g. ``provider__workspace``)."""
    if isinstance(obj, Workspace):
        return obj.pk
    *path, last = lookup.split("__")
    for name in path:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


def _denied_message(minimum: str) -> str:
    if minimum == MemberRole.ADMIN:
        return "Only workspace admins can change the configuration."
    return "Read-only members cannot act on requests."


class WorkspaceRolePermission(BasePermission):
    """Members of the object's workspace read; writing needs ``write_role`` there.

    Querysets are already limited to the caller's workspaces, so this decides between
    reading and writing. The view may name the path to the workspace in ``workspace_lookup``.
    """

    write_role: str | None = MemberRole.ADMIN
    message = "You do not have permission to do this."

    def has_permission(self, request: HttpRequest, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS or user.is_superuser:
            return True
        if self.write_role is None:
            # Read-only views have no write handler: DRF answers 405, which says more than
            # 403 would. Writes on an object still fail the object check below.
            return True
        # A write needs the role somewhere; the object (or create) check narrows it down.
        minimum = ROLE_RANK[self.write_role]
        if any(ROLE_RANK[m.role] >= minimum for m in memberships_of(request).values()):
            return True
        self.message = _denied_message(self.write_role)
        return False

    def has_object_permission(self, request: HttpRequest, view: Any, obj: Model) -> bool:
        workspace_id = workspace_id_of(obj, getattr(view, "workspace_lookup", "workspace"))
        if role_in(request, workspace_id) is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        if self.write_role is None or not has_role(request, workspace_id, self.write_role):
            self.message = _denied_message(self.write_role or MemberRole.ADMIN)
            return False
        return True


class IsWorkspaceMember(WorkspaceRolePermission):
    """Read-only endpoints: any member of the object's workspace."""

    write_role = None


class CanActOnRequests(WorkspaceRolePermission):
    """Request actions (assign, close...) and alert retries: agents and admins."""

    write_role = MemberRole.AGENT


class CanConfigureWorkspace(WorkspaceRolePermission):
    """Configuration (channels, policies, calendars, rules, providers): admins only."""

    write_role = MemberRole.ADMIN


# --- Views --------------------------------------------------------------------------------


class WorkspaceScopedViewMixin:
    """A view over one model whose rows belong to workspaces (``workspace_lookup``).

    The queryset holds only the caller's workspaces' rows, so another workspace's row is not
    found (404); creating needs ``create_role`` in the target workspace.
    """

    workspace_lookup = "workspace"
    create_role: str = MemberRole.ADMIN
    request: HttpRequest

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()  # type: ignore[misc]
        return scope_to_user(queryset, user=self.request.user, lookup=self.workspace_lookup)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        require_role(self.request, serializer.validated_data["workspace"].pk, self.create_role)
        serializer.save()
