"""Clear requests and non-requests in each supported language get the right verdict."""

import pytest

from requests_app.detection import DetectionInput, DetectionPipeline

REQUESTS = {
    "en": [
        "Can you check why our invoices for May show the wrong tax rate?",
        "the mobile app crashes every time we open the reports tab",
        "any update on the refund for order 7712?",
        "please add two more seats to our workspace",
    ],
    "es": [
        "¿Pueden revisar por qué no se generan las etiquetas de envío?",
        "la app se cierra cada vez que abrimos los informes",
        "¿alguna novedad sobre el reembolso del pedido 7712?",
        "por favor agreguen dos licencias más a nuestra cuenta",
    ],
    "de": [
        "Könnt ihr prüfen, warum die Versandetiketten nicht erstellt werden?",
        "die App stürzt jedes Mal ab, wenn wir die Berichte öffnen",
        "gibt es schon Neuigkeiten zur Erstattung von Bestellung 7712?",
        "bitte fügt unserem Workspace zwei weitere Lizenzen hinzu",
    ],
    "fr": [
        "Vous pouvez vérifier pourquoi les étiquettes d'expédition ne sont pas générées ?",
        "l'appli plante à chaque fois qu'on ouvre les rapports",
        "des nouvelles du remboursement de la commande 7712 ?",
        "merci d'ajouter deux licences à notre espace",
    ],
    "pt": [
        "Vocês podem verificar por que as etiquetas de envio não estão sendo geradas?",
        "o app fecha toda vez que abrimos os relatórios",
        "alguma novidade sobre o reembolso do pedido 7712?",
        "por favor adicionem mais duas licenças na nossa conta",
    ],
}

NON_REQUESTS = {
    "en": [
        "thanks a lot, that fixed it!",
        "fyi we deployed v2 on our side this morning",
        "sounds good, talk to you next week",
        "have a great weekend everyone",
    ],
    "es": [
        "muchas gracias, ya quedó resuelto",
        "para su información, desplegamos la versión 2 esta mañana",
        "perfecto, hablamos la semana que viene",
        "¡buen fin de semana a todos!",
    ],
    "de": [
        "vielen Dank, das hat es gelöst!",
        "zur Info: wir haben heute Morgen Version 2 ausgerollt",
        "klingt gut, wir hören uns nächste Woche",
        "schönes Wochenende euch allen",
    ],
    "fr": [
        "merci beaucoup, c'est réglé !",
        "pour info, on a déployé la v2 ce matin de notre côté",
        "parfait, on se parle la semaine prochaine",
        "bon week-end à tous",
    ],
    "pt": [
        "muito obrigado, resolveu!",
        "só para avisar, subimos a versão 2 hoje cedo do nosso lado",
        "perfeito, falamos semana que vem",
        "bom fim de semana, pessoal",
    ],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(language, text) for language, texts in table.items() for text in texts]


@pytest.mark.parametrize(("language", "text"), _cases(REQUESTS))
def test_clear_requests_are_detected(pipeline: DetectionPipeline, language: str, text: str) -> None:
    decision = pipeline.decide(DetectionInput(text=text))

    assert decision.is_request is True, (language, decision)


@pytest.mark.parametrize(("language", "text"), _cases(NON_REQUESTS))
def test_clear_non_requests_are_ignored(
    pipeline: DetectionPipeline, language: str, text: str
) -> None:
    decision = pipeline.decide(DetectionInput(text=text))

    assert decision.is_request is False, (language, decision)


# Problems the customer reports as settled are not requests; problems that persist, come back
# or arrive wrapped in an FYI are.
SETTLED = {
    "en": "the 502s were caused by our own proxy, fixed now, nothing needed from you",
    "es": "ya funciona, el error era de nuestro lado",
    "de": "funktioniert jetzt, der Fehler lag an unserer Firewall",
    "fr": "c'est réglé, l'erreur venait de notre pare-feu",
    "pt": "já resolveu, o erro era do nosso lado",
}
STILL_OPEN = {
    "en": "fyi the EU endpoint has been returning 503s for an hour",
    "es": "aplicamos el workaround pero el error sigue apareciendo",
    "de": "zur Info: der Export ist seit heute früh kaputt",
    "fr": "on a vidé le cache mais l'erreur persiste",
    "pt": "o erro voltou mesmo depois da correção",
}


@pytest.mark.parametrize(("language", "text"), list(SETTLED.items()))
def test_settled_problems_are_not_requests(
    pipeline: DetectionPipeline, language: str, text: str
) -> None:
    decision = pipeline.decide(DetectionInput(text=text))

    assert decision.is_request is False, (language, decision)


@pytest.mark.parametrize(("language", "text"), list(STILL_OPEN.items()))
def test_open_problems_are_requests(pipeline: DetectionPipeline, language: str, text: str) -> None:
    decision = pipeline.decide(DetectionInput(text=text))

    assert decision.is_request is True, (language, decision)
