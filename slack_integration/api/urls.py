"""/api/v1/workspaces/, /api/v1/channels/, /api/v1/slack-users/."""

from rest_framework.routers import SimpleRouter

from slack_integration.api.views import ChannelViewSet, SlackUserViewSet, WorkspaceViewSet

router = SimpleRouter()
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("channels", ChannelViewSet, basename="channel")
router.register("slack-users", SlackUserViewSet, basename="slack-user")

urlpatterns = router.urls
