"""JSON Schemas of every file the runner reads or writes, generated from the models.
`schemas/` holds them checked in; a test fails when they drift."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .models.contract import Contract
from .models.run import Attempt, Run
from .models.workflow import Config, Workflow


def models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {
        "run": Run, "attempt": Attempt, "contract": Contract, "workflow": Workflow, "config": Config,
    }
    try:
        from .models import decision  # noqa: F401  (added by the human-in-the-loop records)

        found.update(decision.SCHEMA_MODELS)
    except ImportError:
        pass
    from .models import patch, recast

    found.update(recast.SCHEMA_MODELS)
    found.update(patch.SCHEMA_MODELS)
    try:
        from .models import media

        found.update(media.SCHEMA_MODELS)
    except ImportError:
        pass
    return found


def generate() -> dict[str, dict]:
    out = {}
    for name, model in sorted(models().items()):
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://runner.dev/schemas/{name}.schema.json"
        out[name] = schema
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = directory / f"{name}.schema.json"
        path.write_text(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write(Path(__file__).resolve().parent.parent / "schemas"):
        print(p)
