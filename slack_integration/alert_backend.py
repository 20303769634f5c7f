"""The ``slack`` alert delivery backend: chat.postMessage / chat.update with unfurls off."""

from alerts.backends import Delivered
from alerts.exceptions import DeliveryError
from alerts.models import Alert
from alerts.selectors import AlertView
from slack_integration.blocks.alerts import alert_fallback_text, build_alert_blocks
from slack_integration.client import SlackError, SlackRateLimitedError, call, client_for


def _delivery_error(error: SlackError) -> DeliveryError:
    retry_after = error.retry_after if isinstance(error, SlackRateLimitedError) else None
    return DeliveryError(str(error), is_transient=error.is_transient, retry_after=retry_after)


class SlackAlertBackend:
    """Posts alerts as the workspace's bot."""

    def send(self, alert: Alert, view: AlertView) -> Delivered:
        try:
            data = call(
                client_for(alert.request.workspace),
                "chat.postMessage",
                channel=alert.destination,
                text=alert_fallback_text(view),
                blocks=build_alert_blocks(view),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackError as error:
            raise _delivery_error(error) from error
        return Delivered(
            channel=str(data.get("channel") or alert.destination), ts=str(data.get("ts") or "")
        )

    def update(self, alert: Alert, view: AlertView) -> None:
        try:
            call(
                client_for(alert.request.workspace),
                "chat.update",
                channel=alert.slack_channel or alert.destination,
                ts=alert.slack_ts,
                text=alert_fallback_text(view),
                blocks=build_alert_blocks(view),
            )
        except SlackError as error:
            raise _delivery_error(error) from error
