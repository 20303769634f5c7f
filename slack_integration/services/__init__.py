"""Slack edge services: inbound events, the directory of channels and users, workspaces."""
