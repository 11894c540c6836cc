"""The demo exchange's help page: served only while the demo chat site exists, in the page's language."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from firstline.chat.identity import sign_uid
from firstline.chat.service import create_site
from firstline.demo.seed import DEMO_CHAT_SITE_KEY, DEMO_CHAT_SITE_SECRET


def _demo_site(db: Session) -> None:
    create_site(db, name="Firstline Exchange", public_key=DEMO_CHAT_SITE_KEY, secret=DEMO_CHAT_SITE_SECRET)
    db.flush()


def _widget_tag(page: str) -> str:
    match = re.search(r"<script src=\"/static/widget/firstline-widget\.js\"[^>]*>", page)
    assert match, "the page should embed the widget"
    return match.group(0)


class TestDemoExchangePage:
    def test_without_the_demo_site_there_is_no_page(self, client: TestClient) -> None:
        response = client.get("/demo/exchange")
        assert response.status_code == 404
        assert "firstline demo" in response.text

    def test_it_embeds_the_widget_with_the_demo_site_key_and_no_inline_script(
        self, db: Session, client: TestClient
    ) -> None:
        _demo_site(db)
        response = client.get("/demo/exchange?lang=it")
        assert response.status_code == 200
        assert '<html lang="it">' in response.text
        assert "Come possiamo aiutarti?" in response.text
        tag = _widget_tag(response.text)
        assert f'data-site="{DEMO_CHAT_SITE_KEY}"' in tag and "data-identity" not in tag
        assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", response.text) == []
        assert "default-src 'self'" in response.headers["content-security-policy"]

    def test_an_unknown_language_falls_back_to_english(self, db: Session, client: TestClient) -> None:
        _demo_site(db)
        response = client.get("/demo/exchange?lang=xx")
        assert '<html lang="en">' in response.text

    def test_a_logged_in_customer_gets_an_identity_signed_with_the_site_secret(
        self, db: Session, client: TestClient
    ) -> None:
        _demo_site(db)
        tag = _widget_tag(client.get("/demo/exchange?lang=pt&uid=48213377").text)
        identity = json.loads(html.unescape(re.search(r'data-identity="([^"]+)"', tag).group(1)))  # type: ignore[union-attr]
        assert identity == {"uid": "48213377", "signature": sign_uid(DEMO_CHAT_SITE_SECRET, "48213377")}

    def test_a_malformed_uid_is_ignored(self, db: Session, client: TestClient) -> None:
        _demo_site(db)
        assert "data-identity" not in _widget_tag(client.get('/demo/exchange?uid="><script>').text)
