"""/api/v1/ticket-providers/ and /api/v1/tickets/."""

from rest_framework.routers import SimpleRouter

from tickets.api.views import TicketProviderViewSet, TicketViewSet

router = SimpleRouter()
router.register("ticket-providers", TicketProviderViewSet, basename="ticket-provider")
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = router.urls
