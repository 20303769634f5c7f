"""Lexicon cues and their interactions: settled vs open problems, elisions, last clauses."""

import pytest

from requests_app.detection.lexicon import cue_names
from requests_app.detection.text import extract_features, normalize


def cues(text: str) -> list[str]:
    return cue_names(normalize(text))


def meta(text: str) -> set[str]:
    return set(extract_features(text)["meta"])


def test_french_elisions_do_not_hide_cue_words() -> None:
    assert {"error", "still"} <= set(cues("l'erreur persiste"))
    assert "not_working" in cues("l'export ne marche pas")
    assert "please" in cues("merci d'ajouter deux licences")
    assert "please" in cues("merci de transmettre ça à votre équipe")
    assert "please" not in cues("merci de votre aide")


@pytest.mark.parametrize(
    "text",
    [
        "the 502s went away after your fix",
        "no more timeouts since the upgrade",
        "seit dem Update keine Fehler mehr",
        "das Problem mit den Labels ist seit heute früh weg",
        "plus aucune erreur depuis hier",
        "ya no vemos los webhooks duplicados",
        "nenhum erro desde ontem",
    ],
)
def test_a_problem_that_went_away_is_settled(text: str) -> None:
    features = meta(text)

    assert "cue:problem_gone" in features
    assert "x:open_problem" not in features


@pytest.mark.parametrize(
    "text",
    [
        "zur Info: die Bestellbestätigungen gehen seit heute Morgen nicht mehr raus",
        "the Slack alerts integration stopped posting to our channel",
        "uploads fail silently, no error, the file never appears",
        "worked yesterday, today we're getting 500s again",
    ],
)
def test_something_that_stopped_working_is_not_settled(text: str) -> None:
    features = meta(text)

    assert "cue:problem_gone" not in features
    assert "x:settled_problem" not in features


def test_a_problem_that_came_back_is_open_again() -> None:
    features = meta("the error is back even though it was fixed last week")

    assert "cue:problem_back" in features
    assert "x:open_problem" in features
    assert "x:settled_for_good" not in features


def test_asking_whether_something_is_fixed_is_not_a_settled_report() -> None:
    features = meta("¿La caída de esta mañana ya está resuelta?")

    assert "x:open_problem" in features


def test_http_statuses_count_as_problems_but_head_counts_do_not() -> None:
    assert "cue:http_error" in meta("we keep getting 502s on upload")
    assert "cue:http_error" in meta("ayer andaba, hoy otra vez nos da 500")
    assert "cue:http_error" not in meta("Über 400 Teilnehmende haben sich angemeldet")


def test_the_last_clause_is_described_separately() -> None:
    settled_then_open = meta("Thanks, the login works again. But all the roles were reset")
    open_then_settled = meta("the sync failed overnight, but it is fixed now")

    assert "last:contrast_unsettled" in settled_then_open
    assert "last:resolved" in open_then_settled
    assert "last:open_problem" not in open_then_settled
    assert not any(feature.startswith("last:") for feature in meta("export is broken"))


def test_offers_and_out_of_office_notes_do_not_count_as_asks() -> None:
    assert "x:plain_statement" in meta("let us know if you need any more details")
    assert "x:away" in meta("I'm out of office until Monday, questions to <@U07ZXC4> please")


def test_cue_search_can_be_limited_to_candidates() -> None:
    text = normalize("thanks, still failing though")

    assert cue_names(text, {"still"}) == ["still"]
    assert cue_names(text, set()) == []
