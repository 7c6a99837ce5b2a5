#!/usr/bin/env python3
"""Keeps docs/openapi.yaml honest about the routes the C++ code serves.

Fails (exit 1) when:
  * a route registered in the code is not documented with its method, or a documented
    (path, method) is not served by the code;
  * an API route's access level (Access::kRead/kAct/kAdmin) differs from the operation's
    `x-csgw-access` (read/act/admin), or an API operation does not require `agentToken`;
  * the error codes of base/errc.cc differ from the ErrorCode schema (codes or HTTP statuses);
  * a `$ref` does not resolve (only when PyYAML is available).

Where the routes come from:
  * the authenticated API: every `<x>.Add("METHOD", "/path", Access::kLevel, ...)` in
    gateway/**/*.cc outside tests (*_test.cc);
  * the router's fixed paths: every `path == "/..."` branch of Router::Handle in
    gateway/api/router.cc, with the method that branch accepts (`!get` -> GET,
    `method != "X"` -> X); a branch that passes every method on (the webhook prefix) takes
    its methods from the endpoint list in the header comment of gateway/api/router.h.

Standard library only, plus PyYAML when present; without it the document's `paths:` section is
read line by line (path keys indented 2 spaces, methods 4, `x-csgw-access:` 6), which is why
that section of docs/openapi.yaml keeps that regular layout.

Usage: check_openapi.py [--root DIR] [--list]
"""

import argparse
import os
import re
import sys

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
ACCESS = {"kRead": "read", "kAct": "act", "kAdmin": "admin"}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_comments(code):
    """C++ without // and /* */ comments (string literals kept; good enough for this code)."""
    out = []
    i = 0
    n = len(code)
    while i < n:
        c = code[i]
        if c == '"':
            j = i + 1
            while j < n and code[j] != '"':
                j += 2 if code[j] == "\\" else 1
            out.append(code[i:j + 1])
            i = j + 1
        elif code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def normalize(path):
    """/v1/conversations/{id}/replies -> /v1/conversations/{}/replies"""
    return re.sub(r"\{[^/}]*\}", "{}", path)


# --- the code -------------------------------------------------------------------------------

ADD_RE = re.compile(
    r'\.\s*Add\s*\(\s*"([A-Z]+)"\s*,\s*"(/[^"]*)"\s*,\s*Access::(k[A-Za-z]+)', re.S)


def api_routes(root):
    """{(METHOD, normalized path): (access, pattern, file)} for every registered API route."""
    routes = {}
    problems = []
    for base, dirs, files in os.walk(os.path.join(root, "gateway")):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".cc") or name.endswith("_test.cc"):
                continue
            path = os.path.join(base, name)
            code = strip_comments(read(path))
            for m in ADD_RE.finditer(code):
                method, pattern, access = m.group(1), m.group(2), m.group(3)
                key = (method, normalize(pattern))
                rel = os.path.relpath(path, root)
                if access not in ACCESS:
                    problems.append(f"{rel}: unknown access level Access::{access}")
                    continue
                if key in routes:
                    problems.append(f"{rel}: {method} {pattern} registered twice")
                routes[key] = (ACCESS[access], pattern, rel)
    return routes, problems


def router_header_endpoints(root):
    """{path: {METHOD, ...}} from the endpoint list comment of gateway/api/router.h."""
    out = {}
    for line in read(os.path.join(root, "gateway/api/router.h")).splitlines():
        m = re.match(r"\s*//\s+((?:[A-Z]+\|)*[A-Z]+)\s+(/\S*)", line)
        if m:
            out.setdefault(m.group(2), set()).update(m.group(1).split("|"))
    return out


def router_routes(root):
    """{(METHOD, normalized path): source} for the router's fixed paths."""
    rel = "gateway/api/router.cc"
    code = strip_comments(read(os.path.join(root, rel)))
    problems = []
    start = code.find("Router::Handle(")
    if start < 0:
        return {}, [f"{rel}: Router::Handle not found"]
    # The body of Handle: from its first '{' to the matching '}'.
    open_at = code.find("{", start)
    depth = 0
    end = open_at
    for i in range(open_at, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                end = i
                break
    body = code[open_at:end]
    prefixes = dict(re.findall(r'constexpr\s+std::string_view\s+(\w+)\s*=\s*"(/[^"]*)"', code))
    header = router_header_endpoints(root)

    # Branches: from each "if (<a path test>) {" to the next one (nested ifs stay inside).
    tests = [m for m in re.finditer(r"\bif\s*\(([^{;]*)\)\s*\{", body)
             if re.search(r'\b(?:path|p)\s*==\s*"/|\bIsWebhook\s*\(', m.group(1))]
    branches = [body[m.start():(tests[i + 1].start() if i + 1 < len(tests) else len(body))]
                for i, m in enumerate(tests)]
    routes = {}
    for branch in branches:
        head = branch.split("{", 1)[0]
        paths = re.findall(r'\b(?:path|p)\s*==\s*"(/[^"]*)"', head)
        if re.search(r"\bIsWebhook\s*\(", head):
            for prefix in prefixes.values():
                for doc_path in header:
                    if doc_path.startswith(prefix) and doc_path != prefix:
                        paths.append(doc_path)
        if not paths:
            continue
        methods = set()
        if re.search(r"!\s*get\b", branch):
            methods.add("GET")
        methods.update(re.findall(r'method\s*!=\s*"([A-Z]+)"', branch))
        for path in paths:
            found = set(methods)
            if not found:
                found = header.get(path, set())
            if not found:
                problems.append(f"{rel}: cannot tell the methods of {path} (no method test in its "
                                "branch and none in router.h's endpoint list)")
            for method in found:
                routes[(method, normalize(path))] = (None, path, rel)
    if not routes:
        problems.append(f"{rel}: no fixed paths found in Router::Handle")
    return routes, problems


def error_table(root):
    """{public code: HTTP status} from base/errc.cc."""
    code = read(os.path.join(root, "base/errc.cc"))
    return {c: int(s) for s, c in re.findall(r'\{Errc::k\w+,\s*(\d{3}),\s*"([a-z_]+)"\}', code)}


# --- the document ---------------------------------------------------------------------------

def load_document(path):
    """(document dict or None, {(METHOD, normalized path): (access, path)}, problems)."""
    text = read(path)
    try:
        import yaml  # noqa: PLC0415 (optional dependency)
    except ImportError:
        yaml = None
    if yaml is not None:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            return None, {}, [f"{path}: not valid YAML: {e}"]
        ops = {}
        for p, item in (doc.get("paths") or {}).items():
            for method, op in (item or {}).items():
                if method in METHODS:
                    ops[(method.upper(), normalize(p))] = (op or {}, p)
        return doc, ops, []
    return None, read_paths_by_lines(text), []


def read_paths_by_lines(text):
    """The paths section of our own layout, without a YAML library."""
    ops = {}
    in_paths = False
    path = None
    current = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            in_paths = line.startswith("paths:")
            continue
        if not in_paths:
            continue
        if indent == 2:
            m = re.match(r"\s{2}['\"]?(/[^'\":]*)['\"]?:\s*$", line)
            path = m.group(1) if m else None
            current = None
        elif indent == 4 and path:
            m = re.match(r"\s{4}([a-z]+):", line)
            if m and m.group(1) in METHODS:
                current = {}
                ops[(m.group(1).upper(), normalize(path))] = (current, path)
            else:
                current = None
        elif indent == 6 and current is not None:
            m = re.match(r"\s{6}x-csgw-access:\s*(\w+)", line)
            if m:
                current["x-csgw-access"] = m.group(1)
            if re.match(r"\s{6}security:", line):
                current["security"] = "?"  # presence only; the scheme is on the next line
        elif indent == 8 and current is not None and current.get("security") == "?":
            m = re.match(r"\s{8}-\s*(\w+):", line)
            if m:
                current["security"] = [{m.group(1): []}]
    return ops


def unresolved_refs(doc):
    missing = []

    def resolve(ref):
        node = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "$ref" and isinstance(v, str):
                    if not v.startswith("#/") or not resolve(v):
                        missing.append(v)
                else:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
    return sorted(set(missing))


# --- the check ------------------------------------------------------------------------------

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.dirname(here), help="the source tree")
    parser.add_argument("--list", action="store_true", help="print the routes found in the code")
    args = parser.parse_args()
    root = args.root
    doc_path = os.path.join(root, "docs", "openapi.yaml")

    problems = []
    api, p1 = api_routes(root)
    fixed, p2 = router_routes(root)
    problems += p1 + p2
    code_routes = dict(fixed)
    for key, value in api.items():
        if key in code_routes:
            problems.append(f"{key[0]} {value[1]} is both a router path and an API route")
        code_routes[key] = value

    if args.list:
        for (method, _), (access, pattern, src) in sorted(code_routes.items(),
                                                           key=lambda kv: (kv[1][1], kv[0][0])):
            print(f"{method:6} {pattern:40} {access or '-':6} {src}")

    doc, ops, p3 = load_document(doc_path)
    problems += p3
    if p3:
        return report(problems)

    for key, (access, pattern, src) in sorted(code_routes.items()):
        method = key[0]
        if key not in ops:
            problems.append(f"undocumented: {method} {pattern} ({src}) is not in docs/openapi.yaml")
            continue
        op, doc_path_key = ops[key]
        documented = op.get("x-csgw-access")
        if access is None:
            if documented is not None:
                problems.append(f"{method} {doc_path_key}: x-csgw-access given for a router path "
                                "that needs no API token")
            continue
        if documented != access:
            problems.append(f"{method} {doc_path_key}: x-csgw-access is {documented!r}, the code "
                            f"registers Access::{[k for k, v in ACCESS.items() if v == access][0]} "
                            f"({access})")
        security = op.get("security") or []
        if not any(isinstance(s, dict) and "agentToken" in s for s in security):
            problems.append(f"{method} {doc_path_key}: an API route must require agentToken")
    for key, (op, doc_path_key) in sorted(ops.items()):
        if key not in code_routes:
            problems.append(f"stale: {key[0]} {doc_path_key} is documented but no code serves it")

    table = error_table(root)
    if not table:
        problems.append("base/errc.cc: no error table rows found")
    elif doc is not None:
        schema = (((doc.get("components") or {}).get("schemas") or {}).get("ErrorCode") or {})
        enum = schema.get("enum") or []
        statuses = schema.get("x-csgw-http-status") or {}
        if sorted(enum) != sorted(table):
            problems.append("ErrorCode.enum differs from base/errc.cc: missing "
                            f"{sorted(set(table) - set(enum))}, extra {sorted(set(enum) - set(table))}")
        for code, status in sorted(table.items()):
            if statuses.get(code) != status:
                problems.append(f"ErrorCode x-csgw-http-status.{code} is {statuses.get(code)}, "
                                f"base/errc.cc says {status}")
            if f"{code} {status}" not in (schema.get("description") or ""):
                problems.append(f"ErrorCode description does not list '{code} {status}'")
        for ref in unresolved_refs(doc):
            problems.append(f"unresolved $ref {ref}")
        try:  # the full OpenAPI 3.0 schema check, where the validator happens to be installed
            from openapi_spec_validator import validate  # noqa: PLC0415
        except ImportError:
            validate = None
        if validate is not None:
            try:
                validate(doc)
            except Exception as e:  # noqa: BLE001 (the validator's own error types vary)
                problems.append(f"not a valid OpenAPI document: {str(e).splitlines()[0]}")
    else:
        text = read(doc_path)
        for code in table:
            if not re.search(rf"^\s*- {code}\s*$", text, re.M):
                problems.append(f"ErrorCode enum lacks {code}")

    if doc is None:
        print("check_openapi: PyYAML not available, read paths line by line", file=sys.stderr)
    for note in unwired(root, api):
        print(f"check_openapi: note: {note}", file=sys.stderr)
    return report(problems, len(code_routes))


def unwired(root, api):
    """Route files whose Add*Routes function gateway/app.cc does not call (informational: such
    routes are documented but a running gateway does not serve them yet)."""
    app_path = os.path.join(root, "gateway", "app.cc")
    if not os.path.exists(app_path):
        return []
    app = strip_comments(read(app_path))
    notes = []
    for src in sorted({src for _, _, src in api.values()}):
        code = strip_comments(read(os.path.join(root, src)))
        for fn in sorted(set(re.findall(r"^void\s+(Add\w*Routes)\s*\(", code, re.M))):
            if not re.search(rf"\b{fn}\s*\(", app):
                notes.append(f"{fn} ({src}) is not called from gateway/app.cc")
    return notes


def report(problems, count=0):
    if problems:
        for p in problems:
            print(f"check_openapi: {p}", file=sys.stderr)
        print(f"check_openapi: {len(problems)} problem(s); docs/openapi.yaml must list every "
              "route the code serves, with its method and access level", file=sys.stderr)
        return 1
    print(f"check_openapi: {count} routes documented, error table in sync")
    return 0


if __name__ == "__main__":
    sys.exit(main())
