"""Slack markup (mentions, channels, links, code, emoji codes) does not confuse the model."""

import pytest

from requests_app.detection import DetectionInput, DetectionPipeline
from requests_app.detection.text import normalize

MARKUP_REQUESTS = [
    "<@U04MNB7VC> can you check why `GET /v2/orders` returns a 500 for <#C02OPS77|ops>?",
    "following up on <https://acme.slack.com/archives/C1/p123|this thread> — still seeing 502s",
    "seeing this since the deploy:\n```\nError: ECONNRESET at socket.read\n```\nany idea?",
    "<!here> checkout is down, every payment fails with `card_error` :rotating_light:",
    "hey <@U01AB2CD3> :wave: the invoice at <https://billing.example.com/i/42|INV-42> is wrong",
]
MARKUP_NON_REQUESTS = [
    "<@U04MNB7VC> thanks, confirmed on our side :white_check_mark:",
    "cc <@U03KJ8PLM> for visibility",
    "posted the summary in <#C02OPS77|ops-updates> :+1:",
    "`v4.2.0` is live on all our clients :rocket:",
]


@pytest.mark.parametrize("text", MARKUP_REQUESTS)
def test_requests_wrapped_in_markup_are_detected(pipeline: DetectionPipeline, text: str) -> None:
    assert pipeline.decide(DetectionInput(text=text)).is_request is True


@pytest.mark.parametrize("text", MARKUP_NON_REQUESTS)
def test_markup_only_chatter_is_not_a_request(pipeline: DetectionPipeline, text: str) -> None:
    assert pipeline.decide(DetectionInput(text=text)).is_request is False


def test_markup_is_replaced_by_placeholders() -> None:
    normalized = normalize(
        "<@U04MNB7VC> see <https://x.io/a|the report> in <#C02OPS77|ops> `code` :eyes: 👍"
    )

    assert "u04mnb7vc" not in normalized
    assert "x.io" not in normalized
    assert "c02ops77" not in normalized
    assert "zzmention" in normalized
    assert "zzlink the report" in normalized
    assert "zzchannel" in normalized
    assert "zzcode" in normalized
    assert normalized.count("zzemoji") == 2


def test_the_same_message_scores_alike_with_different_user_ids(
    pipeline: DetectionPipeline,
) -> None:
    first = pipeline.decide(DetectionInput(text="<@U0000001> any update on the payout?"))
    second = pipeline.decide(DetectionInput(text="<@U9ZZZZZ9> any update on the payout?"))

    assert first.score == second.score
