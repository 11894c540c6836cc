"""Imports every domain's models so metadata and migrations see all tables."""

from __future__ import annotations


def load_all_models() -> None:
    from firstline.agents import models as _agents  # noqa: F401
    from firstline.attachments import models as _attachments  # noqa: F401
    from firstline.cases import models as _cases  # noqa: F401
    from firstline.cases.complaints import models as _complaints  # noqa: F401
    from firstline.cases.incidents import models as _incidents  # noqa: F401
    from firstline.chat import models as _chat  # noqa: F401
    from firstline.conversations import models as _conversations  # noqa: F401
    from firstline.customers import models as _customers  # noqa: F401
    from firstline.email import models as _email  # noqa: F401
    from firstline.routing import models as _routing  # noqa: F401
    from firstline.sla import models as _sla  # noqa: F401
    from firstline.timeline import models as _timeline  # noqa: F401
