"""Requests: list, detail, and the actions the Slack buttons have; `/my summary` as JSON.

Each action calls the same service as its Slack button, as the caller: their linked Slack
user when the membership has one, and always their Django user, from source ``api``.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from requests_app.api.filters import RequestFilter, with_sla_state
from requests_app.api.serializers import (
    AssignSerializer,
    CreateTicketSerializer,
    MySummaryQuerySerializer,
    MySummarySerializer,
    ReopenSerializer,
    RequestDetailSerializer,
    RequestSerializer,
)
from requests_app.models import EventSource, Request, RequestEvent
from requests_app.selectors import get_my_summary
from requests_app.services.actions import (
    Actor,
    assign_request,
    close_request,
    discard_request,
    hold_request,
    reopen_request,
)
from requests_app.services.tickets import create_ticket_for_request
from sla.models import SLAClock
from slack_integration.api.access import WorkspaceNotFoundError
from slack_integration.models import SlackUser
from thena.api import (
    CanActOnRequests,
    ErrorResponseSerializer,
    WorkspaceScopedViewMixin,
    linked_slack_user,
    memberships_of,
)
from thena.errors import NotFoundError
from tickets.api.serializers import TicketSerializer
from tickets.models import Ticket

_CONFLICT = OpenApiResponse(
    ErrorResponseSerializer, description="The request's state does not allow this."
)


class RequestCursorPagination(CursorPagination):
    """Newest first by default; stable under inserts, and no COUNT(*)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-detected_at"


def api_actor(request: HttpRequest, customer_request: Request) -> Actor:
    """The caller as an actor: linked Slack user (if any) and Django user, from the API."""
    return Actor(
        slack_user=linked_slack_user(request, customer_request.workspace_id),
        user=request.user,
        source=EventSource.API,
    )


class RequestViewSet(
    WorkspaceScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Customer requests in your workspaces, newest first (cursor-paginated).

    Actions need the agent or admin role; read-only members can only read.
    """

    permission_classes = [CanActOnRequests]
    queryset = Request.objects.all()
    filterset_class = RequestFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["detected_at", "updated_at", "id"]
    ordering = ["-detected_at"]
    pagination_class = RequestCursorPagination

    def get_queryset(self) -> QuerySet[Request]:
        queryset = with_sla_state(super().get_queryset(), now=timezone.now()).select_related(
            "channel",
            "customer",
            "assignee",
            "root_message__workspace",
            "root_message__channel",
        )
        if self.action == "list":
            return queryset
        return queryset.select_related("first_responder", "closed_by").prefetch_related(
            Prefetch(
                "events",
                queryset=RequestEvent.objects.select_related("actor", "actor_user").order_by(
                    "at", "pk"
                ),
            ),
            Prefetch("sla_clocks", queryset=SLAClock.objects.order_by("started_at", "pk")),
            Prefetch(
                "tickets",
                queryset=Ticket.objects.select_related("provider", "created_by").order_by(
                    "-created_at", "-pk"
                ),
            ),
        )

    def get_serializer_class(self) -> type[BaseSerializer]:
        return RequestSerializer if self.action == "list" else RequestDetailSerializer

    def _detail(self, customer_request: Request, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=customer_request.pk)
        return Response(RequestDetailSerializer(fresh).data, status=code)

    def _input(self, serializer_class: type[BaseSerializer], customer_request: Request) -> dict:
        serializer = serializer_class(
            data=self.request.data,
            context={"request": self.request, "customer_request": customer_request},
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=AssignSerializer, responses={200: RequestDetailSerializer, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Assigns the request to a support team member (an open request becomes in progress)."""
        customer_request = self.get_object()
        data = self._input(AssignSerializer, customer_request)
        assign_request(
            customer_request=customer_request,
            assignee=data["assignee"],
            actor=api_actor(request, customer_request),
        )
        return self._detail(customer_request)

    @extend_schema(request=None, responses={200: RequestDetailSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Closes the request: its resolution clock is met."""
        customer_request = self.get_object()
        close_request(customer_request=customer_request, actor=api_actor(request, customer_request))
        return self._detail(customer_request)

    @extend_schema(request=None, responses={200: RequestDetailSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def discard(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Not a request after all: clocks cancelled; similar messages are ignored from now on."""
        customer_request = self.get_object()
        discard_request(
            customer_request=customer_request, actor=api_actor(request, customer_request)
        )
        return self._detail(customer_request)

    @extend_schema(request=None, responses={200: RequestDetailSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def hold(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Waiting on the customer: the resolution clock pauses until the customer writes."""
        customer_request = self.get_object()
        hold_request(customer_request=customer_request, actor=api_actor(request, customer_request))
        return self._detail(customer_request)

    @extend_schema(
        request=ReopenSerializer, responses={200: RequestDetailSerializer, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Reopens a closed or discarded request, with a new resolution clock."""
        customer_request = self.get_object()
        data = self._input(ReopenSerializer, customer_request)
        reopen_request(
            customer_request=customer_request,
            actor=api_actor(request, customer_request),
            reason=data.get("reason", ""),
        )
        return self._detail(customer_request)

    @extend_schema(
        request=CreateTicketSerializer, responses={201: TicketSerializer, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="create-ticket")
    def create_ticket(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Creates a ticket for the request in a provider (default: the workspace's)."""
        customer_request = self.get_object()
        data = self._input(CreateTicketSerializer, customer_request)
        ticket = create_ticket_for_request(
            customer_request=customer_request,
            actor=api_actor(request, customer_request),
            title=data["title"],
            description=data.get("description", ""),
            priority=data["priority"],
            provider=data.get("provider"),
            assignee=data.get("assignee"),
        )
        ticket = Ticket.objects.select_related("provider", "created_by").get(pk=ticket.pk)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class SlackUserNotLinkedError(NotFoundError):
    code = "slack_user_not_linked"


def my_slack_user(request: HttpRequest, workspace_id: int | None) -> SlackUser:
    """The caller's linked Slack user: in ``workspace_id``, or the only one they have."""
    linked = {
        pk: membership.slack_user
        for pk, membership in memberships_of(request).items()
        if membership.slack_user is not None and membership.slack_user.workspace_id == pk
    }
    if workspace_id is not None:
        if workspace_id not in memberships_of(request):
            raise WorkspaceNotFoundError(f"Workspace {workspace_id} was not found.")
        linked = {workspace_id: linked[workspace_id]} if workspace_id in linked else {}
    if not linked:
        raise SlackUserNotLinkedError(
            "No Slack user is linked to your account: ask an admin to link one to your "
            "workspace membership."
        )
    if len(linked) > 1:
        raise ValidationError({"workspace": "You are linked in several workspaces; choose one."})
    return next(iter(linked.values()))


class MySummaryView(APIView):
    """`/my summary` as JSON: the active requests assigned to you, most urgent first.

    "You" is the Slack user linked to your workspace membership; without one the answer is
    404 `slack_user_not_linked`.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_summary_retrieve",
        parameters=[MySummaryQuerySerializer],
        responses={200: MySummarySerializer},
    )
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        query = MySummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = query.validated_data
        slack_user = my_slack_user(request, options.get("workspace"))
        summary = get_my_summary(
            assignee=slack_user, page=options["page"], page_size=options["page_size"]
        )
        context = {"workspace_id": slack_user.workspace_id}
        return Response(MySummarySerializer(summary, context=context).data)
