"""Block Kit builders: pure functions from view models to Slack blocks."""
