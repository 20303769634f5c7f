"""Config as code: ``python manage.py apply_config FILE.yaml`` (schema in README.md)."""

from slack_integration.configfile.apply import Change, apply_config, plan_config
from slack_integration.configfile.loader import (
    ConfigError,
    ConfigSpec,
    load_config,
    load_config_file,
)

__all__ = [
    "Change",
    "ConfigError",
    "ConfigSpec",
    "apply_config",
    "load_config",
    "load_config_file",
    "plan_config",
]
