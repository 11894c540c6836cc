"""Reading a raw mail into plain values: headers, the new part of the text, safe HTML, attachments.

``parse_mail`` never raises: whatever the bytes, it returns a ``ParsedMail``, with ``error`` set when
the mail cannot be read at all and ``notes`` listing what it had to repair or leave out.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

import nh3

MAX_PART_DEPTH = 20
MAX_HTML_CHARS = 2_000_000
MAX_HEADER_CHARS = 2_000
MESSAGE_ID_MAX = 250
_MSGID = re.compile(r"<[^<>\s]{1,248}>")
_SINGLE_BYTE = re.compile(r"^(ascii|latin_1|iso8859_\d+|cp125\d|mac_roman|koi8_[ru]|cp437|cp850)$")
_SURROGATE = re.compile("[\udc80-\udcff]")  # raw 8-bit bytes the parser kept as surrogate escapes
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SUBJECT_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|rif|r|i|enc|res|tr|antw|odp|ynt|ref)(\[\d+\])?\s*:\s*|\[[^\]]{0,40}\]\s*)",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"^\s*(on|am|le|il|em|el|op|den|w dniu)\b.{0,300}?"
    r"(wrote|schrieb|a écrit|ha scritto|escreveu|escribió|schreef|skrev|napisał)\s*:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATOR = re.compile(r"^\s*(-{2,}\s*(original message|mensagem original|ursprüngliche nachricht|"
                        r"messaggio originale|mensaje original|message d'origine)\s*-{2,}|_{20,})\s*$",
                        re.IGNORECASE)  # fmt: skip
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|de|von|da|van|od)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(
    r"^\s*\*?(sent|date|envoyé|gesendet|inviato|enviado|enviada|data|fecha|verzonden)\s*:", re.IGNORECASE
)
# What every rule of _starts_quote needs at the start of a line: one cheap test rules out most lines.
_QUOTE_START = re.compile(
    r"^\s*(>|-|_|\*|(on|am|le|il|em|el|op|den|w|from|de|von|da|van|od)\b)", re.IGNORECASE
)
_SANITIZE_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "area", "map"}  # no remote images: no tracking pixels
_AUTOMATED_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply")


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""  # without angle brackets; set for inline (cid:) parts
    inline: bool = False


@dataclass
class DeliveryReport:
    """What a bounce (DSN, RFC 3464) says about the mail it reports on."""

    original_message_id: str
    recipient: str = ""
    action: str = ""
    status: str = ""
    diagnostic: str = ""


@dataclass
class ParsedMail:
    message_id: str = ""
    sender: str = ""
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    content_language: str = ""
    text: str = ""
    new_text: str = ""
    quoted_text: str = ""
    html: str = ""  # sanitized
    attachments: list[ParsedAttachment] = field(default_factory=list)
    automated_reason: str = ""  # why no automatic reply may be sent to it; empty for a person's mail
    report: DeliveryReport | None = None
    notes: list[str] = field(default_factory=list)
    error: str = ""  # set when the mail could not be read at all

    @property
    def is_automated(self) -> bool:
        return bool(self.automated_reason)


def parse_mail(raw: bytes, *, max_attachment_bytes: int) -> ParsedMail:
    """Read ``raw``; never raises. Attachments above ``max_attachment_bytes`` are left out with a note."""
    parsed = ParsedMail()
    try:
        message = _parse(raw, BytesParser)
    except Exception as exc:  # the parser is lenient; this is a last resort
        parsed.error = f"unparseable: {type(exc).__name__}"
        return parsed
    for reader in (_read_headers, _read_automation):
        try:
            reader(message, parsed)
        except Exception as exc:
            parsed.notes.append(f"headers partly unreadable ({type(exc).__name__})")
    try:
        _read_body(message, parsed, max_attachment_bytes)
    except Exception as exc:
        parsed.error = f"unparseable body: {type(exc).__name__}"
        return parsed
    if not parsed.sender:
        parsed.error = "no sender address (From) could be read"
    return parsed


def parse_headers(raw: bytes) -> ParsedMail:
    """Only the headers of ``raw`` (for mail too large to read whole); never raises."""
    parsed = ParsedMail()
    try:
        message = _parse(raw, BytesHeaderParser)
    except Exception as exc:
        parsed.error = f"unparseable: {type(exc).__name__}"
        return parsed
    for reader in (_read_headers, _read_automation):
        try:
            reader(message, parsed)
        except Exception as exc:
            parsed.notes.append(f"headers partly unreadable ({type(exc).__name__})")
    return parsed


def _parse(raw: bytes, parser: type[BytesParser] | type[BytesHeaderParser]) -> Message:
    """The standard library's reading of ``raw`` under the modern policy (header parses memoized)."""
    return parser(policy=_POLICY).parsebytes(raw)


class _MemoizingPolicy(EmailPolicy):
    """The modern policy, remembering the header objects it built for short values.

    The feed parser and the MIME accessors ask for each part's Content-Type several times, and the
    modern policy parses the header anew each time (two thirds of the parser's time). Parsing a header
    is a pure function of its name and raw value, and the objects are immutable, so sharing them changes
    nothing but the time.
    """

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if not isinstance(value, str) or hasattr(value, "name") or len(value) > 998:
            return super().header_fetch_parse(name, value)
        return _header_object(name, value)


@lru_cache(maxsize=2048)
def _header_object(name: str, value: str) -> Any:
    return policy.default.header_fetch_parse(name, value)


_POLICY = _MemoizingPolicy()


def _content_type(part: Message) -> str:
    """``part.get_content_type()``, parsed once per part."""
    cached: str | None = getattr(part, "_firstline_content_type", None)
    if cached is None:
        cached = part.get_content_type()
        part._firstline_content_type = cached  # type: ignore[attr-defined]
    return cached


def subject_key(subject: str) -> str:
    """The subject without Re:/Fwd:/AW: prefixes and [tags], lower-cased: what replies keep the same."""
    text = subject
    for _ in range(10):
        stripped = _SUBJECT_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).lower()[:200]


def sanitize_html(html: str) -> str:
    """Customer HTML made safe to show: no scripts, styles, event handlers, images or foreign schemes."""
    return nh3.clean(
        html,
        tags=_SANITIZE_TAGS,
        clean_content_tags={"script", "style", "title", "head", "noscript", "template"},
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
    )


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # HTMLParser is lenient, but nothing a customer sends may escape
        return _clean(re.sub(r"<[^>]*>", " ", html))
    return _squeeze_blank_lines("".join(extractor.parts))


def split_quoted(text: str) -> tuple[str, str]:
    """(new part, quoted history) of a reply; all of it is new when no quote starts after some text."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if _starts_quote(lines, index):
            new, quoted = "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
            if not new:
                return text.strip(), ""
            if line.lstrip().startswith(">") and _has_text_after_quotes(lines[index:]):
                return text.strip(), ""  # an answer written between the quoted lines: keep it whole
            return new, quoted
    return text.strip(), ""


# --- headers ---------------------------------------------------------------------------------------


def _read_headers(message: Message, parsed: ParsedMail) -> None:
    # Only From and Subject need the policy's full (RFC 2047) header parsing; the rest is read raw: faster.
    raw = _raw_headers(message)
    parsed.message_id = _first_msgid(raw.get("message-id", ""))
    parsed.in_reply_to = _first_msgid(raw.get("in-reply-to", ""))
    parsed.references = _MSGID.findall(raw.get("references", ""))[-50:]
    parsed.subject = _header(message, "Subject")[:500]
    parsed.content_language = raw.get("content-language", "").split(",")[0].strip()[:2].lower()
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    if senders:
        parsed.sender_name, parsed.sender = senders[0]
    recipients: list[str] = []
    for name in ("to", "cc", "delivered-to", "x-original-to", "envelope-to"):
        for _, address in getaddresses(raw.get_all(name)):
            address = address.lower()[:320]
            if "@" in address and " " not in address and address not in recipients:
                recipients.append(address)
    parsed.recipients = recipients[:50]
    date = raw.get("date", "")
    if date:
        try:
            value = parsedate_to_datetime(date)
            parsed.date = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed.notes.append("Date header unreadable")


class _RawHeaders:
    """Header values as received (unfolded, 8-bit bytes repaired), looked up case-insensitively."""

    def __init__(self, message: Message) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            text = _clean(str(value)).replace("\n", " ").replace("\t", " ").strip()[:MAX_HEADER_CHARS]
            self.values.setdefault(name.lower(), []).append(text)

    def get(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return found[0] if found else default

    def get_all(self, name: str) -> list[str]:
        return self.values.get(name, [])


def _raw_headers(message: Message) -> _RawHeaders:
    cached = getattr(message, "_firstline_raw_headers", None)
    if cached is None:
        cached = _RawHeaders(message)
        message._firstline_raw_headers = cached  # type: ignore[attr-defined]  # read once per parse
    return cached


def _read_automation(message: Message, parsed: ParsedMail) -> None:
    raw = _raw_headers(message)
    auto_submitted = raw.get("auto-submitted").lower()
    precedence = raw.get("precedence").lower()
    local_part = parsed.sender.partition("@")[0]
    if auto_submitted and not auto_submitted.startswith("no"):
        parsed.automated_reason = f"Auto-Submitted: {auto_submitted[:40]}"
    elif precedence in ("bulk", "list", "junk", "auto_reply"):
        parsed.automated_reason = f"Precedence: {precedence}"
    elif raw.get("list-id") or raw.get("list-unsubscribe"):
        parsed.automated_reason = "mailing list (List-Id)"
    elif raw.get("x-autoreply") or raw.get("x-autorespond"):
        parsed.automated_reason = "X-Autoreply"
    elif local_part.startswith(_AUTOMATED_SENDERS):
        parsed.automated_reason = f"sent by {local_part}"
    elif raw.get("return-path") == "<>":
        parsed.automated_reason = "empty Return-Path"
    elif _content_type(message) == "multipart/report":
        parsed.automated_reason = "delivery report"


def _header(message: Message, name: str) -> str:
    """A header decoded (RFC 2047, 8-bit bytes repaired), or '' — never an exception."""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:
        text = _raw_header(message, name)
    return _clean(text)[:MAX_HEADER_CHARS].strip()


def _raw_header(message: Message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs of an address header, read leniently."""
    found: list[tuple[str, str]] = []
    try:
        header = message.get(name)
        groups = getattr(header, "addresses", None)
        if groups is not None:
            found = [(_clean(a.display_name), _address_of(a)) for a in groups]
    except Exception:
        found = []
    if not found or not all(address for _, address in found):
        found = [(_clean(n), _clean(a).lower()) for n, a in getaddresses([_header(message, name)])]
    return [(n[:200], a[:320]) for n, a in found if "@" in a and " " not in a]


def _address_of(address: Address) -> str:
    if not address.username or not address.domain:
        return ""
    return f"{address.username}@{address.domain}".lower()


def _first_msgid(value: str) -> str:
    match = _MSGID.search(value)
    return match.group(0)[:MESSAGE_ID_MAX] if match else ""


# --- body ------------------------------------------------------------------------------------------


def _read_body(message: Message, parsed: ParsedMail, max_attachment_bytes: int) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    _walk(message, parsed, texts, htmls, max_attachment_bytes, depth=0)
    if _content_type(message) == "multipart/report":
        parsed.report = _delivery_report(message, parsed)
    raw_html = "\n".join(htmls)
    if len(raw_html) > MAX_HTML_CHARS:
        parsed.notes.append("HTML part too large to show; text kept")
        raw_html = raw_html[:MAX_HTML_CHARS]
    parsed.text = _squeeze_blank_lines("\n\n".join(t for t in texts if t.strip()))
    if raw_html.strip():
        parsed.html = sanitize_html(raw_html)
        if not parsed.text.strip():
            parsed.text = html_to_text(raw_html)
    parsed.new_text, parsed.quoted_text = split_quoted(parsed.text)


def _walk(
    part: Message,
    parsed: ParsedMail,
    texts: list[str],
    htmls: list[str],
    max_attachment_bytes: int,
    *,
    depth: int,
) -> None:
    if depth > MAX_PART_DEPTH:
        parsed.notes.append("parts nested too deeply were left out")
        return
    content_type = _content_type(part)
    if part.is_multipart() and not content_type.startswith("message/"):
        children = [child for child in part.get_payload() if isinstance(child, Message)]  # type: ignore[union-attr]
        if content_type == "multipart/alternative":
            children = _preferred_alternatives(children)
        for child in children:
            _walk(child, parsed, texts, htmls, max_attachment_bytes, depth=depth + 1)
        return
    disposition = (part.get_content_disposition() or "").lower()
    if content_type in ("text/plain", "text/html") and disposition != "attachment":
        text = _decode_part(part, parsed)
        (texts if content_type == "text/plain" else htmls).append(text)
        return
    if content_type in ("message/delivery-status", "text/rfc822-headers"):
        return  # read by _delivery_report
    _add_attachment(part, parsed, max_attachment_bytes, content_type, disposition)


def _preferred_alternatives(children: list[Message]) -> list[Message]:
    """Of multipart/alternative, the plain text and the richest HTML (possibly inside a related part)."""
    plain = [c for c in children if _content_type(c) == "text/plain"]
    rich = [c for c in children if _content_type(c) != "text/plain"]
    return plain[:1] + rich[-1:]


def _decode_part(part: Message, parsed: ParsedMail) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    try:
        declared = part.get_content_charset()
    except Exception:
        declared = None
    return decode_text(data, declared, parsed.notes)


def decode_text(data: bytes, declared: str | None, notes: list[str]) -> str:
    """Bytes to text whatever the declared charset says: wrong, missing, unknown or lying."""
    if data.isascii():
        return _clean(data.decode("ascii"))
    codec = _codec_name(declared)
    if declared and codec is None:
        notes.append(f"unknown charset {declared[:40]!r}")
    if codec is None or _SINGLE_BYTE.match(codec):
        # Valid UTF-8 with multi-byte sequences is almost never really Latin-1: trust the bytes.
        try:
            text = data.decode("utf-8")
            if codec not in (None, "utf_8"):
                notes.append(f"declared {declared} but was UTF-8")
            return _clean(text)
        except UnicodeDecodeError:
            pass
    for candidate in (codec, "utf_8", "cp1252"):
        if candidate is None or candidate == "ascii":
            continue
        try:
            return _clean(data.decode(candidate))
        except (UnicodeDecodeError, LookupError):
            continue
    notes.append("text in an undetectable charset, read as Latin-1")
    return _clean(data.decode("latin-1"))


def _codec_name(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"').lower()).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def _add_attachment(
    part: Message, parsed: ParsedMail, max_bytes: int, content_type: str, disposition: str
) -> None:
    try:
        data = part.get_payload(decode=True)
        if content_type.startswith("message/"):
            inner = part.get_payload()
            inner_message = inner[0] if isinstance(inner, list) and inner else inner
            data = inner_message.as_bytes() if isinstance(inner_message, Message) else data
    except Exception:
        data = None
    if not isinstance(data, bytes) or not data:
        return
    filename = _filename(part, content_type)
    if len(data) > max_bytes:
        parsed.notes.append(
            f"attachment {filename!r} ({len(data)} bytes) is over the limit; kept in the raw mail"
        )
        return
    content_id = _first_msgid(_header(part, "Content-ID")).strip("<>") or _header(part, "Content-ID").strip(
        "<> "
    )
    parsed.attachments.append(
        ParsedAttachment(
            filename=filename,
            content_type=content_type[:120],
            data=data,
            content_id=content_id[:200],
            inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
        )
    )


def _filename(part: Message, content_type: str) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = _clean(name).replace("/", "_").replace("\\", "_").strip()
    if not name:
        extension = {"message/rfc822": ".eml", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
        name = "attachment" + extension.get(content_type, ".bin")
    return name[:255]


# --- bounces ---------------------------------------------------------------------------------------


def _delivery_report(message: Message, parsed: ParsedMail) -> DeliveryReport | None:
    """The first failed recipient of a DSN and the Message-ID of the mail it reports on."""
    fields: dict[str, str] = {}
    original = ""
    for part in message.walk():
        content_type = _content_type(part)
        if content_type == "message/delivery-status":
            fields = {**_status_fields(part), **fields}
        elif content_type in ("message/rfc822", "text/rfc822-headers") and not original:
            original = _original_message_id(part)
    if not original:
        found = re.findall(r"<fl\.[^<>\s]{1,200}>", parsed.text)
        original = found[0] if found else ""
    if not original:
        parsed.notes.append("delivery report without the original Message-ID")
        return None
    recipient = fields.get("final-recipient", fields.get("original-recipient", ""))
    return DeliveryReport(
        original_message_id=original,
        recipient=recipient.split(";")[-1].strip().lower()[:320],
        action=fields.get("action", "")[:32].lower(),
        status=fields.get("status", "")[:32],
        diagnostic=fields.get("diagnostic-code", "")[:1000],
    )


def _status_fields(part: Message) -> dict[str, str]:
    payload: Any = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    fields: dict[str, str] = {}
    for block in blocks:
        if not isinstance(block, Message):
            continue
        for name in ("final-recipient", "original-recipient", "action", "status", "diagnostic-code"):
            value = _header(block, name)
            if value and name not in fields:
                fields[name] = value
    return fields


def _original_message_id(part: Message) -> str:
    payload: Any = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return _first_msgid(_header(payload[0], "Message-ID"))
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        headers = BytesHeaderParser(policy=policy.default).parsebytes(data)
        return _first_msgid(_header(headers, "Message-ID"))
    return ""


# --- text helpers ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Repair text the parser left with surrogate escapes (raw 8-bit bytes) and drop control characters."""
    if not text.isascii() and _SURROGATE.search(text):  # isascii() is O(1) on a str
        data = text.encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _squeeze_blank_lines(text: str) -> str:
    return re.sub(r"\n[ \t]*\n([ \t]*\n)+", "\n\n", text).strip()


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    if not _QUOTE_START.match(line):
        return False
    if line.lstrip().startswith(">") or _SEPARATOR.match(line):
        return True
    if _ATTRIBUTION.match(line) or (
        index + 1 < len(lines) and _ATTRIBUTION.match(line + " " + lines[index + 1]) and line.strip()
    ):
        return True
    if _OUTLOOK_FROM.match(line):
        return any(_OUTLOOK_SENT.match(following) for following in lines[index + 1 : index + 5])
    return False


def _has_text_after_quotes(lines: list[str]) -> bool:
    """True when unquoted lines follow quoted ones: an inline answer, which must not be folded away."""
    return any(line.strip() and not line.lstrip().startswith(">") for line in lines)


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr"}
    _SKIP = {"script", "style", "head", "title", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))
