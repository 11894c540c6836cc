"""What Firstline itself writes to customers by email, in their language (English when it has none)."""

from __future__ import annotations

ACKNOWLEDGEMENT: dict[str, str] = {
    "en": (
        "[Automatic message] We have received your email. Your reference number is {reference}. "
        "A member of our support team will answer you personally; please keep {reference} "
        "in the subject when you write again."
    ),
    "it": (
        "[Messaggio automatico] Abbiamo ricevuto la tua email. Il tuo numero di riferimento è {reference}. "
        "Un membro del nostro team di assistenza ti risponderà personalmente; indica {reference} "
        "nell'oggetto quando ci scrivi di nuovo."
    ),
    "pt": (
        "[Mensagem automática] Recebemos o seu email. O seu número de referência é {reference}. "
        "Um membro da nossa equipa de suporte irá responder-lhe pessoalmente; mantenha {reference} "
        "no assunto quando voltar a escrever."
    ),
    "de": (
        "[Automatische Nachricht] Wir haben Ihre E-Mail erhalten. Ihre Referenznummer ist {reference}. "
        "Ein Mitglied unseres Support-Teams antwortet Ihnen persönlich; bitte behalten Sie {reference} "
        "im Betreff, wenn Sie erneut schreiben."
    ),
    "es": (
        "[Mensaje automático] Hemos recibido tu correo. Tu número de referencia es {reference}. "
        "Un miembro de nuestro equipo de soporte te responderá personalmente; mantén {reference} "
        "en el asunto cuando vuelvas a escribir."
    ),
}

ANTI_PHISHING_CODE: dict[str, str] = {
    "en": "Your anti-phishing code: {code}. A genuine email from us always shows it.",
    "it": "Il tuo codice anti-phishing: {code}. Le nostre email autentiche lo mostrano sempre.",
    "pt": "O seu código anti-phishing: {code}. Os nossos emails genuínos mostram-no sempre.",
    "de": "Ihr Anti-Phishing-Code: {code}. Echte E-Mails von uns zeigen ihn immer.",
    "es": "Tu código antiphishing: {code}. Nuestros correos auténticos siempre lo muestran.",
}

ANTI_PHISHING_GENERIC: dict[str, str] = {
    "en": "We will never ask for your password, 2FA codes or seed phrase.",
    "it": "Non ti chiederemo mai password, codici 2FA o seed phrase.",
    "pt": "Nunca lhe pediremos a palavra-passe, códigos 2FA ou a seed phrase.",
    "de": "Wir fragen niemals nach Ihrem Passwort, 2FA-Codes oder Ihrer Seed-Phrase.",
    "es": "Nunca te pediremos tu contraseña, códigos 2FA ni tu frase semilla.",
}

SIGNATURE: dict[str, str] = {
    "en": "Customer Support",
    "it": "Assistenza clienti",
    "pt": "Apoio ao cliente",
    "de": "Kundensupport",
    "es": "Atención al cliente",
}


def localized(table: dict[str, str], language: str, **values: str) -> str:
    return table.get(language, table["en"]).format(**values)


TRANSCRIPT_SUBJECT: dict[str, str] = {
    "en": "Transcript of your chat {reference}",
    "it": "Trascrizione della tua chat {reference}",
    "pt": "Transcrição do seu chat {reference}",
    "de": "Verlauf Ihres Chats {reference}",
    "es": "Transcripción de tu chat {reference}",
}

TRANSCRIPT_INTRO: dict[str, str] = {
    "en": (
        "[Automatic message] As you asked, here is the transcript of your chat {reference} "
        "with our support team."
    ),
    "it": (
        "[Messaggio automatico] Come richiesto, ecco la trascrizione della tua chat {reference} "
        "con il nostro team di assistenza."
    ),
    "pt": (
        "[Mensagem automática] Conforme pediu, segue a transcrição do seu chat {reference} "
        "com a nossa equipa de suporte."
    ),
    "de": (
        "[Automatische Nachricht] Wie gewünscht erhalten Sie hier den Verlauf Ihres Chats {reference} "
        "mit unserem Support-Team."
    ),
    "es": (
        "[Mensaje automático] Como pediste, aquí tienes la transcripción de tu chat {reference} "
        "con nuestro equipo de soporte."
    ),
}
