"""Fuzz the JSON API from its own /openapi.json with schemathesis (on SQLite and PostgreSQL):
no 5xx, and every response matches its documented status, content type and schema.

Positive (schema-valid) and negative (schema-violating) requests are generated for every operation,
as an officer (who may call everything) and as a retailer (scoped to its outlet).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.seed import Seed

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}


def _fuzz(app: Any, token: str, *, only: tuple[str, ...] = ()) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        if only and not any(part in operation.path for part in only):
            continue
        for mode, count in EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=count,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=True,
            )
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report
                failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:1500]}")
    return failures


def test_fuzz_api_as_officer(app, seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    failures = _fuzz(app, seeded.tokens["officer"])
    assert not failures, "\n\n".join(failures)


def test_fuzz_api_as_retailer(app, seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    failures = _fuzz(app, seeded.tokens["ret.a"], only=("observations", "outlets", "/me", "exports"))
    assert not failures, "\n\n".join(failures)
