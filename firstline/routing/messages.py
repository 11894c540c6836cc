"""What the customer reads about the queue, in their language (en, it, pt, de, es; English otherwise)."""

from __future__ import annotations

import math

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "soon": "You are number {position} in line. An agent will be with you in a moment.",
        "one_minute": "You are number {position} in line. Expected wait: about 1 minute.",
        "minutes": "You are number {position} in line. Expected wait: about {minutes} minutes.",
        "unknown": "You are number {position} in line. All our agents are busy; please stay with us.",
        "assigned": "An agent has joined the conversation.",
        "requeued": "Your agent had to leave. You are back at the front of the line and the next "
        "available agent will continue the conversation.",
    },
    "it": {
        "soon": "Sei il numero {position} in coda. Un operatore sarà da te tra un momento.",
        "one_minute": "Sei il numero {position} in coda. Attesa prevista: circa 1 minuto.",
        "minutes": "Sei il numero {position} in coda. Attesa prevista: circa {minutes} minuti.",
        "unknown": "Sei il numero {position} in coda. Tutti i nostri operatori sono occupati; resta con noi.",
        "assigned": "Un operatore si è unito alla conversazione.",
        "requeued": "Il tuo operatore ha dovuto lasciare la conversazione. Sei di nuovo in cima alla coda "
        "e il prossimo operatore disponibile la continuerà.",
    },
    "pt": {
        "soon": "Você é o número {position} na fila. Um atendente falará com você em instantes.",
        "one_minute": "Você é o número {position} na fila. Espera prevista: cerca de 1 minuto.",
        "minutes": "Você é o número {position} na fila. Espera prevista: cerca de {minutes} minutos.",
        "unknown": "Você é o número {position} na fila. Todos os atendentes estão ocupados; "
        "por favor, aguarde.",
        "assigned": "Um atendente entrou na conversa.",
        "requeued": "O seu atendente precisou sair. Você voltou para o início da fila e o próximo "
        "atendente disponível continuará a conversa.",
    },
    "de": {
        "soon": "Sie sind Nummer {position} in der Warteschlange. Gleich ist ein Mitarbeiter für Sie da.",
        "one_minute": "Sie sind Nummer {position} in der Warteschlange. Erwartete Wartezeit: etwa 1 Minute.",
        "minutes": "Sie sind Nummer {position} in der Warteschlange. "
        "Erwartete Wartezeit: etwa {minutes} Minuten.",
        "unknown": "Sie sind Nummer {position} in der Warteschlange. Alle Mitarbeiter sind im Gespräch; "
        "bitte bleiben Sie dran.",
        "assigned": "Ein Mitarbeiter ist dem Gespräch beigetreten.",
        "requeued": "Ihr Mitarbeiter musste das Gespräch verlassen. Sie stehen wieder ganz vorne in der "
        "Warteschlange, der nächste freie Mitarbeiter übernimmt.",
    },
    "es": {
        "soon": "Eres el número {position} en la cola. Un agente te atenderá en un momento.",
        "one_minute": "Eres el número {position} en la cola. Espera estimada: alrededor de 1 minuto.",
        "minutes": "Eres el número {position} en la cola. Espera estimada: alrededor de {minutes} minutos.",
        "unknown": "Eres el número {position} en la cola. Todos nuestros agentes están ocupados; "
        "por favor, espera.",
        "assigned": "Un agente se ha unido a la conversación.",
        "requeued": "Tu agente tuvo que salir. Vuelves a estar el primero de la cola y el próximo agente "
        "disponible continuará la conversación.",
    },
}

LANGUAGES = tuple(_TEXTS)


def text(language: str, key: str, **values: object) -> str:
    """The sentence ``key`` in ``language`` (English when the language has no translation)."""
    return _TEXTS.get(language, _TEXTS["en"])[key].format(**values)


def queue_sentence(language: str, *, position: int, expected_wait_seconds: float | None) -> str:
    """'You are number 3 in line. Expected wait: about 2 minutes.' in the customer's language."""
    if expected_wait_seconds is None:
        return text(language, "unknown", position=position)
    if expected_wait_seconds < 45:
        return text(language, "soon", position=position)
    minutes = max(1, math.ceil(expected_wait_seconds / 60))
    if minutes == 1:
        return text(language, "one_minute", position=position)
    return text(language, "minutes", position=position, minutes=minutes)
