"""``manage.py create_api_token USERNAME``: an API token for a user, printed on its own line.

The token is the last line of the output, alone, so scripts can take it with ``tail -n1``.
``--workspace T… --role agent`` also grants (or changes) the user's membership, and
``--slack-user U…`` links their Slack identity (for actions and ``/api/v1/me/summary``).
An existing token is printed again unless ``--rotate`` replaces it.
"""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from slack_integration.models import MemberRole, SlackUser, Workspace, WorkspaceMembership

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Create (or rotate) a user's REST API token and print it on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--workspace", metavar="TEAM_ID", help="Grant access to this team.")
        parser.add_argument(
            "--role",
            choices=MemberRole.values,
            help="Role in --workspace (default: agent for a new membership).",
        )
        parser.add_argument(
            "--slack-user", metavar="USER_ID", help="Link this Slack user (U…) of --workspace."
        )
        parser.add_argument("--rotate", action="store_true", help="Replace an existing token.")
        parser.add_argument(
            "--create-user", action="store_true", help="Create the user if it does not exist."
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if (options["role"] or options["slack_user"]) and not options["workspace"]:
            raise CommandError("--role and --slack-user need --workspace TEAM_ID.")
        user = self._user(options["username"], create=options["create_user"])
        if options["workspace"]:
            membership = self._grant(user, options["workspace"], options["role"])
            if options["slack_user"]:
                self._link(membership, options["slack_user"])
            self.stdout.write(
                f"{user.get_username()} is {membership.role} in {membership.workspace}"
            )
        token, created = Token.objects.get_or_create(user=user)
        if options["rotate"] and not created:
            token.delete()
            token = Token.objects.create(user=user)
            created = True
        logger.info(
            "api.token_issued", extra={"user_id": user.pk, "rotated": bool(options["rotate"])}
        )
        self.stdout.write(
            "Created a new token:" if created else "Existing token (--rotate replaces it):"
        )
        self.stdout.write(token.key)

    def _user(self, username: str, *, create: bool) -> Any:
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is not None:
            return user
        if not create:
            raise CommandError(
                f"No user {username!r}. Create one with --create-user (no password: it can "
                "use the API but not log in) or `manage.py createsuperuser`."
            )
        user = user_model(**{user_model.USERNAME_FIELD: username})
        user.set_unusable_password()
        user.save()
        self.stdout.write(f"Created user {username}")
        return user

    def _grant(self, user: Any, team_id: str, role: str | None) -> WorkspaceMembership:
        workspace = Workspace.objects.filter(team_id=team_id).first()
        if workspace is None:
            raise CommandError(f"No workspace with team ID {team_id!r}.")
        membership, created = WorkspaceMembership.objects.get_or_create(
            user=user, workspace=workspace, defaults={"role": role or MemberRole.AGENT}
        )
        if not created and role and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
        return membership

    def _link(self, membership: WorkspaceMembership, user_id: str) -> None:
        slack_user = SlackUser.objects.filter(
            workspace=membership.workspace, user_id=user_id
        ).first()
        if slack_user is None:
            raise CommandError(f"No Slack user {user_id!r} in {membership.workspace}.")
        membership.slack_user = slack_user
        membership.save(update_fields=["slack_user", "updated_at"])
