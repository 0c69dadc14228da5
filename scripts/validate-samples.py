#!/usr/bin/env python3
"""Validates every accepted event's `data` in golden files against its JSON Schema.

Usage: validate-samples.py SCHEMAS_DIR FILE.jsonl...   (exit 1 on the first invalid data)
Lines are `simpul adapters test --json` output; the schema is the event's `dataschema`.
"""
import json, pathlib, sys
import jsonschema
from referencing import Registry, Resource

schemas_dir = pathlib.Path(sys.argv[1])
resources = []
for path in schemas_dir.glob("*.json"):
    doc = json.loads(path.read_text())
    resources.append((doc.get("$id", path.name), Resource.from_contents(doc)))
registry = Registry().with_resources(resources)
checked = 0
failures = 0
for name in sys.argv[2:]:
    for number, line in enumerate(pathlib.Path(name).read_text().splitlines(), 1):
        result = json.loads(line)
        if not result["ok"]:
            continue
        event = result["event"]
        schema_name = pathlib.Path(event["dataschema"]).name
        schema = json.loads((schemas_dir / schema_name).read_text())
        validator = jsonschema.Draft202012Validator(schema, registry=registry,
                                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        errors = list(validator.iter_errors(event["data"]))
        checked += 1
        for error in errors:
            failures += 1
            print(f"{name}:{number}: {list(error.absolute_path)}: {error.message}")
print(f"checked {checked} events, {failures} schema errors")
sys.exit(1 if failures else 0)
