"""Shared pieces of the JSON API: id path parameters and pagination."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**62  # larger ids cannot exist; refusing them early keeps them out of the database driver

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric id")]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]
