"""Tenancy for the API: which workspaces a Django user may see, and how.

Every API queryset goes through :func:`scope_to_user`, so another workspace's row is simply
not found (404), as Zulip's ``access_*`` helpers do. Superusers see every workspace.
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from slack_integration.models import Workspace, WorkspaceMembership
from thena.errors import NotFoundError

ModelT = TypeVar("ModelT", bound=Model)


class WorkspaceNotFoundError(NotFoundError):
    code = "workspace_not_found"


def memberships_by_workspace(*, user: Any) -> dict[int, WorkspaceMembership]:
    """The user's memberships (with their linked Slack user) keyed by workspace id."""
    if not user.is_authenticated:
        return {}
    memberships = WorkspaceMembership.objects.filter(user=user).select_related("slack_user")
    return {membership.workspace_id: membership for membership in memberships}


def list_visible_workspaces(*, user: Any) -> QuerySet[Workspace]:
    """The workspaces the user is a member of (every workspace for a superuser)."""
    if user.is_superuser:
        return Workspace.objects.all()
    if not user.is_authenticated:
        return Workspace.objects.none()
    return Workspace.objects.filter(members__user=user)


def scope_to_user(
    queryset: QuerySet[ModelT], *, user: Any, lookup: str = "workspace"
) -> QuerySet[ModelT]:
    """``queryset`` limited to rows whose ``lookup`` workspace the user may see."""
    if user.is_superuser:
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    workspace_ids = WorkspaceMembership.objects.filter(user=user).values("workspace_id")
    return queryset.filter(**{f"{lookup}__in": workspace_ids})


def get_workspace_for_user(*, user: Any, workspace_id: int) -> Workspace:
    """The workspace ``workspace_id`` if the user may see it; else not found."""
    workspace = list_visible_workspaces(user=user).filter(pk=workspace_id).first()
    if workspace is None:
        raise WorkspaceNotFoundError(f"Workspace {workspace_id} was not found.")
    return workspace
