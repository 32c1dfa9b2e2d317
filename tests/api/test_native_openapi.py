"""The native API keeps to its own OpenAPI document under generated requests."""

from __future__ import annotations

from fastapi import FastAPI

from tests.api.openapi_support import ADMIN_KEY, check_document, whole_app

__all__ = ["whole_app"]


def test_generated_requests_get_documented_answers(whole_app: FastAPI) -> None:
    exercised = check_document(whole_app, "/api/v1", {"Authorization": f"Bearer {ADMIN_KEY}"})
    assert "POST /customers/erase" in exercised
