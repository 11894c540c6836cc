"""Hand-written support texts used to seed Firstline demo data.

Pure data, standard library only and no randomness: the demo seeder picks from these lists.

Templates use ``str.format`` placeholders, and only the names in ``PLACEHOLDERS``:
``{coin}`` (e.g. USDT), ``{network}`` (e.g. TRC20), ``{amount}``, ``{txid}``, ``{uid}`` and
``{order_id}``. Customer texts are written the way customers really type, typos included. Agent
replies never ask for a seed phrase, a password, a private key or a 2FA code, and frozen-account
replies never reveal compliance reasons.
"""

LANGUAGES: tuple[str, ...] = ("en", "it", "pt", "de", "es")

CATEGORIES: tuple[str, ...] = (
    "deposit_not_credited",
    "wrong_network_or_memo",
    "withdrawal_pending",
    "2fa_reset",
    "account_frozen",
    "kyc_rejected",
    "p2p_appeal",
    "futures_liquidation",
    "fees",
)

PLACEHOLDERS: tuple[str, ...] = ("coin", "network", "amount", "txid", "uid", "order_id")

CATEGORY_LABELS: dict[str, str] = {
    "deposit_not_credited": "Deposit not credited",
    "wrong_network_or_memo": "Wrong network or missing memo/tag",
    "withdrawal_pending": "Withdrawal pending",
    "2fa_reset": "2FA reset",
    "account_frozen": "Account frozen",
    "kyc_rejected": "KYC rejected",
    "p2p_appeal": "P2P appeal",
    "futures_liquidation": "Futures liquidation",
    "fees": "Fees",
}


# --- English ------------------------------------------------------------------------------------------------

_EN_SUBJECTS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Deposit not showing in my account",
        "{coin} deposit missing after 3 hours",
        "Where is my deposit??",
        "Deposit confirmed on blockchain but balance is 0",
    ],
    "wrong_network_or_memo": [
        "Sent {coin} without memo, please help",
        "Deposit sent on the wrong network",
        "Forgot the destination tag on my XRP deposit",
        "Recovery request: {coin} sent via {network}",
    ],
    "withdrawal_pending": [
        "Withdrawal stuck on pending",
        "{coin} withdrawal not received",
        "Why is my withdrawal still processing?",
    ],
    "2fa_reset": [
        "Lost my phone, can't log in (2FA)",
        "Need to reset Google Authenticator",
        "2FA not working - locked out",
    ],
    "account_frozen": [
        "Account frozen without explanation",
        "Why is my account restricted?",
        "Cannot withdraw - account locked",
    ],
    "kyc_rejected": [
        "KYC rejected again",
        "Verification failed, what is wrong with my documents?",
        "Identity verification declined",
    ],
    "p2p_appeal": [
        "P2P order {order_id} - seller not releasing",
        "Appeal for P2P order {order_id}",
        "Paid but the seller cancelled the order",
    ],
    "futures_liquidation": [
        "Unfair liquidation on my futures position",
        "Liquidated before price reached my liq price",
        "Question about liquidation on order {order_id}",
    ],
    "fees": ["Withdrawal fee way too high", "Question about trading fees", "Why was I charged this fee?"],
}

_EN_OPENERS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Hi, I deposited {amount} {coin} about 2 hours ago and it still isn't in my account. TxID: {txid}",
        "my deposit is not showing. blockchain says confirmed. what is going on",
        "Hello, I sent {coin} from my Ledger to my deposit address on "
        "{network} but the balance hasn't changed. Can you check please?",
        "This is ridiculous. I transferred {amount} {coin} YESTERDAY and nothing. I need this money today.",
        "Hi there, I made a deposit from another exchange and "
        "they say it's completed on their side. My UID is {uid}.",
        "Deposit of {amount} {coin} missing. Hash {txid}. Please advise.",
    ],
    "wrong_network_or_memo": [
        "Hi, I sent {amount} {coin} to my deposit address but forgot to put the memo. Is it lost?",
        "I think I used the wrong network. I sent {coin} via {network} "
        "instead of the one on the deposit page. TxID {txid}",
        "please help i sent XRP without the destination tag, its all my savings",
        "Hello, I withdrew from another exchange using {network} and only "
        "now I see you don't support it for {coin}. Can you recover it?",
        "The memo I entered was wrong, I copied an old one by mistake. Amount {amount} {coin}.",
        "Sent {coin} on {network}, the address was accepted but "
        "nothing arrived. Someone told me it's the wrong chain?",
    ],
    "withdrawal_pending": [
        "My withdrawal of {amount} {coin} has been pending for over 4 hours. Is there a problem?",
        "withdrawal still processing. how long does this take??",
        "Hi, the withdrawal shows completed in my history but my wallet didn't receive anything. TxID {txid}",
        "I've been waiting since yesterday for my {coin} withdrawal. "
        "Other exchanges do this in minutes. Unacceptable.",
        "Hello, my withdrawal says 'under review'. What does that mean and how long will it take?",
        "Can you check my withdrawal on {network} please? UID {uid}. Still nothing.",
    ],
    "2fa_reset": [
        "Hi, I lost my phone and I can't get my authenticator "
        "codes anymore. How do I get back into my account?",
        "The 2FA code always says invalid. I tried many times and now I'm locked out.",
        "I changed phones and forgot to move Google Authenticator. UID {uid}. Please help me reset it.",
        "I cannot log in!!! Your app keeps asking for a code I don't have. I have funds in there.",
        "Hello, I don't receive the SMS verification code "
        "anymore because I changed my number. What can I do?",
        "I'd like to reset my 2FA. My phone was stolen last week.",
    ],
    "account_frozen": [
        "Why is my account frozen? I haven't done anything wrong.",
        "I can't withdraw or trade, it says account restricted. UID {uid}.",
        "My account got locked right after I deposited {amount} {coin}. I want my money back NOW.",
        "Hello, I received an email saying my account is under review. How long will this take?",
        "account disabled?? i just logged in and everything is blocked",
        "Good morning, could you tell me what I need to do to "
        "unfreeze my account? I'm happy to provide any documents.",
    ],
    "kyc_rejected": [
        "My verification was rejected but the photos were clear. What's the problem?",
        "KYC rejected for the third time. I'm getting really frustrated.",
        "Hi, it says my proof of address is not accepted. I uploaded a bank statement, is that not ok?",
        "Why does it say the name doesn't match? It's my own passport.",
        "Hello, I'm trying to verify but the selfie step keeps failing. Any tips?",
        "verification declined, no reason given. uid {uid}",
    ],
    "p2p_appeal": [
        "I paid the seller for order {order_id} 40 minutes ago and he "
        "still hasn't released the {coin}. He doesn't answer the chat.",
        "The buyer marked order {order_id} as paid but I "
        "didn't receive any money in my bank. I won't release.",
        "Hi, I opened an appeal on order {order_id}. What happens now?",
        "SCAM!!! seller took my money and cancelled the order. order {order_id}",
        "I sent the payment with the wrong reference and now the "
        "seller wants to cancel. Can you help? Order {order_id}.",
        "The buyer is asking me to release before paying and threatening to report me. What should I do?",
    ],
    "futures_liquidation": [
        "My {coin} position got liquidated but the price never "
        "reached my liquidation price on the chart. Explain please.",
        "I lost {amount} USDT in a liquidation that shouldn't have happened. I want compensation.",
        "Hi, can you explain why my position was closed? Order {order_id}.",
        "how is liquidation price calculated? i got liquidated at a different price than shown",
        "Your platform had a wick that no other exchange had. I was liquidated because of it.",
        "Hello, I had a stop loss set but I got liquidated instead. Why didn't the stop trigger?",
    ],
    "fees": [
        "Why is the withdrawal fee for {coin} so high? It was cheaper last month.",
        "Hi, could you explain your maker and taker fees? I can't find them anywhere.",
        "I was charged more than expected on trade {order_id}. Can you check?",
        "Do I get lower fees if I hold your token or trade more volume?",
        "what is this funding fee on my futures position??",
        "I withdrew {amount} {coin} and received less. Where did the rest go?",
    ],
}

_EN_FOLLOWUPS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Here is the TxID: {txid}",
        "Any update? It's been another hour.",
        "Ok it's there now, thank you!",
        "I've attached a screenshot from my wallet showing the transaction.",
    ],
    "wrong_network_or_memo": [
        "The TxID is {txid} and it was {amount} {coin}.",
        "How long does the recovery take, and is there a fee?",
        "Ok, I've filled in the form. Thanks.",
        "So is my money lost or not? Please just give me a straight answer.",
    ],
    "withdrawal_pending": [
        "Still nothing in my wallet.",
        "My UID is {uid}, the withdrawal was {amount} {coin}.",
        "Received it, thanks for checking.",
        "Why does the review take so long? It's my own money.",
    ],
    "2fa_reset": [
        "I've sent the selfie and the ID photo through the form.",
        "How long does the reset take?",
        "I don't have access to the old email either, is there another way?",
        "It worked, I'm back in. Thank you!",
    ],
    "account_frozen": [
        "What documents do you need exactly?",
        "It's been 5 days. Can I at least withdraw my funds?",
        "Ok, I'll wait for the email. Thanks.",
        "I don't understand why, I've been a customer for 3 years.",
    ],
    "kyc_rejected": [
        "I've uploaded a new bank statement from this month.",
        "The address is the same, I just moved flats in the same building.",
        "Passed now, thanks for the help!",
        "Can I use my driver's license instead of my passport?",
    ],
    "p2p_appeal": [
        "Here is the bank transfer receipt, screenshot attached.",
        "The seller still isn't responding in the chat.",
        "The money just arrived in my bank and I released the coins. You can close the appeal.",
        "How long will the appeal take? I need the funds.",
    ],
    "futures_liquidation": [
        "But the mark price chart doesn't show that level either.",
        "So there's no compensation at all?",
        "Ok I understand now, I didn't know about the maintenance margin. Thanks.",
        "Here's the position ID: {order_id}.",
    ],
    "fees": [
        "Ok, so if I use {network} it will be cheaper?",
        "Thanks, that clears it up.",
        "I still don't get why it's {amount} {coin}, that's way more than the network fee.",
        "Where can I see my current VIP level?",
    ],
}

_EN_AGENT_REPLIES: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Thanks for reaching out. Could you please share the TxID "
        "of the deposit so I can check it on the blockchain?",
        "I've checked the transaction: it has 8 of the 12 required confirmations "
        "on {network}. It will be credited automatically once complete.",
        "The deposit has been credited to your account. Please refresh the app and check your Spot wallet.",
        "Please send a screenshot of the withdrawal record from the "
        "sending platform, showing the address, amount and TxID.",
        "The transaction went to an address that doesn't belong to your "
        "account. Could you double-check the destination address you used?",
    ],
    "wrong_network_or_memo": [
        "Sorry to hear that. Deposits without the correct memo/tag can usually be recovered: "
        "please submit the recovery form with your TxID and a screenshot of the transfer.",
        "Could you confirm the coin, network, amount and TxID? "
        "I'll check whether the funds reached one of our wallets.",
        "Deposits on unsupported networks may be recoverable, but it isn't "
        "guaranteed and can take 2–4 weeks. A recovery fee may apply.",
        "Your recovery request has been forwarded to our wallet "
        "team. You'll receive an email as soon as there's an update.",
        "Unfortunately the funds were sent on a network we have no access to, so "
        "we can't recover them in this case. I'm sorry I don't have better news.",
    ],
    "withdrawal_pending": [
        "Could you share your UID and the amount of the withdrawal so I can look it up?",
        "Your withdrawal is under a standard security review. These are "
        "usually completed within 24 hours and no action is needed from you.",
        "The withdrawal has been broadcast, here's the TxID: "
        "{txid}. It's waiting for confirmations on {network}.",
        "The {network} network is currently congested, so withdrawals "
        "are taking longer than usual. Your funds are safe.",
        "The transaction is confirmed on-chain. If your wallet doesn't show it, "
        "please check you've added the {coin} token on the correct network.",
    ],
    "2fa_reset": [
        "I can help with that. On the login page, choose 'Security "
        "verification unavailable' and follow the steps to reset your 2FA.",
        "For your security we need to verify your identity: a photo of "
        "your ID and a selfie holding it next to a note with today's date.",
        "Your reset request has been approved. Withdrawals "
        "will be disabled for 24 hours as a security measure.",
        "Please never share verification codes with anyone, including people who claim to be from support.",
        "The reset request was rejected because the selfie was blurry. Please "
        "submit a new one in good lighting with your face fully visible.",
    ],
    "account_frozen": [
        "I understand this is frustrating. Your account has been restricted following "
        "a routine review, and I can't share further details at this stage.",
        "Your case is with the relevant team. You'll be contacted "
        "by email if any additional information is needed.",
        "Please check your inbox (and spam folder) for an email "
        "from us requesting documents, and reply directly to it.",
        "I'm not able to give a timeline, but I've added a note to your case that you contacted us today.",
        "The restrictions on your account have been lifted. You can now trade and withdraw normally.",
    ],
    "kyc_rejected": [
        "I've checked your application: the document photo was cut off at "
        "the edges. Please upload it again with all four corners visible.",
        "Proof of address must be dated within the last 3 months and show your full "
        "name and address. Screenshots aren't accepted, please upload the PDF.",
        "The name on your account needs to match your ID exactly. I can "
        "correct it if you send me the spelling as it appears on the document.",
        "For the selfie, please use good lighting, remove "
        "glasses and hats, and keep your face inside the frame.",
        "You can resubmit your verification now under Profile > "
        "Identification. Reviews usually take up to 48 hours.",
    ],
    "p2p_appeal": [
        "I'm now handling the appeal for order {order_id}. Please upload proof "
        "of payment (bank receipt showing amount, date and recipient's name).",
        "Please don't release the coins until the payment is visible in "
        "your own bank account; a screenshot from the buyer isn't enough.",
        "The counterparty has 24 hours to respond to the appeal. If "
        "they don't, we'll decide based on the evidence provided.",
        "After reviewing the evidence, the appeal was resolved in your "
        "favour and the {coin} has been released to your Funding wallet.",
        "Please keep all communication inside the order chat. We "
        "can't consider messages from other apps as evidence.",
    ],
    "futures_liquidation": [
        "Liquidations are triggered by the mark price, not the last "
        "traded price, so the level may not appear on the regular chart.",
        "Your position was liquidated when your margin fell below the "
        "maintenance margin requirement. I can send you the full calculation.",
        "I've checked position {order_id}: the mark price reached your liquidation "
        "price at 14:32 UTC, so the liquidation was executed correctly.",
        "Stop-loss orders use the trigger price you selected. If the "
        "liquidation price is reached first, the liquidation takes priority.",
        "I've escalated your case to our derivatives team to double-check "
        "the price data. I'll get back to you as soon as I hear from them.",
    ],
    "fees": [
        "Withdrawal fees depend on the network and are adjusted to current conditions. "
        "You'll see the exact fee on the withdrawal page before confirming.",
        "Our standard spot fees are 0.10% maker and 0.10% taker. Higher "
        "VIP levels get lower rates based on 30-day trading volume.",
        "The funding fee is exchanged between long and short holders every 8 hours; it isn't charged by us.",
        "I've checked the trade and the fee was correctly charged "
        "as taker, since the order filled immediately at market.",
        "You can find the full fee schedule in the footer of our "
        "website under 'Fees'. Let me know if anything is unclear.",
    ],
}


# --- Italian ------------------------------------------------------------------------------------------------

_IT_SUBJECTS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Deposito non accreditato",
        "Deposito {coin} non ricevuto dopo ore",
        "Dove sono finiti i miei soldi??",
    ],
    "wrong_network_or_memo": [
        "Deposito inviato senza memo",
        "Ho usato la rete sbagliata per il deposito",
        "Richiesta di recupero: {coin} inviati su {network}",
    ],
    "withdrawal_pending": [
        "Prelievo bloccato in attesa",
        "Prelievo {coin} non arrivato",
        "Prelievo in elaborazione da ieri",
    ],
    "2fa_reset": [
        "Reset 2FA - telefono perso",
        "Non riesco ad accedere, Google Authenticator non funziona",
        "Richiesta disattivazione autenticazione a due fattori",
    ],
    "account_frozen": [
        "Account bloccato senza motivo",
        "Conto congelato, impossibile prelevare",
        "Account in revisione: quali sono i tempi?",
    ],
    "kyc_rejected": [
        "Verifica KYC rifiutata",
        "Documenti respinti, perché?",
        "Problema con la verifica dell'identità",
    ],
    "p2p_appeal": [
        "Ordine P2P {order_id}: il venditore non rilascia",
        "Ricorso ordine P2P {order_id}",
        "Ho pagato ma l'ordine è stato annullato",
    ],
    "futures_liquidation": [
        "Liquidazione ingiusta sui futures",
        "Posizione liquidata senza motivo",
        "Chiarimenti sulla liquidazione dell'ordine {order_id}",
    ],
    "fees": [
        "Commissioni di prelievo troppo alte",
        "Domanda sulle commissioni di trading",
        "Addebito di commissioni non chiaro",
    ],
}

_IT_OPENERS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Buongiorno, ho depositato {amount} {coin} circa due "
        "ore fa ma non li vedo ancora sul conto. TxID: {txid}",
        "il mio deposito non compare, sulla blockchain risulta confermato. cosa succede?",
        "Salve, ho inviato {coin} dal mio wallet sulla rete "
        "{network} ma il saldo è ancora a zero. Potete controllare?",
        "È assurdo. Ho trasferito {amount} {coin} IERI e ancora niente. Mi servono oggi!",
        "Ciao, ho fatto un deposito da un altro exchange e loro dicono che è completato. Il mio UID è {uid}.",
        "Deposito di {amount} {coin} mancante. Hash {txid}. Attendo riscontro.",
    ],
    "wrong_network_or_memo": [
        "Buongiorno, ho inviato {amount} {coin} al mio indirizzo "
        "di deposito ma ho dimenticato il memo. Sono persi?",
        "Credo di aver sbagliato rete, ho mandato {coin} su {network} invece di quella indicata. TxID {txid}",
        "aiuto ho mandato XRP senza tag di destinazione, sono tutti i miei risparmi",
        "Salve, ho prelevato da un altro exchange usando {network} e solo "
        "ora vedo che per {coin} non la supportate. Si possono recuperare?",
        "Ho inserito un memo sbagliato, ho copiato quello vecchio per errore. Importo {amount} {coin}.",
        "Ho mandato {coin} su {network}, l'indirizzo è stato accettato "
        "ma non è arrivato nulla. Mi dicono che è la chain sbagliata?",
    ],
    "withdrawal_pending": [
        "Il mio prelievo di {amount} {coin} è in attesa da più di 4 ore. C'è qualche problema?",
        "prelievo ancora in elaborazione. quanto ci vuole??",
        "Buongiorno, nello storico il prelievo risulta completato "
        "ma sul mio wallet non è arrivato niente. TxID {txid}",
        "Aspetto da ieri il prelievo di {coin}. Sugli altri "
        "exchange ci vogliono pochi minuti, è inaccettabile.",
        "Salve, il prelievo risulta 'in revisione'. Cosa significa e quanto tempo ci vorrà?",
        "Potete controllare il prelievo su {network}? UID {uid}. Ancora niente.",
    ],
    "2fa_reset": [
        "Buongiorno, ho perso il telefono e non posso più generare "
        "i codici dell'autenticatore. Come rientro nell'account?",
        "Il codice 2FA risulta sempre non valido, ho provato tante volte e ora sono bloccato.",
        "Ho cambiato telefono e mi sono dimenticato di trasferire "
        "Google Authenticator. UID {uid}. Mi aiutate a resettarlo?",
        "NON RIESCO AD ENTRARE! L'app continua a chiedermi "
        "un codice che non ho e dentro ci sono i miei fondi.",
        "Salve, non ricevo più l'SMS di verifica perché ho cambiato numero. Cosa posso fare?",
        "Vorrei resettare la 2FA, mi hanno rubato il telefono la settimana scorsa.",
    ],
    "account_frozen": [
        "Perché il mio account è bloccato? Non ho fatto niente di male.",
        "Non posso prelevare né fare trading, dice account limitato. UID {uid}.",
        "Mi avete bloccato il conto subito dopo che ho depositato "
        "{amount} {coin}. Rivoglio i miei soldi SUBITO.",
        "Buongiorno, ho ricevuto una mail che dice che il mio account è in revisione. Quanto ci vorrà?",
        "account disattivato?? ho appena fatto login ed è tutto bloccato",
        "Buongiorno, potreste dirmi cosa devo fare per sbloccare "
        "il conto? Sono disponibile a fornire qualsiasi documento.",
    ],
    "kyc_rejected": [
        "La mia verifica è stata rifiutata ma le foto erano nitide. Qual è il problema?",
        "KYC rifiutato per la terza volta, sto perdendo la pazienza.",
        "Salve, dice che la prova di residenza non è accettata. Ho caricato un estratto conto, non va bene?",
        "Perché dice che il nome non corrisponde? È il mio passaporto!",
        "Buongiorno, sto provando a verificarmi ma il selfie non passa mai. Qualche consiglio?",
        "verifica rifiutata, nessun motivo. uid {uid}",
    ],
    "p2p_appeal": [
        "Ho pagato il venditore dell'ordine {order_id} 40 minuti fa "
        "e non ha ancora rilasciato i {coin}. In chat non risponde.",
        "L'acquirente ha segnato l'ordine {order_id} come pagato "
        "ma sul mio conto non è arrivato nulla. Non rilascio.",
        "Salve, ho aperto un ricorso sull'ordine {order_id}. E adesso cosa succede?",
        "TRUFFA!!! il venditore ha preso i soldi e ha annullato l'ordine {order_id}",
        "Ho fatto il bonifico con la causale sbagliata e ora il "
        "venditore vuole annullare. Mi aiutate? Ordine {order_id}.",
        "L'acquirente mi chiede di rilasciare prima di pagare e minaccia di segnalarmi. Cosa devo fare?",
    ],
    "futures_liquidation": [
        "La mia posizione su {coin} è stata liquidata ma sul grafico il "
        "prezzo non ha mai toccato il prezzo di liquidazione. Spiegatemi.",
        "Ho perso {amount} USDT per una liquidazione che non doveva succedere. Voglio un rimborso.",
        "Buongiorno, potete spiegarmi perché la mia posizione è stata chiusa? Ordine {order_id}.",
        "come si calcola il prezzo di liquidazione? mi hanno "
        "liquidato a un prezzo diverso da quello indicato",
        "Sulla vostra piattaforma c'è stata una spike che sugli "
        "altri exchange non c'era. Mi avete liquidato per quello.",
        "Salve, avevo impostato uno stop loss ma sono stato "
        "liquidato lo stesso. Perché lo stop non è scattato?",
    ],
    "fees": [
        "Perché la commissione di prelievo per {coin} è così alta? Il mese scorso costava meno.",
        "Buongiorno, potete spiegarmi le commissioni maker e taker? Non le trovo da nessuna parte.",
        "Sul trade {order_id} mi avete addebitato più del previsto. Potete verificare?",
        "Se tengo il vostro token o faccio più volume pago commissioni più basse?",
        "cos'è questa funding fee sulla mia posizione futures??",
        "Ho prelevato {amount} {coin} e ne ho ricevuti di meno. Dov'è finita la differenza?",
    ],
}

_IT_FOLLOWUPS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Ecco il TxID: {txid}",
        "Novità? È passata un'altra ora.",
        "Ok ora è arrivato, grazie mille!",
        "Vi allego lo screenshot del wallet con la transazione.",
    ],
    "wrong_network_or_memo": [
        "Il TxID è {txid}, importo {amount} {coin}.",
        "Quanto ci vuole per il recupero? C'è una commissione?",
        "Ok, ho compilato il modulo. Grazie.",
        "Quindi i soldi sono persi o no? Datemi una risposta chiara per favore.",
    ],
    "withdrawal_pending": [
        "Ancora niente sul wallet.",
        "Il mio UID è {uid}, il prelievo era di {amount} {coin}.",
        "Ricevuto, grazie per la verifica.",
        "Perché la revisione ci mette così tanto? Sono soldi miei.",
    ],
    "2fa_reset": [
        "Ho inviato selfie e foto del documento tramite il modulo.",
        "Quanto tempo ci vuole per il reset?",
        "Non ho più accesso nemmeno alla vecchia email, c'è un altro modo?",
        "Funziona, sono rientrato. Grazie!",
    ],
    "account_frozen": [
        "Quali documenti vi servono esattamente?",
        "Sono passati 5 giorni. Posso almeno prelevare i miei fondi?",
        "Ok, aspetto la mail. Grazie.",
        "Non capisco il motivo, sono cliente da 3 anni.",
    ],
    "kyc_rejected": [
        "Ho caricato un nuovo estratto conto di questo mese.",
        "L'indirizzo è lo stesso, ho solo cambiato interno nello stesso palazzo.",
        "Ora è approvato, grazie dell'aiuto!",
        "Posso usare la patente invece del passaporto?",
    ],
    "p2p_appeal": [
        "Ecco la ricevuta del bonifico, allego lo screenshot.",
        "Il venditore continua a non rispondere in chat.",
        "I soldi sono appena arrivati in banca, ho rilasciato le crypto. Potete chiudere il ricorso.",
        "Quanto dura il ricorso? Mi servono i fondi.",
    ],
    "futures_liquidation": [
        "Ma neanche sul grafico del mark price si vede quel livello.",
        "Quindi nessun rimborso?",
        "Ok ora ho capito, non sapevo del margine di mantenimento. Grazie.",
        "Ecco l'ID della posizione: {order_id}.",
    ],
    "fees": [
        "Ok, quindi se uso {network} costa meno?",
        "Grazie, ora è chiaro.",
        "Continuo a non capire perché siano {amount} {coin}, è molto più della commissione di rete.",
        "Dove vedo il mio livello VIP attuale?",
    ],
}

_IT_AGENT_REPLIES: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Grazie per averci contattato. Può indicarmi il TxID del deposito così lo verifico sulla blockchain?",
        "Ho controllato la transazione: ha 8 conferme su 12 richieste sulla "
        "rete {network}. Verrà accreditata automaticamente al termine.",
        "Il deposito è stato accreditato sul suo conto. Aggiorni l'app e controlli il wallet Spot.",
        "Mi invii per favore uno screenshot del prelievo dalla piattaforma "
        "di invio, con indirizzo, importo e TxID ben visibili.",
        "La transazione è stata inviata a un indirizzo che non risulta associato "
        "al suo account. Può ricontrollare l'indirizzo di destinazione?",
    ],
    "wrong_network_or_memo": [
        "Mi dispiace per l'inconveniente. I depositi senza memo/tag corretto di solito si "
        "recuperano: compili il modulo di recupero con TxID e screenshot del trasferimento.",
        "Può confermarmi moneta, rete, importo e TxID? Verifico "
        "se i fondi sono arrivati su uno dei nostri wallet.",
        "I depositi su reti non supportate a volte si possono recuperare, ma non è "
        "garantito e servono 2–4 settimane. Potrebbe essere applicata una commissione.",
        "La sua richiesta di recupero è stata inoltrata al team "
        "wallet. Riceverà una mail appena ci saranno aggiornamenti.",
        "Purtroppo i fondi sono stati inviati su una rete a cui non abbiamo accesso, "
        "quindi in questo caso non possiamo recuperarli. Mi dispiace molto.",
    ],
    "withdrawal_pending": [
        "Può indicarmi il suo UID e l'importo del prelievo così lo cerco?",
        "Il prelievo è in una normale verifica di sicurezza. Di "
        "solito si conclude entro 24 ore e non deve fare nulla.",
        "Il prelievo è stato trasmesso, ecco il TxID: {txid}. È in attesa di conferme sulla rete {network}.",
        "La rete {network} al momento è congestionata, quindi i prelievi "
        "richiedono più tempo del solito. I suoi fondi sono al sicuro.",
        "La transazione risulta confermata on-chain. Se il wallet non la mostra, "
        "verifichi di aver aggiunto il token {coin} sulla rete corretta.",
    ],
    "2fa_reset": [
        "Certo, la aiuto io. Nella pagina di login selezioni 'Verifica di "
        "sicurezza non disponibile' e segua i passaggi per resettare la 2FA.",
        "Per la sua sicurezza dobbiamo verificare l'identità: una foto del "
        "documento e un selfie con il documento e un foglio con la data di oggi.",
        "La richiesta di reset è stata approvata. Per sicurezza "
        "i prelievi resteranno disattivati per 24 ore.",
        "Le ricordo di non condividere mai i codici di verifica con "
        "nessuno, nemmeno con chi dice di essere dell'assistenza.",
        "La richiesta è stata rifiutata perché il selfie era sfocato. "
        "Ne invii una nuova con buona luce e il viso ben visibile.",
    ],
    "account_frozen": [
        "Capisco il disagio. Il suo account è stato limitato a seguito di una "
        "verifica di routine e al momento non posso fornire ulteriori dettagli.",
        "La sua pratica è in carico al team competente. Sarà "
        "contattato via email se servissero ulteriori informazioni.",
        "Controlli la posta in arrivo (anche lo spam): dovrebbe esserci una nostra "
        "mail con la richiesta di documenti. Risponda direttamente a quella.",
        "Non sono in grado di indicarle una tempistica, ma ho "
        "annotato nella pratica che ci ha contattati oggi.",
        "Le limitazioni sul suo account sono state rimosse. Ora può fare trading e prelevare normalmente.",
    ],
    "kyc_rejected": [
        "Ho controllato la sua richiesta: la foto del documento era tagliata "
        "ai bordi. La ricarichi con tutti e quattro gli angoli visibili.",
        "La prova di residenza non deve avere più di 3 mesi e deve riportare "
        "nome completo e indirizzo. Non accettiamo screenshot, carichi il PDF.",
        "Il nome sull'account deve corrispondere esattamente al documento. "
        "Posso correggerlo se mi scrive come appare sul documento.",
        "Per il selfie usi una buona illuminazione, tolga "
        "occhiali e cappello e tenga il viso dentro la cornice.",
        "Può ripetere la verifica ora da Profilo > Identificazione. "
        "La revisione richiede di solito fino a 48 ore.",
    ],
    "p2p_appeal": [
        "Ho preso in carico il ricorso dell'ordine {order_id}. Carichi la prova "
        "di pagamento (ricevuta con importo, data e nome del beneficiario).",
        "Non rilasci le crypto finché non vede l'accredito sul suo "
        "conto bancario: uno screenshot dell'acquirente non basta.",
        "La controparte ha 24 ore per rispondere al ricorso. In "
        "caso contrario decideremo in base alle prove fornite.",
        "Dopo aver esaminato le prove, il ricorso è stato risolto a suo "
        "favore e i {coin} sono stati rilasciati sul suo wallet Funding.",
        "La prego di comunicare solo tramite la chat dell'ordine: i "
        "messaggi su altre app non possono essere considerati come prova.",
    ],
    "futures_liquidation": [
        "Le liquidazioni si basano sul mark price e non sull'ultimo prezzo "
        "scambiato, per questo il livello può non comparire sul grafico normale.",
        "La posizione è stata liquidata quando il margine è sceso sotto il margine "
        "di mantenimento richiesto. Posso mandarle il dettaglio del calcolo.",
        "Ho verificato la posizione {order_id}: il mark price ha raggiunto il "
        "prezzo di liquidazione alle 14:32 UTC, quindi la liquidazione è corretta.",
        "Lo stop loss usa il prezzo di attivazione che ha scelto. Se viene raggiunto "
        "prima il prezzo di liquidazione, la liquidazione ha la precedenza.",
        "Ho inoltrato il caso al team derivati per ricontrollare i "
        "dati di prezzo. Le farò sapere appena ricevo una risposta.",
    ],
    "fees": [
        "Le commissioni di prelievo dipendono dalla rete e seguono le condizioni attuali. "
        "L'importo esatto è indicato nella pagina di prelievo prima della conferma.",
        "Le commissioni spot standard sono 0,10% maker e 0,10% taker. I livelli "
        "VIP superiori hanno tariffe ridotte in base al volume a 30 giorni.",
        "La funding fee viene scambiata tra posizioni long e short "
        "ogni 8 ore, non è una commissione che tratteniamo noi.",
        "Ho controllato il trade: la commissione è corretta come "
        "taker, perché l'ordine è stato eseguito subito a mercato.",
        "Trova il prospetto completo delle commissioni in fondo al nostro sito, alla voce 'Commissioni'.",
    ],
}


# --- Portuguese ---------------------------------------------------------------------------------------------

_PT_SUBJECTS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Depósito não creditado",
        "Depósito de {coin} não caiu na conta",
        "Cadê meu depósito??",
    ],
    "wrong_network_or_memo": [
        "Enviei {coin} sem memo",
        "Depósito enviado pela rede errada",
        "Pedido de recuperação: {coin} enviado via {network}",
    ],
    "withdrawal_pending": [
        "Saque pendente há horas",
        "Saque de {coin} não recebido",
        "Levantamento em processamento desde ontem",
    ],
    "2fa_reset": [
        "Perdi o celular e não consigo entrar (2FA)",
        "Redefinir Google Authenticator",
        "Código do autenticador não funciona",
    ],
    "account_frozen": [
        "Conta bloqueada sem explicação",
        "Por que minha conta está restrita?",
        "Não consigo sacar, conta congelada",
    ],
    "kyc_rejected": [
        "KYC recusado",
        "Verificação de identidade rejeitada, o que está errado?",
        "Documentos não aceitos",
    ],
    "p2p_appeal": [
        "Ordem P2P {order_id} - vendedor não libera",
        "Apelação da ordem P2P {order_id}",
        "Paguei e o vendedor cancelou a ordem",
    ],
    "futures_liquidation": [
        "Liquidação injusta em futuros",
        "Fui liquidado antes do preço chegar na liquidação",
        "Dúvida sobre a liquidação da ordem {order_id}",
    ],
    "fees": [
        "Taxa de saque muito alta",
        "Dúvida sobre taxas de negociação",
        "Cobrança de taxa que não entendi",
    ],
}

_PT_OPENERS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Olá, depositei {amount} {coin} há umas 2 horas e ainda não apareceu na minha conta. TxID: {txid}",
        "meu deposito nao caiu, na blockchain ta confirmado. o que ta acontecendo?",
        "Boa tarde, enviei {coin} da minha carteira pela rede "
        "{network} mas o saldo continua zerado. Podem verificar?",
        "Isso é um absurdo. Transferi {amount} {coin} ONTEM e nada. Preciso desse dinheiro hoje.",
        "Oi, fiz um depósito vindo de outra corretora e lá consta como concluído. Meu UID é {uid}.",
        "Bom dia. Fiz um depósito de {amount} {coin} que ainda "
        "não foi creditado. Hash {txid}. Aguardo retorno.",
    ],
    "wrong_network_or_memo": [
        "Olá, enviei {amount} {coin} para meu endereço de "
        "depósito mas esqueci de colocar o memo. Perdi tudo?",
        "Acho que usei a rede errada, mandei {coin} pela {network} "
        "em vez da que estava na página de depósito. TxID {txid}",
        "socorro mandei XRP sem a tag de destino, é todo o meu dinheiro",
        "Bom dia, fiz um levantamento de outra exchange pela rede {network} e "
        "só agora vi que não suportam essa rede para {coin}. Dá para recuperar?",
        "Coloquei o memo errado, copiei um antigo sem querer. Valor: {amount} {coin}.",
        "Mandei {coin} pela {network}, o endereço foi aceito "
        "mas não chegou nada. Me disseram que é a rede errada?",
    ],
    "withdrawal_pending": [
        "Meu saque de {amount} {coin} está pendente há mais de 4 horas. Tem algum problema?",
        "saque ainda em processamento. quanto tempo demora isso??",
        "Olá, no histórico o saque aparece como concluído mas não chegou nada na minha carteira. TxID {txid}",
        "Estou esperando desde ontem pelo meu saque de {coin}. "
        "Nas outras corretoras é questão de minutos. Inaceitável.",
        "Boa tarde, o meu levantamento diz 'em análise'. O que significa e quanto tempo demora?",
        "Podem verificar o saque para a rede {network}? UID {uid}. Até agora nada.",
    ],
    "2fa_reset": [
        "Olá, perdi meu celular e não consigo mais gerar os "
        "códigos do autenticador. Como recupero o acesso à conta?",
        "O código 2FA sempre dá inválido. Tentei várias vezes e agora estou bloqueado.",
        "Troquei de celular e esqueci de passar o Google "
        "Authenticator. UID {uid}. Me ajudem a redefinir por favor.",
        "NÃO CONSIGO ENTRAR! O app fica pedindo um código que eu não tenho e tenho dinheiro lá dentro.",
        "Bom dia, deixei de receber o SMS de verificação porque mudei de número. O que posso fazer?",
        "Quero redefinir o 2FA, roubaram o meu telemóvel na semana passada.",
    ],
    "account_frozen": [
        "Por que minha conta foi bloqueada? Não fiz nada de errado.",
        "Não consigo sacar nem negociar, aparece conta restrita. UID {uid}.",
        "Bloquearam minha conta logo depois que depositei "
        "{amount} {coin}. Quero meu dinheiro de volta AGORA.",
        "Olá, recebi um e-mail dizendo que minha conta está em análise. Quanto tempo vai demorar?",
        "conta desativada?? acabei de entrar e ta tudo bloqueado",
        "Bom dia, poderiam me dizer o que preciso fazer para desbloquear "
        "a conta? Estou disposto a enviar qualquer documento.",
    ],
    "kyc_rejected": [
        "Minha verificação foi recusada mas as fotos estavam nítidas. Qual é o problema?",
        "KYC recusado pela terceira vez. Já estou ficando irritado.",
        "Olá, diz que o comprovante de residência não foi aceito. Mandei um extrato bancário, não serve?",
        "Por que diz que o nome não confere? É o meu passaporte!",
        "Bom dia, estou tentando fazer a verificação mas a selfie sempre falha. Alguma dica?",
        "verificação recusada sem motivo. uid {uid}",
    ],
    "p2p_appeal": [
        "Paguei o vendedor da ordem {order_id} há 40 minutos e "
        "ele ainda não liberou os {coin}. Não responde no chat.",
        "O comprador marcou a ordem {order_id} como paga mas não caiu nada na minha conta. Não vou liberar.",
        "Olá, abri uma apelação na ordem {order_id}. E agora, o que acontece?",
        "GOLPE!!! o vendedor pegou meu pix e cancelou a ordem {order_id}",
        "Fiz o pagamento com o nome errado na descrição e agora o "
        "vendedor quer cancelar. Podem ajudar? Ordem {order_id}.",
        "O comprador está pedindo pra eu liberar antes de pagar e ameaça me denunciar. O que eu faço?",
    ],
    "futures_liquidation": [
        "Minha posição em {coin} foi liquidada mas no gráfico o "
        "preço nunca chegou no meu preço de liquidação. Expliquem.",
        "Perdi {amount} USDT numa liquidação que não deveria ter acontecido. Quero ressarcimento.",
        "Olá, podem explicar por que minha posição foi fechada? Ordem {order_id}.",
        "como é calculado o preço de liquidação? fui liquidado num preço diferente do que aparecia",
        "A plataforma de vocês teve um pavio que nenhuma "
        "outra corretora teve. Fui liquidado por causa disso.",
        "Bom dia, eu tinha um stop loss configurado mas fui "
        "liquidado mesmo assim. Por que o stop não executou?",
    ],
    "fees": [
        "Por que a taxa de saque de {coin} está tão alta? No mês passado era mais barata.",
        "Olá, podem me explicar as taxas maker e taker? Não encontro em lugar nenhum.",
        "Fui cobrado mais do que esperava na negociação {order_id}. Podem verificar?",
        "Se eu tiver o token de vocês ou negociar mais volume, pago menos taxa?",
        "que taxa de financiamento é essa na minha posição de futuros??",
        "Saquei {amount} {coin} e recebi menos. Onde foi parar o resto?",
    ],
}

_PT_FOLLOWUPS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Segue o TxID: {txid}",
        "Alguma novidade? Já passou mais uma hora.",
        "Pronto, caiu agora. Obrigado!",
        "Anexei um print da carteira mostrando a transação.",
    ],
    "wrong_network_or_memo": [
        "O TxID é {txid} e o valor foi {amount} {coin}.",
        "Quanto tempo demora a recuperação? Tem taxa?",
        "Ok, já preenchi o formulário. Obrigada.",
        "Então meu dinheiro está perdido ou não? Me deem uma resposta direta, por favor.",
    ],
    "withdrawal_pending": [
        "Continua sem nada na carteira.",
        "Meu UID é {uid}, o saque foi de {amount} {coin}.",
        "Recebi, obrigado por verificar.",
        "Por que essa análise demora tanto? O dinheiro é meu.",
    ],
    "2fa_reset": [
        "Já enviei a selfie e a foto do documento pelo formulário.",
        "Quanto tempo leva a redefinição?",
        "Também não tenho mais acesso ao e-mail antigo, tem outra forma?",
        "Deu certo, consegui entrar. Valeu!",
    ],
    "account_frozen": [
        "Quais documentos vocês precisam exatamente?",
        "Já se passaram 5 dias. Pelo menos posso sacar meus fundos?",
        "Ok, vou aguardar o e-mail. Obrigado.",
        "Não entendo o motivo, sou cliente há 3 anos.",
    ],
    "kyc_rejected": [
        "Enviei um extrato novo deste mês.",
        "O endereço é o mesmo, só mudei de apartamento no mesmo prédio.",
        "Aprovado agora, obrigado pela ajuda!",
        "Posso usar a CNH em vez do passaporte?",
    ],
    "p2p_appeal": [
        "Segue o comprovante do pix, print em anexo.",
        "O vendedor continua sem responder no chat.",
        "O dinheiro acabou de cair na minha conta, já liberei as moedas. Podem encerrar a apelação.",
        "Quanto tempo demora a apelação? Preciso do dinheiro.",
    ],
    "futures_liquidation": [
        "Mas nem no gráfico do preço de marcação aparece esse nível.",
        "Então não tem ressarcimento nenhum?",
        "Ah, agora entendi, não sabia da margem de manutenção. Obrigado.",
        "Aqui está o ID da posição: {order_id}.",
    ],
    "fees": [
        "Ok, então se eu usar a {network} fica mais barato?",
        "Obrigado, agora ficou claro.",
        "Continuo sem entender por que foram {amount} {coin}, é muito mais que a taxa da rede.",
        "Onde vejo meu nível VIP atual?",
    ],
}

_PT_AGENT_REPLIES: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Obrigado pelo contato. Poderia me enviar o TxID do depósito para que eu verifique na blockchain?",
        "Verifiquei a transação: ela tem 8 de 12 confirmações necessárias "
        "na rede {network}. O crédito será feito automaticamente ao final.",
        "O depósito foi creditado na sua conta. Atualize o app e confira a carteira Spot.",
        "Por favor, envie um print do registro de saque da "
        "plataforma de origem, mostrando endereço, valor e TxID.",
        "A transação foi enviada para um endereço que não pertence à "
        "sua conta. Pode conferir o endereço de destino que utilizou?",
    ],
    "wrong_network_or_memo": [
        "Sinto muito pelo ocorrido. Depósitos sem o memo/tag correto geralmente podem ser "
        "recuperados: envie o formulário de recuperação com o TxID e um print da transferência.",
        "Pode confirmar moeda, rede, valor e TxID? Vou verificar "
        "se os fundos chegaram em uma das nossas carteiras.",
        "Depósitos em redes não suportadas podem ser recuperáveis, mas não há "
        "garantia e o processo leva de 2 a 4 semanas. Pode haver taxa de recuperação.",
        "Sua solicitação de recuperação foi encaminhada à equipe de "
        "carteiras. Você receberá um e-mail assim que houver novidades.",
        "Infelizmente os fundos foram enviados para uma rede à qual não temos "
        "acesso, então não é possível recuperá-los neste caso. Sinto muito.",
    ],
    "withdrawal_pending": [
        "Pode me informar seu UID e o valor do saque para que eu localize?",
        "Seu saque está passando por uma revisão de segurança padrão. "
        "Normalmente é concluída em até 24 horas e você não precisa fazer nada.",
        "O saque já foi transmitido, segue o TxID: {txid}. Está aguardando confirmações na rede {network}.",
        "A rede {network} está congestionada no momento, por isso os saques "
        "estão demorando mais que o normal. Seus fundos estão seguros.",
        "A transação está confirmada na blockchain. Se a carteira não mostra "
        "o saldo, verifique se adicionou o token {coin} na rede correta.",
    ],
    "2fa_reset": [
        "Posso ajudar com isso. Na página de login, escolha 'Verificação "
        "de segurança indisponível' e siga as etapas para redefinir o 2FA.",
        "Para sua segurança, precisamos confirmar sua identidade: uma foto do "
        "documento e uma selfie segurando-o com a data de hoje escrita num papel.",
        "Sua solicitação de redefinição foi aprovada. Por "
        "segurança, os saques ficarão desativados por 24 horas.",
        "Lembre-se: nunca compartilhe códigos de verificação "
        "com ninguém, nem com quem disser ser do suporte.",
        "A solicitação foi recusada porque a selfie estava desfocada. "
        "Envie uma nova com boa iluminação e o rosto totalmente visível.",
    ],
    "account_frozen": [
        "Entendo a sua frustração. Sua conta foi restringida após uma revisão "
        "de rotina e, neste momento, não posso compartilhar mais detalhes.",
        "Seu caso está com a equipe responsável. Você será contatado "
        "por e-mail caso seja necessária alguma informação adicional.",
        "Confira sua caixa de entrada (e o spam): deve haver um e-mail "
        "nosso solicitando documentos. Responda diretamente a ele.",
        "Não consigo informar um prazo, mas registrei no seu caso que você entrou em contato hoje.",
        "As restrições da sua conta foram removidas. Agora você já pode negociar e sacar normalmente.",
    ],
    "kyc_rejected": [
        "Verifiquei sua solicitação: a foto do documento estava cortada "
        "nas bordas. Envie novamente com os quatro cantos visíveis.",
        "O comprovante de residência deve ter no máximo 3 meses e mostrar "
        "seu nome completo e endereço. Não aceitamos prints, envie o PDF.",
        "O nome na conta precisa ser idêntico ao do documento. Posso "
        "corrigir se você me informar a grafia exata que consta nele.",
        "Para a selfie, use boa iluminação, tire óculos e boné e mantenha o rosto dentro da moldura.",
        "Você já pode reenviar a verificação em Perfil > "
        "Identificação. A análise costuma levar até 48 horas.",
    ],
    "p2p_appeal": [
        "Estou acompanhando a apelação da ordem {order_id}. Envie o comprovante "
        "de pagamento (com valor, data e nome do recebedor), por favor.",
        "Não libere as moedas até ver o valor na sua própria conta "
        "bancária; um print enviado pelo comprador não é suficiente.",
        "A outra parte tem 24 horas para responder à apelação. Caso "
        "não responda, decidiremos com base nas provas apresentadas.",
        "Após analisar as provas, a apelação foi resolvida a seu favor "
        "e os {coin} foram liberados na sua carteira de financiamento.",
        "Por favor, mantenha toda a comunicação no chat da ordem. Mensagens "
        "em outros aplicativos não podem ser consideradas como prova.",
    ],
    "futures_liquidation": [
        "As liquidações são acionadas pelo preço de marcação, e não pelo último "
        "preço negociado, por isso o nível pode não aparecer no gráfico comum.",
        "Sua posição foi liquidada quando a margem ficou abaixo da margem "
        "de manutenção exigida. Posso enviar o detalhamento do cálculo.",
        "Verifiquei a posição {order_id}: o preço de marcação atingiu seu preço de "
        "liquidação às 14:32 UTC, portanto a liquidação foi executada corretamente.",
        "O stop loss usa o preço de disparo que você definiu. Se o preço "
        "de liquidação for atingido antes, a liquidação tem prioridade.",
        "Encaminhei seu caso para a equipe de derivativos revisar "
        "os dados de preço. Retorno assim que tiver uma resposta.",
    ],
    "fees": [
        "As taxas de saque dependem da rede e são ajustadas conforme as condições "
        "atuais. O valor exato aparece na tela de saque antes de confirmar.",
        "Nossas taxas spot padrão são 0,10% maker e 0,10% taker. Níveis "
        "VIP mais altos têm taxas menores conforme o volume de 30 dias.",
        "A taxa de financiamento é trocada entre posições compradas "
        "e vendidas a cada 8 horas; não é cobrada por nós.",
        "Verifiquei a negociação e a taxa foi calculada corretamente "
        "como taker, pois a ordem foi executada imediatamente a mercado.",
        "A tabela completa de taxas está no rodapé do nosso site, em 'Taxas'. Qualquer dúvida, é só falar.",
    ],
}


# --- German -------------------------------------------------------------------------------------------------

_DE_SUBJECTS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Einzahlung nicht gutgeschrieben",
        "{coin}-Einzahlung seit Stunden nicht angekommen",
        "Wo ist meine Einzahlung??",
    ],
    "wrong_network_or_memo": [
        "{coin} ohne Memo gesendet",
        "Einzahlung über falsches Netzwerk",
        "Rückholungsantrag: {coin} über {network} gesendet",
    ],
    "withdrawal_pending": [
        "Auszahlung hängt auf 'ausstehend'",
        "{coin}-Auszahlung nicht erhalten",
        "Auszahlung seit gestern in Bearbeitung",
    ],
    "2fa_reset": [
        "Handy verloren – kein Zugriff wegen 2FA",
        "Google Authenticator zurücksetzen",
        "2FA-Codes funktionieren nicht",
    ],
    "account_frozen": [
        "Konto ohne Begründung gesperrt",
        "Warum ist mein Konto eingeschränkt?",
        "Auszahlung nicht möglich – Konto eingefroren",
    ],
    "kyc_rejected": [
        "KYC abgelehnt",
        "Verifizierung fehlgeschlagen – was stimmt mit meinen Dokumenten nicht?",
        "Identitätsprüfung abgelehnt",
    ],
    "p2p_appeal": [
        "P2P-Order {order_id} – Verkäufer gibt nicht frei",
        "Einspruch zu P2P-Order {order_id}",
        "Bezahlt, aber Verkäufer hat storniert",
    ],
    "futures_liquidation": [
        "Unberechtigte Liquidation bei Futures",
        "Liquidiert, bevor der Preis meinen Liquidationspreis erreicht hat",
        "Frage zur Liquidation von Order {order_id}",
    ],
    "fees": ["Auszahlungsgebühr viel zu hoch", "Frage zu Handelsgebühren", "Unklare Gebühr abgebucht"],
}

_DE_OPENERS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Hallo, ich habe vor ca. 2 Stunden {amount} {coin} eingezahlt, "
        "aber es ist immer noch nicht auf meinem Konto. TxID: {txid}",
        "meine einzahlung wird nicht angezeigt, laut blockchain bestätigt. was ist da los",
        "Guten Tag, ich habe {coin} von meiner Hardware-Wallet über {network} an meine "
        "Einzahlungsadresse geschickt, aber der Kontostand ist unverändert. Können Sie das prüfen?",
        "Das ist echt eine Frechheit. Ich habe GESTERN {amount} {coin} "
        "überwiesen und es ist nichts da. Ich brauche das Geld heute.",
        "Hi, ich habe von einer anderen Börse eingezahlt, dort steht 'abgeschlossen'. Meine UID ist {uid}.",
        "Einzahlung über {amount} {coin} fehlt. Hash {txid}. Bitte um Rückmeldung.",
    ],
    "wrong_network_or_memo": [
        "Hallo, ich habe {amount} {coin} an meine Einzahlungsadresse "
        "geschickt, aber das Memo vergessen. Ist das jetzt weg?",
        "Ich glaube, ich habe das falsche Netzwerk benutzt: {coin} über "
        "{network} statt dem auf der Einzahlungsseite. TxID {txid}",
        "bitte helft mir, ich hab XRP ohne Destination Tag geschickt, das sind meine ganzen Ersparnisse",
        "Guten Tag, ich habe von einer anderen Börse über {network} abgehoben und sehe "
        "erst jetzt, dass Sie das für {coin} nicht unterstützen. Geht das zurückzuholen?",
        "Ich habe ein falsches Memo eingegeben, aus Versehen ein altes kopiert. Betrag {amount} {coin}.",
        "Hab {coin} über {network} geschickt, die Adresse wurde akzeptiert, "
        "aber angekommen ist nichts. Jemand meinte, das sei die falsche Chain?",
    ],
    "withdrawal_pending": [
        "Meine Auszahlung von {amount} {coin} ist seit über 4 Stunden ausstehend. Gibt es ein Problem?",
        "auszahlung immer noch in bearbeitung. wie lange dauert das denn??",
        "Hallo, im Verlauf steht die Auszahlung als abgeschlossen, "
        "aber in meiner Wallet ist nichts angekommen. TxID {txid}",
        "Ich warte seit gestern auf meine {coin}-Auszahlung. Bei "
        "anderen Börsen dauert das ein paar Minuten. Inakzeptabel.",
        "Guten Tag, bei meiner Auszahlung steht 'in Prüfung'. Was heißt das und wie lange dauert es?",
        "Können Sie bitte die Auszahlung über {network} prüfen? UID {uid}. Immer noch nichts da.",
    ],
    "2fa_reset": [
        "Hallo, ich habe mein Handy verloren und komme nicht mehr an "
        "die Authenticator-Codes. Wie komme ich wieder in mein Konto?",
        "Der 2FA-Code ist immer ungültig. Hab's zig Mal probiert, jetzt bin ich ausgesperrt.",
        "Ich habe das Handy gewechselt und vergessen, den Google Authenticator "
        "zu übertragen. UID {uid}. Bitte helfen Sie mir beim Zurücksetzen.",
        "ICH KOMME NICHT REIN! Die App will ständig einen Code, "
        "den ich nicht habe, und da liegt mein Geld drauf.",
        "Guten Tag, ich bekomme keine SMS-Codes mehr, weil ich eine neue Nummer habe. Was kann ich tun?",
        "Ich möchte meine 2FA zurücksetzen lassen, mein Handy wurde letzte Woche gestohlen.",
    ],
    "account_frozen": [
        "Warum ist mein Konto gesperrt? Ich habe nichts falsch gemacht.",
        "Ich kann weder auszahlen noch handeln, da steht 'Konto eingeschränkt'. UID {uid}.",
        "Mein Konto wurde direkt nach meiner Einzahlung von {amount} "
        "{coin} gesperrt. Ich will mein Geld SOFORT zurück.",
        "Hallo, ich habe eine E-Mail bekommen, dass mein Konto überprüft wird. Wie lange dauert das?",
        "konto deaktiviert?? hab mich gerade eingeloggt und alles ist gesperrt",
        "Guten Morgen, könnten Sie mir sagen, was ich tun muss, damit mein "
        "Konto wieder freigegeben wird? Ich reiche gerne Unterlagen nach.",
    ],
    "kyc_rejected": [
        "Meine Verifizierung wurde abgelehnt, obwohl die Fotos scharf waren. Wo ist das Problem?",
        "KYC zum dritten Mal abgelehnt. Langsam reicht es mir.",
        "Hallo, mein Adressnachweis wird nicht akzeptiert. Ich "
        "habe einen Kontoauszug hochgeladen, geht das nicht?",
        "Warum steht da, dass der Name nicht übereinstimmt? Das ist mein Reisepass!",
        "Guten Tag, ich versuche mich zu verifizieren, aber "
        "das Selfie schlägt jedes Mal fehl. Haben Sie Tipps?",
        "verifizierung abgelehnt, kein grund angegeben. uid {uid}",
    ],
    "p2p_appeal": [
        "Ich habe den Verkäufer von Order {order_id} vor 40 Minuten bezahlt und er "
        "hat die {coin} immer noch nicht freigegeben. Im Chat antwortet er nicht.",
        "Der Käufer hat Order {order_id} als bezahlt markiert, aber "
        "auf meinem Konto ist nichts eingegangen. Ich gebe nicht frei.",
        "Hallo, ich habe Einspruch zu Order {order_id} eingelegt. Wie geht es jetzt weiter?",
        "BETRUG!!! der verkäufer hat mein geld genommen und order {order_id} storniert",
        "Ich habe die Zahlung mit dem falschen Verwendungszweck geschickt und "
        "jetzt will der Verkäufer stornieren. Können Sie helfen? Order {order_id}.",
        "Der Käufer will, dass ich freigebe, bevor er zahlt, "
        "und droht mir mit einer Meldung. Was soll ich tun?",
    ],
    "futures_liquidation": [
        "Meine {coin}-Position wurde liquidiert, aber im Chart hat der Preis "
        "meinen Liquidationspreis nie erreicht. Bitte erklären Sie das.",
        "Ich habe {amount} USDT durch eine Liquidation verloren, die "
        "nicht hätte passieren dürfen. Ich will eine Entschädigung.",
        "Hallo, können Sie mir erklären, warum meine Position geschlossen wurde? Order {order_id}.",
        "wie wird der liquidationspreis berechnet? wurde zu einem anderen preis liquidiert als angezeigt",
        "Bei euch gab es einen Wick, den keine andere Börse hatte. Genau deswegen wurde ich liquidiert.",
        "Guten Tag, ich hatte einen Stop-Loss gesetzt, wurde aber "
        "trotzdem liquidiert. Warum hat der Stop nicht ausgelöst?",
    ],
    "fees": [
        "Warum ist die Auszahlungsgebühr für {coin} so hoch? Letzten Monat war sie noch günstiger.",
        "Hallo, könnten Sie mir die Maker- und Taker-Gebühren erklären? Ich finde sie nirgends.",
        "Bei Trade {order_id} wurde mir mehr berechnet als erwartet. Können Sie das prüfen?",
        "Bekomme ich niedrigere Gebühren, wenn ich euren Token halte oder mehr Volumen handle?",
        "was ist diese funding fee bei meiner futures-position??",
        "Ich habe {amount} {coin} ausgezahlt und weniger bekommen. Wo ist der Rest?",
    ],
}

_DE_FOLLOWUPS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Hier die TxID: {txid}",
        "Gibt es was Neues? Ist schon wieder eine Stunde her.",
        "Ok, jetzt ist es da. Danke!",
        "Ich habe einen Screenshot aus meiner Wallet mit der Transaktion angehängt.",
    ],
    "wrong_network_or_memo": [
        "Die TxID ist {txid}, Betrag {amount} {coin}.",
        "Wie lange dauert die Rückholung und kostet das etwas?",
        "Ok, Formular ist ausgefüllt. Danke.",
        "Ist mein Geld jetzt weg oder nicht? Bitte eine klare Antwort.",
    ],
    "withdrawal_pending": [
        "Immer noch nichts in meiner Wallet.",
        "Meine UID ist {uid}, die Auszahlung war {amount} {coin}.",
        "Ist angekommen, danke fürs Nachschauen.",
        "Warum dauert die Prüfung so lange? Es ist mein eigenes Geld.",
    ],
    "2fa_reset": [
        "Ich habe Selfie und Ausweisfoto über das Formular geschickt.",
        "Wie lange dauert das Zurücksetzen?",
        "Auf die alte E-Mail-Adresse habe ich auch keinen Zugriff mehr. Gibt es einen anderen Weg?",
        "Hat geklappt, ich bin wieder drin. Vielen Dank!",
    ],
    "account_frozen": [
        "Welche Unterlagen brauchen Sie genau?",
        "Es sind jetzt 5 Tage. Kann ich wenigstens mein Guthaben auszahlen?",
        "Ok, dann warte ich auf die E-Mail. Danke.",
        "Ich verstehe das nicht, ich bin seit 3 Jahren Kunde.",
    ],
    "kyc_rejected": [
        "Ich habe einen neuen Kontoauszug von diesem Monat hochgeladen.",
        "Die Adresse ist dieselbe, ich bin nur innerhalb des Hauses umgezogen.",
        "Jetzt hat es geklappt, danke für die Hilfe!",
        "Kann ich statt des Reisepasses meinen Führerschein nehmen?",
    ],
    "p2p_appeal": [
        "Hier der Überweisungsbeleg, Screenshot im Anhang.",
        "Der Verkäufer antwortet immer noch nicht im Chat.",
        "Das Geld ist gerade eingegangen, ich habe die Coins "
        "freigegeben. Der Einspruch kann geschlossen werden.",
        "Wie lange dauert der Einspruch? Ich brauche das Geld.",
    ],
    "futures_liquidation": [
        "Aber auch im Mark-Price-Chart sehe ich dieses Level nicht.",
        "Also gibt es überhaupt keine Entschädigung?",
        "Ok, jetzt verstehe ich's. Die Erhaltungsmarge kannte ich nicht. Danke.",
        "Hier die Positions-ID: {order_id}.",
    ],
    "fees": [
        "Ok, also wenn ich {network} nehme, ist es günstiger?",
        "Danke, jetzt ist es klar.",
        "Ich verstehe trotzdem nicht, warum es {amount} {coin} "
        "sind, das ist viel mehr als die Netzwerkgebühr.",
        "Wo sehe ich meine aktuelle VIP-Stufe?",
    ],
}

_DE_AGENT_REPLIES: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Vielen Dank für Ihre Nachricht. Könnten Sie mir bitte die TxID der "
        "Einzahlung schicken, damit ich sie auf der Blockchain prüfen kann?",
        "Ich habe die Transaktion geprüft: Sie hat aktuell 8 von 12 erforderlichen "
        "Bestätigungen im {network}-Netzwerk. Danach wird sie automatisch gutgeschrieben.",
        "Die Einzahlung wurde Ihrem Konto gutgeschrieben. Bitte "
        "aktualisieren Sie die App und prüfen Sie Ihre Spot-Wallet.",
        "Bitte senden Sie mir einen Screenshot der Auszahlung auf der "
        "sendenden Plattform, auf dem Adresse, Betrag und TxID zu sehen sind.",
        "Die Transaktion ging an eine Adresse, die nicht zu Ihrem Konto "
        "gehört. Könnten Sie die verwendete Zieladresse noch einmal prüfen?",
    ],
    "wrong_network_or_memo": [
        "Das tut mir leid. Einzahlungen ohne korrektes Memo/Tag lassen sich in der Regel "
        "zurückholen. Bitte reichen Sie das Rückholungsformular mit TxID und Screenshot ein.",
        "Können Sie mir Coin, Netzwerk, Betrag und TxID bestätigen? Dann "
        "prüfe ich, ob die Mittel auf einer unserer Wallets angekommen sind.",
        "Einzahlungen über nicht unterstützte Netzwerke sind eventuell rückholbar, das "
        "ist aber nicht garantiert und dauert 2–4 Wochen. Es kann eine Gebühr anfallen.",
        "Ihr Rückholungsantrag wurde an unser Wallet-Team weitergeleitet. "
        "Sie erhalten eine E-Mail, sobald es Neuigkeiten gibt.",
        "Leider wurden die Mittel in ein Netzwerk gesendet, auf das wir keinen Zugriff "
        "haben. Eine Rückholung ist in diesem Fall nicht möglich, das tut mir sehr leid.",
    ],
    "withdrawal_pending": [
        "Könnten Sie mir Ihre UID und den Auszahlungsbetrag nennen, damit ich die Auszahlung finde?",
        "Ihre Auszahlung befindet sich in einer routinemäßigen Sicherheitsprüfung. "
        "Diese ist meist innerhalb von 24 Stunden abgeschlossen, Sie müssen nichts tun.",
        "Die Auszahlung wurde gesendet, hier die TxID: {txid}. "
        "Sie wartet auf Bestätigungen im {network}-Netzwerk.",
        "Das {network}-Netzwerk ist derzeit überlastet, daher dauern "
        "Auszahlungen länger als üblich. Ihr Guthaben ist sicher.",
        "Die Transaktion ist on-chain bestätigt. Falls Ihre Wallet sie nicht anzeigt, "
        "prüfen Sie bitte, ob der {coin}-Token im richtigen Netzwerk hinzugefügt ist.",
    ],
    "2fa_reset": [
        "Dabei helfe ich Ihnen gern. Wählen Sie auf der Login-Seite 'Sicherheitsverifizierung "
        "nicht verfügbar' und folgen Sie den Schritten zum Zurücksetzen der 2FA.",
        "Zu Ihrer Sicherheit müssen wir Ihre Identität bestätigen: ein Foto Ihres "
        "Ausweises und ein Selfie mit dem Ausweis und einem Zettel mit dem heutigen Datum.",
        "Ihr Antrag auf Zurücksetzung wurde genehmigt. Aus "
        "Sicherheitsgründen sind Auszahlungen für 24 Stunden gesperrt.",
        "Bitte geben Sie Bestätigungscodes niemals an Dritte weiter, "
        "auch nicht an Personen, die sich als Support ausgeben.",
        "Der Antrag wurde abgelehnt, weil das Selfie unscharf war. Bitte stellen Sie "
        "einen neuen Antrag bei guter Beleuchtung und mit gut sichtbarem Gesicht.",
    ],
    "account_frozen": [
        "Ich verstehe Ihren Ärger. Ihr Konto wurde nach einer routinemäßigen Überprüfung "
        "eingeschränkt, weitere Details kann ich derzeit leider nicht nennen.",
        "Ihr Fall liegt bei der zuständigen Abteilung. Sie werden per "
        "E-Mail kontaktiert, falls weitere Informationen benötigt werden.",
        "Bitte prüfen Sie Ihren Posteingang (auch den Spam-Ordner) auf eine E-Mail "
        "von uns mit einer Dokumentenanfrage und antworten Sie direkt darauf.",
        "Einen Zeitrahmen kann ich Ihnen leider nicht nennen, aber ich "
        "habe in Ihrem Fall vermerkt, dass Sie sich heute gemeldet haben.",
        "Die Einschränkungen Ihres Kontos wurden aufgehoben. "
        "Sie können jetzt wieder normal handeln und auszahlen.",
    ],
    "kyc_rejected": [
        "Ich habe Ihren Antrag geprüft: Das Dokumentfoto war an den Rändern abgeschnitten. "
        "Bitte laden Sie es erneut hoch, sodass alle vier Ecken sichtbar sind.",
        "Der Adressnachweis darf nicht älter als 3 Monate sein und muss Ihren vollständigen "
        "Namen und Ihre Adresse zeigen. Bitte laden Sie das PDF hoch, keinen Screenshot.",
        "Der Name im Konto muss exakt mit Ihrem Ausweis übereinstimmen. Ich kann ihn "
        "korrigieren, wenn Sie mir die genaue Schreibweise laut Dokument mitteilen.",
        "Für das Selfie achten Sie bitte auf gutes Licht, nehmen Brille "
        "und Mütze ab und halten Ihr Gesicht innerhalb des Rahmens.",
        "Sie können die Verifizierung jetzt unter Profil > Identifizierung "
        "erneut einreichen. Die Prüfung dauert in der Regel bis zu 48 Stunden.",
    ],
    "p2p_appeal": [
        "Ich bearbeite jetzt den Einspruch zu Order {order_id}. Bitte laden Sie einen "
        "Zahlungsnachweis hoch (Bankbeleg mit Betrag, Datum und Empfängername).",
        "Bitte geben Sie die Coins erst frei, wenn die Zahlung auf Ihrem eigenen "
        "Bankkonto sichtbar ist. Ein Screenshot des Käufers reicht nicht.",
        "Die Gegenpartei hat 24 Stunden Zeit, auf den Einspruch zu reagieren. "
        "Andernfalls entscheiden wir anhand der vorliegenden Nachweise.",
        "Nach Prüfung der Nachweise wurde der Einspruch zu Ihren Gunsten "
        "entschieden und die {coin} wurden in Ihre Funding-Wallet freigegeben.",
        "Bitte kommunizieren Sie ausschließlich über den Order-Chat. Nachrichten "
        "aus anderen Apps können wir nicht als Nachweis berücksichtigen.",
    ],
    "futures_liquidation": [
        "Liquidationen werden durch den Mark Price ausgelöst, nicht durch den zuletzt "
        "gehandelten Preis. Deshalb ist das Level im normalen Chart evtl. nicht zu sehen.",
        "Ihre Position wurde liquidiert, als Ihre Margin unter die erforderliche "
        "Erhaltungsmarge gefallen ist. Gerne schicke ich Ihnen die Berechnung im Detail.",
        "Ich habe Position {order_id} geprüft: Der Mark Price hat Ihren Liquidationspreis "
        "um 14:32 UTC erreicht, die Liquidation wurde also korrekt ausgeführt.",
        "Stop-Loss-Orders nutzen den von Ihnen gewählten Triggerpreis. Wird "
        "zuerst der Liquidationspreis erreicht, hat die Liquidation Vorrang.",
        "Ich habe Ihren Fall an unser Derivate-Team weitergegeben, um die "
        "Preisdaten zu überprüfen. Ich melde mich, sobald ich eine Antwort habe.",
    ],
    "fees": [
        "Auszahlungsgebühren hängen vom Netzwerk ab und werden laufend angepasst. "
        "Die genaue Gebühr sehen Sie vor der Bestätigung auf der Auszahlungsseite.",
        "Unsere Standard-Spotgebühren betragen 0,10 % Maker und 0,10 % Taker. "
        "Höhere VIP-Stufen erhalten je nach 30-Tage-Volumen niedrigere Sätze.",
        "Die Funding Fee wird alle 8 Stunden zwischen Long- und "
        "Short-Positionen ausgetauscht, sie wird nicht von uns erhoben.",
        "Ich habe den Trade geprüft: Die Gebühr wurde korrekt als Taker "
        "berechnet, da die Order sofort zum Marktpreis ausgeführt wurde.",
        "Die vollständige Gebührenübersicht finden Sie in der Fußzeile unserer Website unter 'Gebühren'.",
    ],
}


# --- Spanish ------------------------------------------------------------------------------------------------

_ES_SUBJECTS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Depósito no acreditado",
        "Depósito de {coin} sin reflejarse",
        "¿Dónde está mi depósito?",
    ],
    "wrong_network_or_memo": [
        "Envié {coin} sin memo",
        "Depósito enviado por la red equivocada",
        "Solicitud de recuperación: {coin} enviado por {network}",
    ],
    "withdrawal_pending": [
        "Retiro pendiente desde hace horas",
        "Retirada de {coin} no recibida",
        "¿Por qué mi retiro sigue en proceso?",
    ],
    "2fa_reset": [
        "Perdí el móvil y no puedo entrar (2FA)",
        "Restablecer Google Authenticator",
        "Los códigos 2FA no funcionan",
    ],
    "account_frozen": [
        "Cuenta congelada sin explicación",
        "¿Por qué está restringida mi cuenta?",
        "No puedo retirar, cuenta bloqueada",
    ],
    "kyc_rejected": [
        "KYC rechazado",
        "Verificación fallida, ¿qué pasa con mis documentos?",
        "Verificación de identidad denegada",
    ],
    "p2p_appeal": [
        "Orden P2P {order_id}: el vendedor no libera",
        "Apelación de la orden P2P {order_id}",
        "Pagué y el vendedor canceló la orden",
    ],
    "futures_liquidation": [
        "Liquidación injusta en futuros",
        "Me liquidaron antes de llegar a mi precio de liquidación",
        "Consulta sobre la liquidación de la orden {order_id}",
    ],
    "fees": [
        "Comisión de retiro demasiado alta",
        "Consulta sobre comisiones de trading",
        "Cobro de comisión que no entiendo",
    ],
}

_ES_OPENERS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Hola, deposité {amount} {coin} hace unas 2 horas y todavía no aparece en mi cuenta. TxID: {txid}",
        "mi deposito no aparece, en la blockchain sale confirmado. que pasa??",
        "Buenas tardes, envié {coin} desde mi wallet por la red "
        "{network} pero el saldo sigue igual. ¿Pueden revisarlo?",
        "Esto es una vergüenza. Transferí {amount} {coin} AYER y nada. Necesito ese dinero hoy.",
        "Hola, hice un depósito desde otro exchange y allí figura como completado. Mi UID es {uid}.",
        "Falta un depósito de {amount} {coin}. Hash {txid}. Quedo atento.",
    ],
    "wrong_network_or_memo": [
        "Hola, envié {amount} {coin} a mi dirección de depósito pero olvidé poner el memo. ¿Lo he perdido?",
        "Creo que usé la red equivocada, mandé {coin} por {network} "
        "en vez de la que ponía en la página de depósito. TxID {txid}",
        "ayuda porfa mandé XRP sin el tag de destino, son todos mis ahorros",
        "Buenos días, retiré de otro exchange usando {network} y recién "
        "ahora veo que no soportan esa red para {coin}. ¿Se puede recuperar?",
        "Puse un memo incorrecto, copié uno viejo sin querer. Monto: {amount} {coin}.",
        "Mandé {coin} por {network}, la dirección fue aceptada pero "
        "no llegó nada. ¿Me dijeron que es la cadena equivocada?",
    ],
    "withdrawal_pending": [
        "Mi retiro de {amount} {coin} lleva más de 4 horas pendiente. ¿Hay algún problema?",
        "el retiro sigue en proceso. cuanto tarda esto??",
        "Hola, en el historial la retirada aparece como completada "
        "pero a mi wallet no ha llegado nada. TxID {txid}",
        "Llevo desde ayer esperando mi retiro de {coin}. En otros exchanges tarda minutos. Inaceptable.",
        "Buenas, mi retiro dice 'en revisión'. ¿Qué significa y cuánto va a tardar?",
        "¿Pueden revisar el retiro por {network}? UID {uid}. Sigue sin llegar.",
    ],
    "2fa_reset": [
        "Hola, perdí el celular y ya no puedo generar los códigos "
        "del autenticador. ¿Cómo recupero el acceso a mi cuenta?",
        "El código 2FA siempre me sale inválido. Lo he intentado mil veces y ahora estoy bloqueado.",
        "Cambié de móvil y se me olvidó pasar el Google "
        "Authenticator. UID {uid}. ¿Me ayudan a restablecerlo?",
        "¡NO PUEDO ENTRAR! La app me pide un código que no tengo y tengo fondos ahí.",
        "Buenos días, ya no me llega el SMS de verificación porque cambié de número. ¿Qué puedo hacer?",
        "Quiero restablecer el 2FA, me robaron el teléfono la semana pasada.",
    ],
    "account_frozen": [
        "¿Por qué está congelada mi cuenta? No he hecho nada malo.",
        "No puedo retirar ni operar, dice cuenta restringida. UID {uid}.",
        "Me bloquearon la cuenta justo después de depositar {amount} {coin}. Quiero mi dinero YA.",
        "Hola, recibí un correo diciendo que mi cuenta está en revisión. ¿Cuánto tiempo tardará?",
        "cuenta desactivada?? acabo de entrar y está todo bloqueado",
        "Buenos días, ¿podrían indicarme qué debo hacer para "
        "desbloquear mi cuenta? Puedo enviar cualquier documento.",
    ],
    "kyc_rejected": [
        "Rechazaron mi verificación pero las fotos se veían perfectas. ¿Cuál es el problema?",
        "KYC rechazado por tercera vez. Ya me estoy hartando.",
        "Hola, dice que mi comprobante de domicilio no es válido. Subí un extracto bancario, ¿no sirve?",
        "¿Por qué dice que el nombre no coincide? ¡Es mi pasaporte!",
        "Buenas, intento verificarme pero la selfie falla siempre. ¿Algún consejo?",
        "verificación rechazada, sin motivo. uid {uid}",
    ],
    "p2p_appeal": [
        "Le pagué al vendedor de la orden {order_id} hace 40 minutos "
        "y todavía no libera los {coin}. No contesta en el chat.",
        "El comprador marcó la orden {order_id} como pagada pero a mi banco no llegó nada. No voy a liberar.",
        "Hola, abrí una apelación en la orden {order_id}. ¿Y ahora qué pasa?",
        "ESTAFA!!! el vendedor se quedó con mi plata y canceló la orden {order_id}",
        "Hice la transferencia con el concepto equivocado y ahora "
        "el vendedor quiere cancelar. ¿Me ayudan? Orden {order_id}.",
        "El comprador me pide que libere antes de pagar y me amenaza con denunciarme. ¿Qué hago?",
    ],
    "futures_liquidation": [
        "Liquidaron mi posición en {coin} pero en el gráfico el "
        "precio nunca tocó mi precio de liquidación. Explíquenme.",
        "Perdí {amount} USDT por una liquidación que no debería haber pasado. Quiero una compensación.",
        "Hola, ¿me pueden explicar por qué se cerró mi posición? Orden {order_id}.",
        "como se calcula el precio de liquidacion? me liquidaron a un precio distinto al que salía",
        "En su plataforma hubo una mecha que no hubo en ningún otro exchange. Me liquidaron por eso.",
        "Buenas, tenía un stop loss puesto pero igualmente me liquidaron. ¿Por qué no saltó el stop?",
    ],
    "fees": [
        "¿Por qué la comisión de retiro de {coin} es tan alta? El mes pasado era más barata.",
        "Hola, ¿me podrían explicar las comisiones maker y taker? No las encuentro por ningún lado.",
        "En la operación {order_id} me cobraron más de lo esperado. ¿Pueden revisarlo?",
        "¿Si tengo su token o opero más volumen pago menos comisiones?",
        "que es esta tasa de financiación en mi posición de futuros??",
        "Retiré {amount} {coin} y me llegó menos. ¿Dónde está el resto?",
    ],
}

_ES_FOLLOWUPS: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Aquí está el TxID: {txid}",
        "¿Alguna novedad? Ya pasó otra hora.",
        "Listo, ya me aparece. ¡Gracias!",
        "Adjunto captura de mi wallet con la transacción.",
    ],
    "wrong_network_or_memo": [
        "El TxID es {txid} y fueron {amount} {coin}.",
        "¿Cuánto tarda la recuperación? ¿Tiene algún costo?",
        "Vale, ya rellené el formulario. Gracias.",
        "¿Entonces mi dinero está perdido o no? Denme una respuesta clara, por favor.",
    ],
    "withdrawal_pending": [
        "Sigue sin llegar nada a mi wallet.",
        "Mi UID es {uid}, el retiro fue de {amount} {coin}.",
        "Ya lo recibí, gracias por revisarlo.",
        "¿Por qué tarda tanto la revisión? Es mi propio dinero.",
    ],
    "2fa_reset": [
        "Ya envié la selfie y la foto del documento por el formulario.",
        "¿Cuánto tarda el restablecimiento?",
        "Tampoco tengo acceso al correo antiguo, ¿hay otra forma?",
        "Funcionó, ya pude entrar. ¡Muchas gracias!",
    ],
    "account_frozen": [
        "¿Qué documentos necesitan exactamente?",
        "Ya van 5 días. ¿Al menos puedo retirar mis fondos?",
        "De acuerdo, esperaré el correo. Gracias.",
        "No entiendo el motivo, llevo 3 años siendo cliente.",
    ],
    "kyc_rejected": [
        "Subí un extracto nuevo de este mes.",
        "La dirección es la misma, solo me cambié de piso en el mismo edificio.",
        "Ya está aprobado, ¡gracias por la ayuda!",
        "¿Puedo usar el carnet de conducir en lugar del pasaporte?",
    ],
    "p2p_appeal": [
        "Aquí está el comprobante de la transferencia, adjunto captura.",
        "El vendedor sigue sin responder en el chat.",
        "Acaba de llegar el dinero a mi banco, ya liberé las monedas. Pueden cerrar la apelación.",
        "¿Cuánto tarda la apelación? Necesito los fondos.",
    ],
    "futures_liquidation": [
        "Pero tampoco en el gráfico del precio de marca aparece ese nivel.",
        "¿O sea que no hay ninguna compensación?",
        "Vale, ahora lo entiendo, no sabía lo del margen de mantenimiento. Gracias.",
        "Este es el ID de la posición: {order_id}.",
    ],
    "fees": [
        "Vale, ¿entonces si uso {network} sale más barato?",
        "Gracias, ahora está claro.",
        "Sigo sin entender por qué fueron {amount} {coin}, es mucho más que la comisión de la red.",
        "¿Dónde veo mi nivel VIP actual?",
    ],
}

_ES_AGENT_REPLIES: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Gracias por contactarnos. ¿Podría facilitarme el TxID del depósito para revisarlo en la blockchain?",
        "He revisado la transacción: tiene 8 de las 12 confirmaciones necesarias "
        "en la red {network}. Se acreditará automáticamente al completarse.",
        "El depósito ya se acreditó en su cuenta. Actualice la app y revise su billetera Spot.",
        "Por favor, envíeme una captura del registro de retiro de la "
        "plataforma de origen donde se vean la dirección, el monto y el TxID.",
        "La transacción se envió a una dirección que no pertenece a su "
        "cuenta. ¿Podría verificar la dirección de destino que utilizó?",
    ],
    "wrong_network_or_memo": [
        "Lamento lo ocurrido. Los depósitos sin el memo/tag correcto normalmente se "
        "pueden recuperar: envíe el formulario de recuperación con el TxID y una captura.",
        "¿Podría confirmarme la moneda, la red, el monto y el TxID? "
        "Verificaré si los fondos llegaron a alguna de nuestras billeteras.",
        "Los depósitos en redes no soportadas pueden ser recuperables, pero no está "
        "garantizado y el proceso tarda de 2 a 4 semanas. Puede aplicarse una comisión.",
        "Su solicitud de recuperación se ha enviado a nuestro equipo "
        "de billeteras. Recibirá un correo en cuanto haya novedades.",
        "Lamentablemente, los fondos se enviaron a una red a la que no tenemos "
        "acceso, por lo que en este caso no es posible recuperarlos. Lo siento mucho.",
    ],
    "withdrawal_pending": [
        "¿Podría indicarme su UID y el monto del retiro para localizarlo?",
        "Su retiro está en una revisión de seguridad estándar. Suele "
        "completarse en menos de 24 horas y no necesita hacer nada.",
        "El retiro ya fue transmitido, este es el TxID: {txid}. "
        "Está esperando confirmaciones en la red {network}.",
        "La red {network} está congestionada en este momento, por eso los "
        "retiros tardan más de lo habitual. Sus fondos están seguros.",
        "La transacción está confirmada en la blockchain. Si su wallet no la "
        "muestra, compruebe que haya añadido el token {coin} en la red correcta.",
    ],
    "2fa_reset": [
        "Con gusto le ayudo. En la página de inicio de sesión, elija 'Verificación "
        "de seguridad no disponible' y siga los pasos para restablecer el 2FA.",
        "Por su seguridad necesitamos verificar su identidad: una foto de su "
        "documento y una selfie sosteniéndolo junto a un papel con la fecha de hoy.",
        "Su solicitud de restablecimiento fue aprobada. Por seguridad, "
        "los retiros quedarán deshabilitados durante 24 horas.",
        "Le recuerdo que nunca comparta códigos de verificación "
        "con nadie, ni siquiera con quien diga ser de soporte.",
        "La solicitud fue rechazada porque la selfie salió borrosa. Envíe "
        "una nueva con buena iluminación y el rostro completamente visible.",
    ],
    "account_frozen": [
        "Entiendo su molestia. Su cuenta ha sido restringida tras una revisión "
        "rutinaria y en este momento no puedo compartir más detalles.",
        "Su caso está en manos del equipo correspondiente. Le "
        "contactarán por correo si necesitan información adicional.",
        "Revise su bandeja de entrada (y la carpeta de spam): debería tener un correo "
        "nuestro solicitando documentación. Responda directamente a ese correo.",
        "No puedo darle un plazo, pero he dejado constancia en su caso de que nos contactó hoy.",
        "Se han levantado las restricciones de su cuenta. Ya puede operar y retirar con normalidad.",
    ],
    "kyc_rejected": [
        "He revisado su solicitud: la foto del documento estaba cortada "
        "en los bordes. Súbala de nuevo con las cuatro esquinas visibles.",
        "El comprobante de domicilio debe tener como máximo 3 meses y mostrar "
        "su nombre completo y dirección. No aceptamos capturas, suba el PDF.",
        "El nombre de la cuenta debe coincidir exactamente con su documento. "
        "Puedo corregirlo si me indica cómo aparece escrito en él.",
        "Para la selfie, use buena iluminación, quítese gafas y gorra y mantenga el rostro dentro del marco.",
        "Ya puede volver a enviar la verificación desde Perfil > "
        "Identificación. La revisión suele tardar hasta 48 horas.",
    ],
    "p2p_appeal": [
        "Ya estoy revisando la apelación de la orden {order_id}. Suba el comprobante "
        "de pago (recibo bancario con monto, fecha y nombre del destinatario).",
        "No libere las monedas hasta ver el pago en su propia cuenta "
        "bancaria; una captura enviada por el comprador no es suficiente.",
        "La contraparte tiene 24 horas para responder a la apelación. "
        "Si no lo hace, decidiremos según las pruebas aportadas.",
        "Tras revisar las pruebas, la apelación se resolvió a su "
        "favor y los {coin} se liberaron en su billetera de fondos.",
        "Mantenga toda la comunicación dentro del chat de la orden. No podemos "
        "considerar como prueba mensajes enviados por otras aplicaciones.",
    ],
    "futures_liquidation": [
        "Las liquidaciones se activan según el precio de marca, no el último precio "
        "negociado, por eso el nivel puede no aparecer en el gráfico normal.",
        "Su posición se liquidó cuando el margen cayó por debajo del margen "
        "de mantenimiento requerido. Puedo enviarle el detalle del cálculo.",
        "He revisado la posición {order_id}: el precio de marca alcanzó su precio "
        "de liquidación a las 14:32 UTC, así que la liquidación fue correcta.",
        "El stop loss usa el precio de activación que usted eligió. Si se "
        "alcanza antes el precio de liquidación, la liquidación tiene prioridad.",
        "He escalado su caso al equipo de derivados para que revisen los "
        "datos de precio. Le responderé en cuanto tenga su respuesta.",
    ],
    "fees": [
        "Las comisiones de retiro dependen de la red y se ajustan a sus condiciones "
        "actuales. Verá la comisión exacta en la pantalla de retiro antes de confirmar.",
        "Nuestras comisiones spot estándar son 0,10 % maker y 0,10 % taker. Los "
        "niveles VIP superiores tienen tarifas reducidas según el volumen de 30 días.",
        "La tasa de financiación se intercambia entre posiciones "
        "largas y cortas cada 8 horas; no la cobramos nosotros.",
        "He revisado la operación y la comisión se calculó correctamente como "
        "taker, ya que la orden se ejecutó al instante a precio de mercado.",
        "Encontrará la tabla completa de comisiones en el pie de página de nuestra web, en 'Comisiones'.",
    ],
}


# --- Exported tables ----------------------------------------------------------------------------------------

SUBJECTS: dict[str, dict[str, list[str]]] = {
    "en": _EN_SUBJECTS,
    "it": _IT_SUBJECTS,
    "pt": _PT_SUBJECTS,
    "de": _DE_SUBJECTS,
    "es": _ES_SUBJECTS,
}

OPENERS: dict[str, dict[str, list[str]]] = {
    "en": _EN_OPENERS,
    "it": _IT_OPENERS,
    "pt": _PT_OPENERS,
    "de": _DE_OPENERS,
    "es": _ES_OPENERS,
}

CUSTOMER_FOLLOWUPS: dict[str, dict[str, list[str]]] = {
    "en": _EN_FOLLOWUPS,
    "it": _IT_FOLLOWUPS,
    "pt": _PT_FOLLOWUPS,
    "de": _DE_FOLLOWUPS,
    "es": _ES_FOLLOWUPS,
}

AGENT_REPLIES: dict[str, dict[str, list[str]]] = {
    "en": _EN_AGENT_REPLIES,
    "it": _IT_AGENT_REPLIES,
    "pt": _PT_AGENT_REPLIES,
    "de": _DE_AGENT_REPLIES,
    "es": _ES_AGENT_REPLIES,
}

AGENT_CLOSINGS: dict[str, list[str]] = {
    "en": [
        "Is there anything else I can help you with?",
        "Let me know if you have any other questions.",
        "Thanks for your patience, have a great day!",
        "If anything else comes up, feel free to reach out anytime.",
    ],
    "it": [
        "C'è altro in cui posso aiutarla?",
        "Resto a disposizione per qualsiasi altra domanda.",
        "Grazie per la pazienza e buona giornata!",
        "Se dovesse servirle altro, non esiti a scriverci.",
    ],
    "pt": [
        "Posso ajudar com mais alguma coisa?",
        "Fico à disposição para qualquer outra dúvida.",
        "Obrigado pela paciência e tenha um ótimo dia!",
        "Se precisar de algo mais, é só chamar.",
    ],
    "de": [
        "Kann ich Ihnen sonst noch weiterhelfen?",
        "Bei weiteren Fragen melden Sie sich jederzeit gern.",
        "Vielen Dank für Ihre Geduld und noch einen schönen Tag!",
        "Falls noch etwas ist, schreiben Sie uns einfach.",
    ],
    "es": [
        "¿Hay algo más en lo que pueda ayudarle?",
        "Quedo a su disposición para cualquier otra consulta.",
        "Gracias por su paciencia, ¡que tenga un buen día!",
        "Si necesita algo más, no dude en escribirnos.",
    ],
}

# Internal notes are always written in English, whatever the customer's language.
INTERNAL_NOTES: dict[str, list[str]] = {
    "deposit_not_credited": [
        "Checked node: tx has 12/20 confirmations, told customer to wait.",
        "Tx confirmed on-chain but not credited. Escalated to wallet team, ticket WAL-2231.",
        "Customer sent to an old deposit address. Asked wallet ops to check the sweep.",
    ],
    "wrong_network_or_memo": [
        "BEP20 deposit sent to our ERC20 address, same address format. Recovery form sent.",
        "Missing XRP tag, TxID verified on explorer. Recovery submitted to wallet ops.",
        "Unsupported chain, funds not recoverable. Explained to customer, go gently if they write back.",
    ],
    "withdrawal_pending": [
        "Withdrawal held by risk engine (new device login). Do not release manually.",
        "TRX hot wallet running low, ops topping up. ETA ~1h.",
        "Broadcast OK and confirmed. Customer was looking at the wrong network in their wallet.",
    ],
    "2fa_reset": [
        "Selfie doesn't match ID photo, reset rejected. Asked for a new submission.",
        "Reset approved, 24h withdrawal lock applied.",
        "Customer asked us to 'just turn off 2FA' over chat. Explained identity check is mandatory.",
    ],
    "account_frozen": [
        "Account under compliance review. Neutral template only, no details to customer.",
        "Third contact this week, customer very upset. Please don't promise any timeline.",
        "Restriction lifted by compliance today, customer informed.",
    ],
    "kyc_rejected": [
        "Proof of address older than 3 months, asked for a recent one.",
        "Name mismatch: account says 'Jon', passport says 'Jonathan'. Correction requested.",
        "Document looks possibly edited, flagged for second review. Do not mention to customer.",
    ],
    "p2p_appeal": [
        "Buyer uploaded receipt, seller unresponsive for 2h. Waiting out the 24h window.",
        "Receipt looks edited (font mismatch on the amount). Sent to P2P risk.",
        "Third-party payment: name on transfer doesn't match buyer. Leaning towards seller.",
    ],
    "futures_liquidation": [
        "Checked mark price at liquidation time, matches. Liquidation valid.",
        "Customer claims a wick; index sources show the same move on 2 other venues.",
        "Asked derivatives team to verify the 08:00 UTC funding rate.",
    ],
    "fees": [
        "Explained VIP tiers, customer is VIP0.",
        "Customer confused the network fee with our withdrawal fee. Sent fee page link.",
        "Fee on the order is correct (taker). No refund.",
    ],
}

# Name tables are packed several per line; keep the formatter from exploding them one per line.
# fmt: off

FIRST_NAMES: dict[str, list[str]] = {
    "en": [
        "James", "Oliver", "Emily", "Sophie", "Michael", "Sarah", "Jessica", "Daniel", "Thomas", "Charlotte",
        "Chukwuemeka", "Ngozi", "Oluwaseun", "Adaeze", "Tunde", "Funmilayo", "Priya", "Arjun", "Rahul",
        "Ananya", "Vikram", "Deepika", "Liam", "Emma", "Ryan", "Megan", "Hannah", "Connor", "Aisha", "Kwame",
        "Matthew", "Grace",
    ],
    "it": [
        "Marco", "Giulia", "Alessandro", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Andrea",
        "Federica", "Lorenzo", "Martina", "Davide", "Elena", "Simone", "Valentina", "Giuseppe", "Alessia",
        "Francesco", "Silvia", "Stefano", "Roberta", "Riccardo", "Ilaria", "Antonio", "Paola", "Gabriele",
        "Elisa", "Nicola", "Beatrice", "Salvatore", "Giorgia",
    ],
    "pt": [
        "João", "Maria", "Pedro", "Ana", "Lucas", "Beatriz", "Gabriel", "Juliana", "Rafael", "Mariana",
        "Gustavo", "Fernanda", "Matheus", "Larissa", "Tiago", "Inês", "Rodrigo", "Camila", "Bruno", "Letícia",
        "Diogo", "Catarina", "Felipe", "Patrícia", "Thiago", "Aline", "Miguel", "Sofia", "Leonardo",
        "Carolina", "Rui", "Vanessa",
    ],
    "de": [
        "Lukas", "Anna", "Leon", "Lena", "Maximilian", "Laura", "Felix", "Julia", "Jonas", "Sophie", "Tobias",
        "Katharina", "Florian", "Sabine", "Stefan", "Johanna", "Niklas", "Lea", "Sebastian", "Marie", "Jan",
        "Hannah", "Matthias", "Christina", "Philipp", "Nina", "Andreas", "Miriam", "Moritz", "Theresa",
        "Jürgen", "Ursula",
    ],
    "es": [
        "Alejandro", "Lucía", "Javier", "Carmen", "Daniel", "Sofía", "Pablo", "Marta", "Diego", "Valentina",
        "Sergio", "Laura", "Carlos", "Paula", "Andrés", "Camila", "Miguel", "Elena", "Mateo", "Isabella",
        "Jorge", "Daniela", "Fernando", "Gabriela", "Raúl", "Ximena", "Santiago", "Natalia", "Luis",
        "Mariana", "Iker", "Nerea",
    ],
}

LAST_NAMES: dict[str, list[str]] = {
    "en": [
        "Smith", "Johnson", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thompson", "Walker",
        "Robinson", "Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Sharma", "Patel", "Gupta",
        "Iyer", "Reddy", "Singh", "Nair", "Miller", "Anderson", "Harris", "Clarke", "Hughes", "Murphy",
        "O'Brien", "Campbell",
    ],
    "it": [
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
        "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini",
        "Leone", "Longo", "Gentile",
    ],
    "pt": [
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
        "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira",
        "Barbosa", "Rocha", "Dias", "Nascimento", "Moreira", "Cardoso", "Teixeira", "Correia", "Mendes",
        "Pinto", "Araújo", "Machado", "Cavalcanti",
    ],
    "de": [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
        "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause",
        "Huber", "Gruber", "Steiner", "Brunner",
    ],
    "es": [
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
        "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Romero", "Torres", "Ramírez",
        "Flores", "Vargas", "Castillo", "Morales", "Ortiz", "Rojas", "Mendoza", "Guerrero", "Navarro",
        "Herrera", "Medina", "Castro", "Aguilar",
    ],
}

AGENT_NAMES: dict[str, list[str]] = {
    "en": [
        "Hannah Clarke", "David Okoro", "Priyanka Mehta", "Tom Fletcher", "Rachel Kim", "Samuel Adeyemi",
    ],
    "it": [
        "Giulia Ferraro", "Marco Santini", "Elisa Cattaneo", "Davide Marchetti", "Serena Villa",
        "Paolo De Santis",
    ],
    "pt": [
        "Ana Paula Ribeiro", "Bruno Carvalho", "Joana Matos", "Rafael Nunes", "Camila Duarte",
        "Tiago Fonseca",
    ],
    "de": [
        "Katrin Vogel", "Markus Lehmann", "Sarah Berger", "Daniel Kaiser", "Lisa Hahn", "Benedikt Frank",
    ],
    "es": [
        "Laura Sánchez", "Diego Castillo", "María José Herrera", "Álvaro Molina", "Valeria Ríos",
        "Pablo Ortega",
    ],
}
# fmt: on


# --- Cases: handoffs, notes, complaints, incidents ----------------------------------------------------------
# Internal texts (handoff forms, notes, compliance records) are in English like INTERNAL_NOTES; what the
# customer reads (complaint points and answers, reasons, incident updates) is in the conversation's language.

# category -> (summary, steps already taken, customer impact) of an escalation form.
HANDOFFS: dict[str, tuple[str, str, str]] = {
    "deposit_not_credited": (
        "{amount} {coin} deposit on {network} confirmed on-chain but not credited to UID {uid}.",
        "Checked the TxID on the explorer: confirmed, correct deposit address. No sweep record on our side.",
        "{amount} {coin} unavailable; customer cannot trade and has written several times.",
    ),
    "wrong_network_or_memo": (
        "{amount} {coin} sent over {network} to an address of another network, or without memo/tag.",
        "Verified the TxID and the destination address; funds reached our wallet. Recovery form received.",
        "{amount} {coin} stuck until wallet ops recover it manually; customer worried about losing it.",
    ),
    "withdrawal_pending": (
        "{amount} {coin} withdrawal on {network} pending for hours, no broadcast yet.",
        "Checked the withdrawal history: status processing, no risk hold visible to L1, hot wallet status unknown.",
        "Customer needs the funds for a payment; {amount} {coin} locked in the pending withdrawal.",
    ),
    "2fa_reset": (
        "2FA reset request for UID {uid} stuck after selfie verification.",
        "Confirmed identity questions, selfie submitted twice, reset still shows under review.",
        "Customer locked out of the account and cannot withdraw or trade.",
    ),
    "account_frozen": (
        "Account of UID {uid} restricted; customer asks why and for how long.",
        "Sent the neutral template, confirmed contact email, no further details shared.",
        "Customer cannot withdraw; very upset, third contact this week.",
    ),
    "kyc_rejected": (
        "KYC rejected twice for UID {uid}; customer says the documents are valid.",
        "Compared the name and date of birth with the documents; asked for a recent proof of address.",
        "Customer cannot raise withdrawal limits until verification passes.",
    ),
    "p2p_appeal": (
        "P2P order {order_id} ({amount} {coin}) under appeal, counterparty unresponsive.",
        "Collected the payment receipt and the chat log of the order; the 24h window is over.",
        "{amount} {coin} held in escrow; customer says the payment was made.",
    ),
    "futures_liquidation": (
        "Customer disputes liquidation of futures order {order_id}.",
        "Checked mark price and index sources at liquidation time; customer insists on a price wick.",
        "Position lost; customer asks for compensation.",
    ),
    "fees": (
        "Customer disputes a fee on UID {uid} and asks for a refund.",
        "Explained the fee schedule and VIP tier; customer says the fee differs from the one shown.",
        "Small amount, but the customer threatens to leave the platform.",
    ),
}

# category -> why the receiving tier sent the case back to L1.
RETURN_REASONS: dict[str, str] = {
    "deposit_not_credited": "TxID shows only 3 of 12 confirmations; the deposit is not stuck yet. Ask the customer to wait.",
    "wrong_network_or_memo": "The recovery form is missing the sending wallet's address; please get it from the customer.",
    "withdrawal_pending": "Evidence is a screenshot of another withdrawal; please attach the right history entry.",
    "2fa_reset": "Selfie was never submitted; send the customer the reset link again before escalating.",
    "account_frozen": "Nothing for compliance here: the restriction is a security lock after a password change.",
    "kyc_rejected": "The customer has not uploaded the new proof of address yet; L1 can chase it.",
    "p2p_appeal": "The 24h appeal window is still running; the counterparty may still answer.",
    "futures_liquidation": "Standard liquidation question; L1 can answer with the mark price explainer.",
    "fees": "This is a standard fee question; L1 can answer it with the fee schedule, no L2 review needed.",
}

# Internal notes that follow an @mention of a colleague.
MENTION_NOTES: list[str] = [
    "can you check the wallet sweep on this one? Customer is asking every hour.",
    "this looks like the same issue as yesterday's batch, please take a look before I reply.",
    "VIP customer, could you review before we promise anything?",
    "customer sent a second TxID in the chat, please confirm which one you traced.",
    "FYI I told the customer we will update them by tomorrow morning.",
    "can you confirm the hot wallet is topped up? Then I will close this.",
]

FOLLOW_UP_NOTES: list[str] = [
    "Check whether the deposit was credited after the node resync.",
    "Customer promised to send the bank statement today.",
    "Confirm the withdrawal was broadcast and send the TxID.",
    "Ask if the 2FA reset worked after the 24h lock.",
    "Check the KYC second review result and tell the customer.",
    "P2P appeal window closes: check the seller's answer.",
]

# Compliance-only records: never shown to other roles.
COMPLIANCE_NOTES: list[str] = [
    "Source of funds review opened: three large deposits from a high-risk address cluster. Keep the restriction.",
    "Enhanced due diligence requested; customer's declared occupation does not match the deposit volume.",
    "Authority request received about this UID; do not lift the freeze before the FIU answers.",
    "Sanctions screening hit was a false positive (name match only). Restriction can be lifted after sign-off.",
    "Suspicious activity report filed; no tipping-off, neutral templates only for front line.",
]

# (subject, summary) of a compliance case.
COMPLIANCE_CASES: list[tuple[str, str]] = [
    (
        "Source of funds review",
        "Deposits far above the declared income; documents requested through the verification team.",
    ),
    (
        "Authority information request",
        "Request from the FIU about account activity in the last six months; response due in ten days.",
    ),
    (
        "Sanctions screening match",
        "Screening hit on the customer's name; checking date of birth and nationality before deciding.",
    ),
]

# [language][category] -> (summary, points raised, answers to them) of a complaint.
COMPLAINTS: dict[str, dict[str, tuple[str, list[str], list[str]]]] = {
    "en": {
        "deposit_not_credited": (
            "Deposit credited only after five days, customer missed a trade.",
            ["My deposit took five days to be credited.", "Support kept sending me the same reply."],
            [
                "The deposit was delayed by a fault in our wallet sweep; it is fixed.",
                "We are sorry for the repeated replies; your case now has a named handler.",
            ],
        ),
        "withdrawal_pending": (
            "Withdrawal pending for two days with no explanation.",
            ["My withdrawal was pending for two days.", "Nobody told me why."],
            [
                "The withdrawal waited for a manual security check, which took longer than it should.",
                "You should have been told about the check; we have reminded the team.",
            ],
        ),
        "fees": (
            "Customer charged a higher withdrawal fee than shown in the app.",
            ["The fee charged was higher than the one shown.", "I want the difference refunded."],
            [
                "The network fee changed between the quote and the withdrawal.",
                "As a gesture of goodwill we refund the difference to your account.",
            ],
        ),
        "futures_liquidation": (
            "Customer disputes a liquidation during a price spike.",
            ["My position was liquidated during a price spike.", "I want my margin back."],
            [
                "The mark price, not the last trade, triggered the liquidation, and it matched the index.",
                "The liquidation was valid, so we cannot return the margin.",
            ],
        ),
        "p2p_appeal": (
            "P2P appeal took a week to be decided.",
            ["My P2P appeal took a week.", "The seller was never contacted."],
            [
                "The appeal took longer because the seller's bank statement was needed.",
                "The seller was contacted three times; we attach the record to your case.",
            ],
        ),
    },
    "it": {
        "deposit_not_credited": (
            "Deposito accreditato solo dopo cinque giorni, il cliente ha perso un'operazione.",
            [
                "Il mio deposito è stato accreditato dopo cinque giorni.",
                "L'assistenza mi ha mandato sempre la stessa risposta.",
            ],
            [
                "Il deposito è stato ritardato da un guasto del nostro sistema di raccolta dei fondi, ora risolto.",
                "Ci scusiamo per le risposte ripetute; il tuo caso ha ora un referente dedicato.",
            ],
        ),
        "withdrawal_pending": (
            "Prelievo in sospeso per due giorni senza spiegazioni.",
            ["Il mio prelievo è rimasto in sospeso per due giorni.", "Nessuno mi ha spiegato il perché."],
            [
                "Il prelievo era in attesa di un controllo di sicurezza manuale, durato più del dovuto.",
                "Avresti dovuto essere informato del controllo; lo abbiamo ricordato al team.",
            ],
        ),
        "fees": (
            "Al cliente è stata addebitata una commissione più alta di quella mostrata nell'app.",
            [
                "La commissione addebitata era più alta di quella mostrata.",
                "Voglio il rimborso della differenza.",
            ],
            [
                "La commissione di rete è cambiata tra il preventivo e il prelievo.",
                "Come gesto di cortesia ti rimborsiamo la differenza sul conto.",
            ],
        ),
        "futures_liquidation": (
            "Il cliente contesta una liquidazione durante un picco di prezzo.",
            ["La mia posizione è stata liquidata durante un picco di prezzo.", "Rivoglio il mio margine."],
            [
                "La liquidazione è stata attivata dal prezzo mark, non dall'ultimo scambio, ed era in linea con l'indice.",
                "La liquidazione era corretta, quindi non possiamo restituire il margine.",
            ],
        ),
        "p2p_appeal": (
            "Il ricorso P2P ha richiesto una settimana.",
            ["Il mio ricorso P2P è durato una settimana.", "Il venditore non è mai stato contattato."],
            [
                "Il ricorso ha richiesto più tempo perché serviva l'estratto conto del venditore.",
                "Il venditore è stato contattato tre volte; alleghiamo la cronologia al tuo caso.",
            ],
        ),
    },
    "pt": {
        "deposit_not_credited": (
            "Depósito creditado só após cinco dias, o cliente perdeu uma operação.",
            [
                "O meu depósito demorou cinco dias a ser creditado.",
                "O suporte enviou-me sempre a mesma resposta.",
            ],
            [
                "O depósito atrasou devido a uma falha na nossa recolha de fundos, já corrigida.",
                "Pedimos desculpa pelas respostas repetidas; o seu caso tem agora um responsável designado.",
            ],
        ),
        "withdrawal_pending": (
            "Levantamento pendente durante dois dias sem explicação.",
            ["O meu levantamento ficou pendente durante dois dias.", "Ninguém me explicou porquê."],
            [
                "O levantamento aguardou uma verificação de segurança manual, que demorou mais do que devia.",
                "Devia ter sido informado da verificação; lembrámos a equipa disso.",
            ],
        ),
        "fees": (
            "Foi cobrada ao cliente uma taxa de levantamento maior do que a indicada na app.",
            ["A taxa cobrada foi maior do que a indicada.", "Quero o reembolso da diferença."],
            [
                "A taxa de rede mudou entre a cotação e o levantamento.",
                "Como gesto de boa vontade, reembolsamos a diferença na sua conta.",
            ],
        ),
        "futures_liquidation": (
            "O cliente contesta uma liquidação durante um pico de preço.",
            ["A minha posição foi liquidada durante um pico de preço.", "Quero a minha margem de volta."],
            [
                "A liquidação foi acionada pelo preço de marcação, não pela última transação, e coincidiu com o índice.",
                "A liquidação foi válida, por isso não podemos devolver a margem.",
            ],
        ),
        "p2p_appeal": (
            "A disputa P2P demorou uma semana a ser decidida.",
            ["A minha disputa P2P demorou uma semana.", "O vendedor nunca foi contactado."],
            [
                "A disputa demorou mais porque era necessário o extrato bancário do vendedor.",
                "O vendedor foi contactado três vezes; juntamos o registo ao seu caso.",
            ],
        ),
    },
    "de": {
        "deposit_not_credited": (
            "Einzahlung erst nach fünf Tagen gutgeschrieben, Kunde hat einen Trade verpasst.",
            [
                "Meine Einzahlung wurde erst nach fünf Tagen gutgeschrieben.",
                "Der Support hat mir immer dieselbe Antwort geschickt.",
            ],
            [
                "Die Einzahlung wurde durch einen Fehler bei unserer Wallet-Zusammenführung verzögert; er ist behoben.",
                "Die wiederholten Antworten tun uns leid; Ihr Fall hat jetzt einen festen Ansprechpartner.",
            ],
        ),
        "withdrawal_pending": (
            "Auszahlung zwei Tage ausstehend ohne Erklärung.",
            ["Meine Auszahlung war zwei Tage ausstehend.", "Niemand hat mir den Grund genannt."],
            [
                "Die Auszahlung wartete auf eine manuelle Sicherheitsprüfung, die länger als nötig dauerte.",
                "Sie hätten über die Prüfung informiert werden müssen; wir haben das Team daran erinnert.",
            ],
        ),
        "fees": (
            "Dem Kunden wurde eine höhere Auszahlungsgebühr berechnet als in der App angezeigt.",
            [
                "Die berechnete Gebühr war höher als die angezeigte.",
                "Ich möchte die Differenz erstattet bekommen.",
            ],
            [
                "Die Netzwerkgebühr hat sich zwischen Angebot und Auszahlung geändert.",
                "Aus Kulanz erstatten wir Ihnen die Differenz auf Ihr Konto.",
            ],
        ),
        "futures_liquidation": (
            "Kunde bestreitet eine Liquidation während einer Preisspitze.",
            ["Meine Position wurde während einer Preisspitze liquidiert.", "Ich möchte meine Margin zurück."],
            [
                "Die Liquidation wurde durch den Mark-Preis ausgelöst, nicht durch den letzten Trade, und entsprach dem Index.",
                "Die Liquidation war korrekt, daher können wir die Margin nicht erstatten.",
            ],
        ),
        "p2p_appeal": (
            "P2P-Einspruch wurde erst nach einer Woche entschieden.",
            ["Mein P2P-Einspruch hat eine Woche gedauert.", "Der Verkäufer wurde nie kontaktiert."],
            [
                "Der Einspruch dauerte länger, weil der Kontoauszug des Verkäufers nötig war.",
                "Der Verkäufer wurde dreimal kontaktiert; wir fügen den Verlauf Ihrem Fall bei.",
            ],
        ),
    },
    "es": {
        "deposit_not_credited": (
            "Depósito acreditado solo tras cinco días, el cliente perdió una operación.",
            [
                "Mi depósito tardó cinco días en acreditarse.",
                "Soporte me enviaba siempre la misma respuesta.",
            ],
            [
                "El depósito se retrasó por un fallo en nuestra consolidación de fondos, ya corregido.",
                "Sentimos las respuestas repetidas; tu caso tiene ahora un gestor asignado.",
            ],
        ),
        "withdrawal_pending": (
            "Retiro pendiente durante dos días sin explicación.",
            ["Mi retiro estuvo pendiente durante dos días.", "Nadie me explicó el motivo."],
            [
                "El retiro esperaba una revisión de seguridad manual, que tardó más de lo debido.",
                "Debimos informarte de la revisión; se lo hemos recordado al equipo.",
            ],
        ),
        "fees": (
            "Se cobró al cliente una comisión de retiro mayor que la mostrada en la app.",
            ["La comisión cobrada fue mayor que la mostrada.", "Quiero que me devuelvan la diferencia."],
            [
                "La comisión de red cambió entre la cotización y el retiro.",
                "Como gesto de buena voluntad te devolvemos la diferencia en tu cuenta.",
            ],
        ),
        "futures_liquidation": (
            "El cliente impugna una liquidación durante un pico de precio.",
            ["Mi posición fue liquidada durante un pico de precio.", "Quiero que me devuelvan el margen."],
            [
                "La liquidación la activó el precio de marca, no la última operación, y coincidió con el índice.",
                "La liquidación fue correcta, por lo que no podemos devolver el margen.",
            ],
        ),
        "p2p_appeal": (
            "La apelación P2P tardó una semana en resolverse.",
            ["Mi apelación P2P tardó una semana.", "Nunca contactaron con el vendedor."],
            [
                "La apelación tardó más porque hacía falta el extracto bancario del vendedor.",
                "Contactamos al vendedor tres veces; adjuntamos el registro a tu caso.",
            ],
        ),
    },
}

# Why a request is not a complaint, told to the customer in their language.
INADMISSIBLE_REASONS: dict[str, list[str]] = {
    "en": [
        "the request concerns a third-party wallet that we do not operate.",
        "the same matter was decided in complaint procedure last month and nothing new was raised.",
    ],
    "it": [
        "la richiesta riguarda un wallet di terzi che non gestiamo.",
        "la stessa questione è stata decisa in un reclamo il mese scorso e non sono emersi fatti nuovi.",
    ],
    "pt": [
        "o pedido diz respeito a uma carteira de terceiros que não gerimos.",
        "o mesmo assunto foi decidido numa reclamação no mês passado e não foram apresentados factos novos.",
    ],
    "de": [
        "das Anliegen betrifft eine Wallet eines Drittanbieters, die wir nicht betreiben.",
        "dieselbe Angelegenheit wurde letzten Monat in einem Beschwerdeverfahren entschieden, ohne neue Tatsachen.",
    ],
    "es": [
        "la solicitud se refiere a una cartera de terceros que no gestionamos.",
        "el mismo asunto se resolvió en una reclamación el mes pasado y no se aportaron hechos nuevos.",
    ],
}

# Why the decision takes longer, told to the customer in their language.
DELAY_REASONS: dict[str, str] = {
    "en": "we are waiting for the blockchain analytics report on the transaction.",
    "it": "stiamo aspettando il rapporto di analisi blockchain sulla transazione.",
    "pt": "estamos a aguardar o relatório de análise blockchain sobre a transação.",
    "de": "wir warten auf den Blockchain-Analysebericht zur Transaktion.",
    "es": "estamos esperando el informe de análisis blockchain de la transacción.",
}

# Incidents: (title, description), then the resolution update in each language.
INCIDENTS: dict[str, tuple[str, str]] = {
    "trc20": (
        "TRC20 withdrawals delayed",
        "USDT withdrawals on TRC20 queued for up to 6 hours: the Tron hot wallet ran out of energy.",
    ),
    "solana": (
        "Solana deposits delayed",
        "Solana deposits credited late: our RPC nodes fell behind the chain after a client upgrade.",
    ),
}
INCIDENT_UPDATES: dict[str, dict[str, str]] = {
    "trc20": {
        "en": "Good news: the delay on TRC20 withdrawals is resolved. All queued withdrawals have been sent; you can check the TxID in your withdrawal history. Thank you for your patience.",
        "it": "Buone notizie: il ritardo sui prelievi TRC20 è risolto. Tutti i prelievi in coda sono stati inviati; puoi controllare il TxID nella cronologia dei prelievi. Grazie per la pazienza.",
        "pt": "Boas notícias: o atraso nos levantamentos TRC20 está resolvido. Todos os levantamentos em fila foram enviados; pode consultar o TxID no histórico de levantamentos. Obrigado pela paciência.",
        "de": "Gute Nachrichten: Die Verzögerung bei TRC20-Auszahlungen ist behoben. Alle wartenden Auszahlungen wurden gesendet; die TxID finden Sie in Ihrer Auszahlungshistorie. Danke für Ihre Geduld.",
        "es": "Buenas noticias: el retraso en los retiros TRC20 está resuelto. Todos los retiros en cola se han enviado; puedes consultar el TxID en tu historial de retiros. Gracias por tu paciencia.",
    },
    "solana": {
        "en": "The delay on Solana deposits is resolved: every pending deposit has been credited. Thank you for your patience.",
    },
}
