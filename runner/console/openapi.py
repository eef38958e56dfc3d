"""The console API's OpenAPI document, generated from the routes and the msgspec types
they take and return. docs/openapi.json is this document, checked in; a test fails when
the two differ. Regenerate: python -m runner.console.openapi > docs/openapi.json"""

from __future__ import annotations

import sys

from runner import jsonio


def document() -> dict:
    from runner.console.app import create_app

    return create_app(None).openapi_schema.to_schema()


def text() -> str:
    """Canonical JSON (keys sorted, indent 2, newline), as every file the runner writes."""
    return jsonio.dumps(document())


if __name__ == "__main__":
    sys.stdout.write(text())
