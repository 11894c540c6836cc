"""The demo exchange's help page (public while the demo chat site exists)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from firstline.demo.service import exchange_page
from firstline.web.deps import DbSession
from firstline.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/demo/exchange", response_class=HTMLResponse)
def demo_exchange(request: Request, db: DbSession, lang: str = "en", uid: str = "") -> Response:
    """A fake exchange's help page with the chat widget; ``?lang=it`` sets the page's language and
    ``?uid=48213377`` shows it to a logged-in customer."""
    return render(request, "demo/exchange.html", page=exchange_page(db, language=lang, uid=uid))
