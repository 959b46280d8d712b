#!/usr/bin/env python3
"""Generates Sources/KubeSchema/EmbeddedSchemas.swift: the Kubernetes JSON schemas of the
built-in kinds for the supported minor versions, compact and deterministic.

Source: the PyPI package kubernetes-validate (pinned below, sha256 checked), which ships
`kubernetes_validate/kubernetes-json-schema/v1.NN.0-local-strict/_definitions.json`: JSON
schemas generated from the upstream OpenAPI, strict (`additionalProperties: false`).

What is kept: every resource kind (definitions carrying `x-kubernetes-group-version-kind`,
except `*List` kinds and the meta/v1 request kinds) and the definitions they reach. Each
definition is reduced to what the validator reads (type, nullable, properties,
additionalProperties, required, items, enum, format; `oneOf` of plain types becomes a type
list); descriptions and patch/list hints are dropped. A definition that is identical in
several versions is stored once: `defs[name]` is a list of variants and `index[version]`
says which variant each version uses (-1: absent).

Output: a Swift file with the gzip (mtime 0) of the sorted-key JSON as base64 and its
sha256. Running the script twice gives identical bytes.

Usage: scripts/gen-k8s-schemas.py [--wheel PATH] [--out FILE]
  Without --wheel the wheel is fetched with `pip download --no-deps`.
"""
import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "kubernetes-validate"
VERSION = "1.37.0"
WHEEL = "kubernetes_validate-1.37.0-py3-none-any.whl"
WHEEL_SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
# Kubernetes minors the tool validates against (spec.kubernetes.minVersion is clamped into this range).
MINORS = list(range(30, 37))
DEFAULT_OUT = os.path.join(os.path.dirname(__file__), "..", "Sources", "KubeSchema", "EmbeddedSchemas.swift")

# meta/v1 kinds that are request/response envelopes, never objects a user applies.
SKIP_DEFS_PREFIX = "io.k8s.apimachinery."


def fetch_wheel(path):
    if path is None:
        tmp = tempfile.mkdtemp(prefix="kv-")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "-d", tmp, f"{PACKAGE}=={VERSION}"], check=True)
        path = os.path.join(tmp, WHEEL)
    data = open(path, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"gen-k8s-schemas: {path} has sha256 {digest}, expected {WHEEL_SHA256}")
    return zipfile.ZipFile(io.BytesIO(data))


def ref_name(ref):
    # "#/$defs/NAME" or "/api/_definitions.json#/$defs/NAME"
    return ref.rsplit("/", 1)[-1]


def simple_types(schema):
    t = schema.get("type")
    return [t] if isinstance(t, str) else list(t or [])


def normalize(s):
    """The validator's view of one schema node (dict with sorted keys once dumped)."""
    if "$ref" in s:
        return {"$ref": ref_name(s["$ref"])}
    out = {}
    types = simple_types(s)
    if "oneOf" in s and all(set(o.keys()) <= {"type", "description"} for o in s["oneOf"]):
        for o in s["oneOf"]:
            types += simple_types(o)
    nullable = "null" in types
    types = sorted(set(t for t in types if t != "null"))
    if types:
        out["type"] = types
    if nullable:
        out["nullable"] = True
    if "properties" in s:
        out["properties"] = {k: normalize(v) for k, v in s["properties"].items()}
    ap = s.get("additionalProperties")
    if ap is False:
        out["additionalProperties"] = False
    elif isinstance(ap, dict):
        out["additionalProperties"] = normalize(ap)
    if "items" in s and isinstance(s["items"], dict):
        out["items"] = normalize(s["items"])
    if s.get("required"):
        out["required"] = sorted(s["required"])
    if "enum" in s:
        out["enum"] = [e for e in s["enum"] if e is not None]
    fmt = s.get("format")
    if fmt == "int-or-string" or s.get("x-kubernetes-int-or-string"):
        out["x-kubernetes-int-or-string"] = True
    for key in ("x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource"):
        if s.get(key):
            out[key] = True
    return out


TYPE_BITS = {"boolean": 1, "integer": 2, "number": 4, "string": 8, "array": 16, "object": 32}


def compact(node, name_index):
    """The stored form: one-letter keys, types as a bit set, refs as indices into `names`,
    nullable by default (the Swift side parses this once per process, so its size is start-up
    time). Keys: $ ref, t types, x not nullable, p properties, a additionalProperties (0 = false),
    i items, r required, e enum, u preserve-unknown-fields, m embedded-resource."""
    if "$ref" in node:
        return {"$": name_index[node["$ref"]]}
    out = {}
    bits = 0
    for t in node.get("type", []):
        bits |= TYPE_BITS[t]
    if node.get("x-kubernetes-int-or-string"):
        bits = TYPE_BITS["integer"] | TYPE_BITS["string"]
    if bits:
        out["t"] = bits
    if not node.get("nullable"):
        out["x"] = 1  # not nullable (rare in these schemas: nullable is the default here)
    if "properties" in node:
        out["p"] = {k: compact(v, name_index) for k, v in node["properties"].items()}
    ap = node.get("additionalProperties")
    if ap is False:
        out["a"] = 0
    elif isinstance(ap, dict):
        out["a"] = compact(ap, name_index)
    if "items" in node:
        out["i"] = compact(node["items"], name_index)
    if node.get("required"):
        out["r"] = node["required"]
    if node.get("enum"):
        out["e"] = node["enum"]
    if node.get("x-kubernetes-preserve-unknown-fields"):
        out["u"] = 1
    if node.get("x-kubernetes-embedded-resource"):
        out["m"] = 1
    return out


def refs(node, acc):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                acc.add(v)
            else:
                refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            refs(v, acc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel")
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    wheel = fetch_wheel(args.wheel)

    kinds = {}          # "group/version/Kind" -> definition name
    per_version = {}    # "1.NN" -> {name: normalized}
    for minor in MINORS:
        member = f"kubernetes_validate/kubernetes-json-schema/v1.{minor}.0-local-strict/_definitions.json"
        defs = json.loads(wheel.read(member))["$defs"]
        roots = []
        for name, d in defs.items():
            if name.startswith(SKIP_DEFS_PREFIX):
                continue
            for gvk in d.get("x-kubernetes-group-version-kind", []):
                if gvk["kind"].endswith("List"):
                    continue
                key = f'{gvk["group"]}/{gvk["version"]}/{gvk["kind"]}'
                if kinds.setdefault(key, name) != name:
                    sys.exit(f"gen-k8s-schemas: {key} names two definitions")
                roots.append(name)
        kept = {}
        todo = list(roots)
        while todo:
            name = todo.pop()
            if name in kept:
                continue
            kept[name] = normalize(defs[name])
            acc = set()
            refs(kept[name], acc)
            todo.extend(acc - kept.keys())
        per_version[f"1.{minor}"] = kept

    names = sorted(set().union(*[v.keys() for v in per_version.values()]))
    variants = {n: [] for n in names}
    index = {}
    for version, kept in per_version.items():
        row = []
        for n in names:
            if n not in kept:
                row.append(-1)
                continue
            text = json.dumps(kept[n], sort_keys=True)
            texts = [json.dumps(v, sort_keys=True) for v in variants[n]]
            if text not in texts:
                variants[n].append(kept[n])
                texts.append(text)
            row.append(texts.index(text))
        index[version] = row

    name_index = {n: i for i, n in enumerate(names)}
    payload = {
        "source": f"{PACKAGE}=={VERSION}",
        "versions": list(per_version.keys()),
        "names": names,
        "defs": [[compact(v, name_index) for v in variants[n]] for n in names],
        "index": index,
        "kinds": kinds,
    }
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
        gz.write(raw)
    blob = buf.getvalue()
    digest = hashlib.sha256(blob).hexdigest()
    b64 = base64.b64encode(blob).decode()
    lines = [b64[i:i + 120] for i in range(0, len(b64), 120)]

    swift = [
        "// Generated by scripts/gen-k8s-schemas.py; do not edit. Regenerate with that script.",
        f"// Source: PyPI {PACKAGE}=={VERSION} ({WHEEL}, sha256 {WHEEL_SHA256}),",
        "// kubernetes-json-schema/v1.NN.0-local-strict/_definitions.json.",
        f"// Kubernetes {per_version and list(per_version)[0]}-{list(per_version)[-1]}: {len(kinds)} kinds, "
        f"{len(names)} definitions, {sum(len(v) for v in variants.values())} variants; "
        f"{len(raw)} bytes of JSON, {len(blob)} gzipped.",
        "",
        "enum EmbeddedSchemas {",
        f'    static let source = "{PACKAGE}=={VERSION}"',
        f'    /// sha256 of the gzip bytes that `gzipBase64` decodes to (checked by KubeSchemaTests).',
        f'    static let sha256 = "{digest}"',
        f"    static let uncompressedSize = {len(raw)}",
        '    static let gzipBase64 = """',
    ]
    swift += lines
    swift += ['"""', "}", ""]
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", newline="\n") as f:
        f.write("\n".join(swift))
    print(f"gen-k8s-schemas: wrote {out}: {len(kinds)} kinds, {len(names)} definitions, "
          f"{len(raw)} bytes JSON, {len(blob)} bytes gzip, {len(b64)} bytes base64, sha256 {digest}")


if __name__ == "__main__":
    main()
