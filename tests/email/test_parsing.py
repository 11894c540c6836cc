"""The parser reads every mail of the corpus correctly and never raises, whatever the bytes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firstline.email.parsing import parse_mail, split_quoted, subject_key
from tests.email.conftest import corpus

LIMIT = 10 * 1024 * 1024


def parse(name: str, **placeholders: str):  # type: ignore[no-untyped-def]
    return parse_mail(corpus(name, **placeholders), max_attachment_bytes=LIMIT)


class TestHeaders:
    def test_rfc2047_headers_in_several_charsets_are_decoded(self) -> None:
        mail = parse("rfc2047_headers.eml")
        assert mail.sender_name == "François Lévesque"
        assert mail.subject == "Compte gelé après connexion"
        assert mail.sender == "francois@example.fr"

    def test_the_sender_address_is_lower_cased_and_the_language_read(self) -> None:
        mail = parse("multipart_alternative.eml")
        assert mail.sender == "joao.silva@example.com"
        assert mail.sender_name == "João Silva"
        assert mail.content_language == "pt"
        assert mail.subject == "Depósito USDT não creditado"

    def test_raw_eight_bit_utf8_headers_are_repaired(self) -> None:
        assert (
            parse("outlook_reply.eml", TOKEN_ADDRESS="support@exchange.example").subject
            == "RE: Depósito USDT"
        )

    def test_references_and_in_reply_to_are_read(self) -> None:
        mail = parse("changed_subject_reply.eml", OUR_MESSAGE_ID="<fl.abc@exchange.example>")
        assert mail.in_reply_to == "<fl.abc@exchange.example>"
        assert mail.references == ["<fl.abc@exchange.example>"]


class TestCharsets:
    def test_a_body_declared_latin1_but_written_in_utf8_is_read_as_utf8(self) -> None:
        mail = parse("wrong_charset.eml")
        assert "Grüße" in mail.text and "hängt" in mail.text
        assert any("UTF-8" in note for note in mail.notes)

    def test_a_body_without_charset_in_windows_1252_is_read(self) -> None:
        assert "¿Qué documento falta?" in parse("missing_charset.eml").text

    def test_an_unknown_charset_falls_back_and_says_so(self) -> None:
        mail = parse("unknown_charset.eml")
        assert "Mon dépôt n'est pas arrivé" in mail.text
        assert any("unknown charset" in note for note in mail.notes)


class TestBodies:
    def test_multipart_alternative_keeps_the_plain_text_and_sanitizes_the_html(self) -> None:
        mail = parse("multipart_alternative.eml")
        assert mail.text.startswith("Olá, enviei 250 USDT pela rede TRC20")
        assert "<b>250 USDT</b>" in mail.html
        for unsafe in ("<script", "onclick", "javascript:", "<style", "tracker.example", "<img"):
            assert unsafe not in mail.html
        assert 'href="https://tronscan.org/#/transaction/7f3a9c0d2e"' in mail.html

    def test_nested_multiparts_give_the_text_an_inline_image_and_an_attachment(self) -> None:
        mail = parse("nested_multipart.eml")
        assert mail.text == "Buongiorno, il mio prelievo è in sospeso da tre giorni. Allego lo screenshot."
        by_name = {a.filename: a for a in mail.attachments}
        assert by_name["screenshot.png"].inline and by_name["screenshot.png"].content_id == "shot1@example.it"
        assert by_name["screenshot.png"].data.startswith(b"\x89PNG")
        assert (
            not by_name["estratto.pdf"].inline and by_name["estratto.pdf"].content_type == "application/pdf"
        )

    def test_an_attachment_over_the_limit_is_left_out_with_a_note(self) -> None:
        mail = parse_mail(corpus("nested_multipart.eml"), max_attachment_bytes=100)
        assert [a.filename for a in mail.attachments] == ["screenshot.png"]
        assert any("estratto.pdf" in note for note in mail.notes)

    def test_an_html_only_mail_gets_a_text_version(self) -> None:
        raw = b"From: a@example.com\nContent-Type: text/html\n\n<p>Hello</p><p>World<br>again</p><script>x()</script>"
        mail = parse_mail(raw, max_attachment_bytes=LIMIT)
        assert mail.text == "Hello\n\nWorld\nagain"


class TestQuotedHistory:
    def test_an_outlook_reply_shows_the_new_part_and_folds_the_history(self) -> None:
        mail = parse("outlook_reply.eml", TOKEN_ADDRESS="support@exchange.example")
        assert mail.new_text == "Obrigado, o depósito já apareceu."
        assert mail.quoted_text.startswith("From: Exchange Support")

    def test_an_attribution_line_starts_the_quoted_history(self) -> None:
        new, quoted = split_quoted("Thanks!\n\nOn Tue, 24 Nov 2026, Support wrote:\n> Hello")
        assert (new, quoted) == ("Thanks!", "On Tue, 24 Nov 2026, Support wrote:\n> Hello")

    def test_an_answer_between_quoted_lines_is_kept_whole(self) -> None:
        text = "Hi\n> Which network?\nTRC20\n> Amount?\n250 USDT"
        assert split_quoted(text) == (text, "")

    def test_a_mail_that_is_only_a_quote_is_kept_whole(self) -> None:
        assert split_quoted("> only quoted") == ("> only quoted", "")


class TestAutomation:
    def test_an_auto_reply_is_recognized(self) -> None:
        assert parse("auto_reply.eml").automated_reason.startswith("Auto-Submitted")

    def test_a_mailing_list_mail_is_recognized(self) -> None:
        assert parse("mailing_list.eml").is_automated

    def test_a_persons_mail_is_not_automated(self) -> None:
        assert not parse("multipart_alternative.eml").is_automated

    def test_a_bounce_names_the_mail_it_reports_on(self) -> None:
        report = parse("dsn_bounce.eml", OUR_MESSAGE_ID="<fl.42@exchange.example>").report
        assert report is not None
        assert report.original_message_id == "<fl.42@exchange.example>"
        assert (report.recipient, report.action, report.status) == (
            "joao.silva@example.com",
            "failed",
            "5.1.1",
        )
        assert "User unknown" in report.diagnostic


class TestSubjectKey:
    def test_reply_and_forward_prefixes_and_tags_are_stripped(self) -> None:
        assert subject_key("RE: AW: Fwd: [FL-000123] Depósito  USDT") == "depósito usdt"

    def test_a_plain_subject_is_only_lower_cased(self) -> None:
        assert subject_key("Withdrawal pending") == "withdrawal pending"


class TestNeverRaises:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=4000))
    def test_no_byte_sequence_raises_out_of_the_parser(self, raw: bytes) -> None:
        parse_mail(raw, max_attachment_bytes=1000)

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.sampled_from(
                [b"From: a@b.c\n", b"Content-Type: multipart/mixed; boundary=X\n", b"--X\n", b"--X--\n",
                 b"Content-Type: text/plain; charset=utf-16\n", b"Content-Transfer-Encoding: base64\n",
                 b"Content-Type: message/rfc822\n", b"Content-Type: multipart/report; report-type=delivery-status\n",
                 b"Content-Type: message/delivery-status\n", b"Subject: =?x-bad?q?=FF?=\n", b"\n", b"\xff\xfe\x00",
                 b"=?utf-8?b?////?=\n", b"Content-Disposition: attachment; filename*=bad''%FF\n"]
            ),
            max_size=40,
        )
    )  # fmt: skip
    def test_no_mix_of_mime_structure_raises_out_of_the_parser(self, pieces: list[bytes]) -> None:
        parse_mail(b"".join(pieces), max_attachment_bytes=1000)
