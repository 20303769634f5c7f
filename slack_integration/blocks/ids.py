"""Action, block and callback IDs: one enum per surface, shared by builders and listeners."""

from enum import StrEnum


class ActionId(StrEnum):
    OPEN_MESSAGE = "open_message"
    CREATE_TICKET = "create_ticket"
    ASSIGN_TO_ME = "assign_to_me"
    ASSIGN_OTHER = "assign_other"
    CLOSE_REQUEST = "close_request"
    DISCARD_REQUEST = "discard_request"
    WAIT_ON_CUSTOMER = "wait_on_customer"
    UNDO = "undo_action"
    SUMMARY_PAGE = "summary_page"


class BlockId(StrEnum):
    ALERT_ACTIONS = "alert_actions"


class CallbackId(StrEnum):
    CREATE_TICKET = "create_ticket"


def request_value(request_id: int) -> str:
    """The button value naming a request (``request:42``)."""
    return f"request:{request_id}"


def parse_request_value(value: str | None) -> int | None:
    """The request ID in a button value, or None if the value is not ours."""
    prefix, _, number = (value or "").partition(":")
    return int(number) if prefix == "request" and number.isdigit() else None
