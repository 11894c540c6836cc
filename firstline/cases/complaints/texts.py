"""Customer-facing complaint letters in the complaint's language (en, it, pt, de, es; others get English)."""

from __future__ import annotations

from datetime import datetime

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "ack": "We have received your complaint (reference {ref}) on {received}. Your contact point is {contact}. We will send you our decision within {days} days, by {due} at the latest.",
        "admissible": "Your complaint {ref} has been accepted for review.",
        "inadmissible": "We cannot handle your complaint {ref} as a complaint, for these reasons: {reason}",
        "delay": "We need more time to answer your complaint {ref}: {reason} You will receive our decision by {due}.",
        "decision_head": "Our decision on your complaint {ref}: {outcome}.",
        "point": "Point {n}: {point}\nOur answer: {answer}",
        "remedies": "If you are not satisfied with this answer, you can:",
        "upheld": "upheld",
        "partially_upheld": "partially upheld",
        "rejected": "not upheld",
    },
    "it": {
        "ack": "Abbiamo ricevuto il tuo reclamo (riferimento {ref}) il {received}. Il tuo punto di contatto è {contact}. Ti invieremo la nostra decisione entro {days} giorni, al più tardi entro il {due}.",
        "admissible": "Il tuo reclamo {ref} è stato accettato per l'esame.",
        "inadmissible": "Non possiamo trattare la tua richiesta {ref} come reclamo, per questi motivi: {reason}",
        "delay": "Ci serve più tempo per rispondere al tuo reclamo {ref}: {reason} Riceverai la nostra decisione entro il {due}.",
        "decision_head": "La nostra decisione sul tuo reclamo {ref}: {outcome}.",
        "point": "Punto {n}: {point}\nLa nostra risposta: {answer}",
        "remedies": "Se non sei soddisfatto di questa risposta, puoi:",
        "upheld": "accolto",
        "partially_upheld": "accolto in parte",
        "rejected": "non accolto",
    },
    "pt": {
        "ack": "Recebemos a sua reclamação (referência {ref}) em {received}. O seu ponto de contacto é {contact}. Enviaremos a nossa decisão no prazo de {days} dias, até {due} o mais tardar.",
        "admissible": "A sua reclamação {ref} foi aceite para análise.",
        "inadmissible": "Não podemos tratar o seu pedido {ref} como reclamação, pelos seguintes motivos: {reason}",
        "delay": "Precisamos de mais tempo para responder à sua reclamação {ref}: {reason} Receberá a nossa decisão até {due}.",
        "decision_head": "A nossa decisão sobre a sua reclamação {ref}: {outcome}.",
        "point": "Ponto {n}: {point}\nA nossa resposta: {answer}",
        "remedies": "Se não estiver satisfeito com esta resposta, pode:",
        "upheld": "procedente",
        "partially_upheld": "parcialmente procedente",
        "rejected": "improcedente",
    },
    "de": {
        "ack": "Wir haben Ihre Beschwerde (Referenz {ref}) am {received} erhalten. Ihre Ansprechstelle ist {contact}. Sie erhalten unsere Entscheidung innerhalb von {days} Tagen, spätestens am {due}.",
        "admissible": "Ihre Beschwerde {ref} wurde zur Prüfung angenommen.",
        "inadmissible": "Wir können Ihr Anliegen {ref} aus folgenden Gründen nicht als Beschwerde bearbeiten: {reason}",
        "delay": "Wir benötigen mehr Zeit für die Antwort auf Ihre Beschwerde {ref}: {reason} Sie erhalten unsere Entscheidung bis zum {due}.",
        "decision_head": "Unsere Entscheidung zu Ihrer Beschwerde {ref}: {outcome}.",
        "point": "Punkt {n}: {point}\nUnsere Antwort: {answer}",
        "remedies": "Wenn Sie mit dieser Antwort nicht zufrieden sind, können Sie:",
        "upheld": "stattgegeben",
        "partially_upheld": "teilweise stattgegeben",
        "rejected": "nicht stattgegeben",
    },
    "es": {
        "ack": "Hemos recibido tu reclamación (referencia {ref}) el {received}. Tu punto de contacto es {contact}. Te enviaremos nuestra decisión en un plazo de {days} días, a más tardar el {due}.",
        "admissible": "Tu reclamación {ref} ha sido admitida para su estudio.",
        "inadmissible": "No podemos tramitar tu solicitud {ref} como reclamación, por estos motivos: {reason}",
        "delay": "Necesitamos más tiempo para responder a tu reclamación {ref}: {reason} Recibirás nuestra decisión a más tardar el {due}.",
        "decision_head": "Nuestra decisión sobre tu reclamación {ref}: {outcome}.",
        "point": "Punto {n}: {point}\nNuestra respuesta: {answer}",
        "remedies": "Si no estás conforme con esta respuesta, puedes:",
        "upheld": "estimada",
        "partially_upheld": "estimada parcialmente",
        "rejected": "desestimada",
    },
}

DEFAULT_REMEDIES: dict[str, list[str]] = {
    "en": [
        "refer the complaint to the competent national authority",
        "use an out-of-court dispute resolution body",
        "bring the matter before the courts",
    ],
    "it": [
        "rivolgerti all'autorità nazionale competente",
        "ricorrere a un organismo di risoluzione extragiudiziale delle controversie",
        "adire l'autorità giudiziaria",
    ],
    "pt": [
        "apresentar a reclamação à autoridade nacional competente",
        "recorrer a uma entidade de resolução extrajudicial de litígios",
        "recorrer aos tribunais",
    ],
    "de": [
        "sich an die zuständige nationale Behörde wenden",
        "eine außergerichtliche Streitbeilegungsstelle anrufen",
        "den Rechtsweg beschreiten",
    ],
    "es": [
        "presentar la reclamación ante la autoridad nacional competente",
        "acudir a un organismo de resolución extrajudicial de litigios",
        "acudir a los tribunales",
    ],
}


def texts_for(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def decision_letter(
    *, language: str, reference: str, outcome: str, points: list[str], answers: list[str], remedies: list[str]
) -> str:
    """The decision in the complaint's language: the outcome, every point with its answer, the remedies."""
    text = texts_for(language)
    parts = [text["decision_head"].format(ref=reference, outcome=text[outcome])]
    parts += [
        text["point"].format(n=number, point=point, answer=answer)
        for number, (point, answer) in enumerate(zip(points, answers, strict=True), start=1)
    ]
    if remedies:
        parts.append(text["remedies"] + "\n" + "\n".join(f"- {remedy}" for remedy in remedies))
    return "\n\n".join(parts)
