from django.apps import AppConfig


class SlackIntegrationConfig(AppConfig):
    name = "slack_integration"
    verbose_name = "Slack"
