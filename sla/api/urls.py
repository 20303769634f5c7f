"""/api/v1/sla-policies/, /api/v1/calendars/, /api/v1/sla-clocks/."""

from rest_framework.routers import SimpleRouter

from sla.api.views import BusinessHoursCalendarViewSet, SLAClockViewSet, SLAPolicyViewSet

router = SimpleRouter()
router.register("sla-policies", SLAPolicyViewSet, basename="sla-policy")
router.register("calendars", BusinessHoursCalendarViewSet, basename="calendar")
router.register("sla-clocks", SLAClockViewSet, basename="sla-clock")

urlpatterns = router.urls
