#!/usr/bin/env python3
"""Validate canonical records against schemas/ with Python's jsonschema (the oracle).

Input on stdin, one JSON object per line: {"schema": "person.v1.json", "doc": {...}}.
Output: a first line "datetime-checked" or "datetime-unchecked" (date-time formats need
the rfc3339-validator package), then per input line "1" (valid) or "0 [messages]".

    python3 schemas/tools/validate.py [SCHEMA_DIR] < cases.ndjson

Works with jsonschema >= 4.18 (a `referencing` registry built from the folder) and with
older releases such as Debian bookworm's python3-jsonschema 4.10 (references inlined as
allOf, which 2020-12 defines as equivalent; set SIMPUL_SCHEMA_INLINE=1 to force it).
Used by SchemaDifferentialTests; adapters' golden tests can use it the same way.
"""
import json, os, pathlib, sys
import jsonschema
from jsonschema import Draft202012Validator
folder = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
schemas = {}
for path in sorted(folder.glob("*.json")):
    schema = json.loads(path.read_text())
    schemas[schema.get("$id", path.name)] = schema
for name, schema in schemas.items():
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        sys.exit("%s is not a valid 2020-12 schema: %s" % (name, error.message))
checker = jsonschema.FormatChecker()
print("datetime-checked" if "date-time" in checker.checkers else "datetime-unchecked")
try:
    if os.environ.get("SIMPUL_SCHEMA_INLINE"):
        raise ImportError("inline path requested")
    from referencing import Registry, Resource
    registry = Registry().with_resources([(k, Resource.from_contents(v)) for k, v in schemas.items()])
    def make(name):
        return Draft202012Validator(schemas[name], registry=registry, format_checker=checker)
except ImportError:
    # No `referencing` (jsonschema < 4.18): inline every $ref as an allOf branch,
    # which 2020-12 defines as equivalent; the schemas have no reference cycles.
    def target(document, reference):
        path, _, pointer = reference.partition("#")
        document = path or document
        node = schemas[document]
        for token in [t for t in pointer.split("/") if t]:
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return document, node
    def inline(node, document):
        if isinstance(node, list):
            return [inline(item, document) for item in node]
        if not isinstance(node, dict):
            return node
        result = {k: inline(v, document) for k, v in node.items() if k not in ("$ref", "$id", "$defs")}
        if "$ref" in node:
            other, resolved = target(document, node["$ref"])
            result["allOf"] = [inline(resolved, other)]
        return result
    def make(name):
        return Draft202012Validator(inline(schemas[name], name), format_checker=checker)
validators = {}
for line in sys.stdin:
    case = json.loads(line)
    name = case["schema"]
    if name not in validators:
        validators[name] = make(name)
    errors = list(validators[name].iter_errors(case["doc"]))
    if errors:
        paths = ["/".join(str(part) for part in error.absolute_path) or "$" for error in errors]
        print("0 " + json.dumps(["%s: %s" % (path, error.message) for path, error in zip(paths, errors)]))
    else:
        print("1")
    sys.stdout.flush()
