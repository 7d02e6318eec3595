"""Request contract checking: every request is validated against the service model botocore ships
(the models AWS's SDKs are generated from) before the emulator sees it, so a request AWS would
refuse is refused here too, with the error AWS gives: HTTP 400 ValidationException naming the
member ("1 validation error detected: Value ... at '<member>' failed to satisfy constraint: ...").

Checked: required members, types, enums, string/list/map lengths, patterns, numeric ranges,
unions, unknown members; for JSON-protocol services (identified by X-Amz-Target) and REST-JSON
services (identified by the SigV4 signing name, the operation by HTTP method + requestUri
template; path, query, header and body members). Everything else passes through unchanged.

Models are loaded and indexed once per service, on first use.
"""
import base64
import json
import re
import threading
from typing import Any
from urllib.parse import parse_qs, unquote

try:  # the `regex` module understands \p{...} classes some models use; `re` is the fallback
    import regex as _re  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    _re = re  # type: ignore[misc]

import botocore.loaders

# X-Amz-Target prefix -> JSON-protocol service. Written out so that only the models actually used
# get loaded; each is checked against its model's metadata.targetPrefix when it loads.
JSON_SERVICES = {
    "AmazonSSM": "ssm",
    "DynamoDB_20120810": "dynamodb",
    "AmazonEC2ContainerRegistry_V20150921": "ecr",
    "AWSCognitoIdentityProviderService": "cognito-idp",
    "secretsmanager": "secretsmanager",
    "Route53Resolver": "route53resolver",
}
# SigV4 signing name -> REST-JSON services signed with it (checked against metadata.signingName).
REST_JSON_SERVICES = {
    "bedrock-agentcore": ["bedrock-agentcore-control", "bedrock-agentcore"],
    "lambda": ["lambda"],
}

_loader = botocore.loaders.Loader()
_lock = threading.Lock()
_models: dict[str, dict[str, Any]] = {}
# per service: (method, path regex, required literal query, specificity, operation, first segment)
_routes: dict[str, list[tuple[str, re.Pattern[str], dict[str, str], int, str, str]]] = {}
_patterns: dict[str, Any] = {}


OPAQUE = object()  # a streaming/blob payload: present, not inspected


class Refusal(Exception):
    def __init__(self, service: str, operation: str, member: str, message: str):
        super().__init__(message)
        self.service = service
        self.operation = operation
        self.member = member
        self.message = message


def _model(service: str) -> dict[str, Any]:
    with _lock:
        if service not in _models:
            _models[service] = _loader.load_service_model(service, "service-2")
        return _models[service]


def _signing_name(service: str) -> str:
    meta = _model(service)["metadata"]
    return meta.get("signingName") or meta["endpointPrefix"]


def _json_service(prefix: str) -> str | None:
    service = JSON_SERVICES.get(prefix)
    if service is not None and _model(service)["metadata"].get("targetPrefix") != prefix:
        raise RuntimeError(f"botocore's {service} model no longer has target prefix {prefix}: update JSON_SERVICES")
    return service


def _rest_services(signing: str) -> list[str]:
    services = REST_JSON_SERVICES.get(signing, [])
    for service in services:
        if _signing_name(service) != signing:
            raise RuntimeError(f"botocore's {service} model is no longer signed as {signing}: update REST_JSON_SERVICES")
    return services


def _route_table(service: str) -> list[tuple[str, re.Pattern[str], dict[str, str], int, str, str]]:
    """(method, path regex, required literal query, specificity, operation, first path segment of
    the template, "" when it is a label) per operation."""
    with _lock:
        cached = _routes.get(service)
    if cached is not None:
        return cached
    table = []
    for name, op in _model(service)["operations"].items():
        http = op.get("http") or {}
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        literal_query = {k: (v[0] if v else "") for k, v in parse_qs(query, keep_blank_values=True).items()}
        regex = ""
        literal = 0
        for part in re.split(r"(\{[^}]+\})", path):
            if part.startswith("{"):
                label = part[1:-1]
                greedy = label.endswith("+")
                label = label.rstrip("+")
                regex += f"(?P<{_group(label)}>.+)" if greedy else f"(?P<{_group(label)}>[^/]+)"
            else:
                regex += re.escape(part)
                literal += len(part)
        regex = regex.rstrip("/")
        first = _first_segment(path)
        table.append((http.get("method", "POST"), re.compile(f"^{regex}/?$"), literal_query, literal + len(literal_query), name, "" if first.startswith("{") else first))
    with _lock:
        _routes[service] = table
    return table


def _group(label: str) -> str:
    return "g_" + re.sub(r"[^A-Za-z0-9_]", "_", label)


def _pattern(p: str) -> Any:
    compiled = _patterns.get(p)
    if compiled is None:
        try:
            compiled = _re.compile(p)
        except Exception:  # a pattern this regex engine cannot read: do not check it
            compiled = False
        _patterns[p] = compiled
    return compiled


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:100] + "..."


class _Validator:
    def __init__(self, service: str, operation: str):
        self.service = service
        self.operation = operation
        self.shapes = _model(service)["shapes"]

    def refuse(self, member: str, value: Any, constraint: str) -> None:
        shown = "null" if value is None else _show(value)
        raise Refusal(
            self.service,
            self.operation,
            member,
            f"1 validation error detected: Value '{shown}' at '{member}' failed to satisfy constraint: {constraint}",
        )

    def check(self, shape_name: str, value: Any, path: str) -> None:
        if value is OPAQUE:
            return
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            if shape.get("document"):
                return
            if not isinstance(value, dict):
                self.refuse(path, value, "Member must be a structure")
            members = shape.get("members", {})
            for key in value:
                if key not in members:
                    self.refuse(f"{path}.{key}" if path else key, value[key], "Member is not part of the request shape (unknown member)")
            present = [k for k, v in value.items() if v is not None]
            if shape.get("union") and len(present) != 1:
                self.refuse(path, value, "Member must have exactly one member set (union)")
            for req in shape.get("required", []):
                if value.get(req) is None:
                    self.refuse(f"{path}.{req}" if path else req, None, "Member must not be null")
            for key in present:
                self.check(members[key]["shape"], value[key], f"{path}.{key}" if path else key)
        elif kind == "list":
            if not isinstance(value, list):
                self.refuse(path, value, "Member must be a list")
            self.length(shape, len(value), value, path)
            for i, item in enumerate(value):
                self.check(shape["member"]["shape"], item, f"{path}.{i + 1}.member")
        elif kind == "map":
            if not isinstance(value, dict):
                self.refuse(path, value, "Member must be a map")
            self.length(shape, len(value), value, path)
            for k, v in value.items():
                self.check(shape["key"]["shape"], k, f"{path}.{k}.key")
                self.check(shape["value"]["shape"], v, f"{path}.{k}.value")
        elif kind == "string":
            if not isinstance(value, str):
                self.refuse(path, value, "Member must be a string")
            if "enum" in shape and value not in shape["enum"]:
                self.refuse(path, value, f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
            self.length(shape, len(value), value, path)
            if "pattern" in shape:
                compiled = _pattern(shape["pattern"])
                # The whole value must match: AWS refuses 'my function' as a Lambda name although
                # the model's pattern matches a part of it (the services validate as Java's
                # Pattern.matches does, whatever Smithy says about anchoring).
                if compiled and not compiled.fullmatch(value):
                    self.refuse(path, value, f"Member must satisfy regular expression pattern: {shape['pattern']}")
        elif kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                self.refuse(path, value, "Member must be an integer")
            self.range(shape, value, path)
        elif kind in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.refuse(path, value, "Member must be a number")
            self.range(shape, value, path)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.refuse(path, value, "Member must be a boolean")
        elif kind == "blob":
            if not isinstance(value, str):
                self.refuse(path, value, "Member must be base64-encoded binary")
            try:
                size = len(base64.b64decode(value, validate=True))
            except ValueError:
                self.refuse(path, value, "Member must be base64-encoded binary")
            self.length(shape, size, value, path)
        elif kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                self.refuse(path, value, "Member must be a timestamp")

    def length(self, shape: dict[str, Any], size: int, value: Any, path: str) -> None:
        if "min" in shape and size < shape["min"]:
            self.refuse(path, value, f"Member must have length greater than or equal to {shape['min']}")
        if "max" in shape and size > shape["max"]:
            self.refuse(path, value, f"Member must have length less than or equal to {shape['max']}")

    def range(self, shape: dict[str, Any], value: Any, path: str) -> None:
        if "min" in shape and value < shape["min"]:
            self.refuse(path, value, f"Member must have value greater than or equal to {shape['min']}")
        if "max" in shape and value > shape["max"]:
            self.refuse(path, value, f"Member must have value less than or equal to {shape['max']}")


def _json_body(service: str, operation: str, body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except ValueError:
        raise Refusal(service, operation, "", "Request body is not valid JSON") from None


def _scalar(shape: dict[str, Any], raw: str) -> Any:
    """A path/query/header string as the type the model declares (as a service would read it)."""
    kind = shape["type"]
    if kind in ("integer", "long"):
        return int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    if kind in ("float", "double"):
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if kind == "timestamp":
        return raw
    return raw


def check_json(target: str, body: bytes) -> tuple[str, str] | None:
    """Validates an awsJson request; None when the target is not a covered service."""
    prefix, _, operation = target.partition(".")
    service = _json_service(prefix)
    if service is None:
        return None
    op = _model(service)["operations"].get(operation)
    if op is None:
        raise Refusal(service, operation, "", f"Operation {operation} is not part of {service}'s API")
    validator = _Validator(service, operation)
    value = _json_body(service, operation, body)
    if "input" in op:
        validator.check(op["input"]["shape"], value, "")
    return service, operation


_by_signing: dict[tuple[str, str, str], list[tuple[re.Pattern[str], dict[str, str], str, str]]] = {}


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _candidates(signing: str, method: str, segment: str) -> list[tuple[re.Pattern[str], dict[str, str], str, str]]:
    """Routes of the covered services signed as `signing`, for one method and first path segment,
    most specific first (so the first match wins). Built once per key."""
    key = (signing, method, segment)
    cached = _by_signing.get(key)
    if cached is not None:
        return cached
    routes = []
    for service in _rest_services(signing):
        for m, regex, literal_query, score, operation, first in _route_table(service):
            if m == method and first in ("", segment):
                routes.append((score, regex, literal_query, operation, service))
    routes.sort(key=lambda r: -r[0])
    result = [(regex, q, op, svc) for _, regex, q, op, svc in routes]
    with _lock:
        _by_signing[key] = result
    return result


def _rest_operation(signing: str, method: str, path: str, query: dict[str, list[str]]) -> tuple[str, str, dict[str, str]] | None:
    for regex, literal_query, operation, service in _candidates(signing, method, _first_segment(path)):
        match = regex.match(path)
        if match and all(k in query and (not v or query[k][0] == v) for k, v in literal_query.items()):
            return service, operation, match.groupdict()
    return None


def check_rest_json(signing: str, method: str, raw_path: str, raw_query: str, headers: dict[str, str], body: bytes) -> tuple[str, str] | None:
    """Validates a REST-JSON request; None when no covered service has a matching operation."""
    query = parse_qs(raw_query, keep_blank_values=True)
    found = _rest_operation(signing, method, raw_path, query)
    if found is None:
        return None
    service, operation, groups = found
    op = _model(service)["operations"][operation]
    if "input" not in op:
        return service, operation
    validator = _Validator(service, operation)
    shapes = validator.shapes
    input_shape = shapes[op["input"]["shape"]]
    lower_headers = {k.lower(): v for k, v in headers.items()}
    value: dict[str, Any] = {}
    payload = input_shape.get("payload")
    body_members = {}
    for name, member in input_shape.get("members", {}).items():
        location = member.get("location")
        target = shapes[member["shape"]]
        if location == "uri":
            raw = groups.get(_group(member.get("locationName", name)))
            if raw is not None:
                value[name] = _scalar(target, unquote(raw))
        elif location == "querystring":
            if target["type"] == "map":
                value[name] = {k: (v if shapes[target["value"]["shape"]]["type"] == "list" else v[0]) for k, v in query.items()}
            elif member.get("locationName", name) in query:
                raw_values = query[member.get("locationName", name)]
                if target["type"] == "list":
                    value[name] = [_scalar(shapes[target["member"]["shape"]], v) for v in raw_values]
                else:
                    value[name] = _scalar(target, raw_values[0])
        elif location == "header":
            if target["type"] == "map":
                prefix = member.get("locationName", "").lower()
                found_headers = {k[len(prefix):]: v for k, v in lower_headers.items() if prefix and k.startswith(prefix)}
                if found_headers:
                    value[name] = found_headers
            elif member.get("locationName", name).lower() in lower_headers:
                raw = lower_headers[member.get("locationName", name).lower()]
                if member.get("jsonvalue") or target.get("jsonvalue"):
                    try:
                        value[name] = json.dumps(json.loads(base64.b64decode(raw)))
                    except ValueError:
                        validator.refuse(name, raw, "Member must be base64-encoded JSON")
                else:
                    value[name] = _scalar(target, raw)
        elif location in ("headers", "statusCode"):
            continue
        elif name == payload:
            if target["type"] == "structure" and body.strip():
                value[name] = _json_body(service, operation, body)
            elif body:
                value[name] = OPAQUE  # a blob/string payload is opaque: only its presence matters
        else:
            body_members[name] = member
    if body_members and payload is None:
        parsed = _json_body(service, operation, body)
        if not isinstance(parsed, dict):
            validator.refuse("", parsed, "Request body must be a JSON object")
        for key in parsed:
            if key not in body_members:
                validator.refuse(key, parsed[key], "Member is not part of the request shape (unknown member)")
        value.update(parsed)
    elif not body_members and payload is None and body.strip() not in (b"", b"{}"):
        parsed = _json_body(service, operation, body)
        if isinstance(parsed, dict) and parsed:
            key = next(iter(parsed))
            validator.refuse(key, parsed[key], "Member is not part of the request shape (unknown member)")
    validator.check(op["input"]["shape"], value, "")
    return service, operation


def validate(service: str, operation: str, value: Any) -> Refusal | None:
    """Validates an operation's input given as its members (path, query, header and body members
    together, as botocore names them), with the same checker as the requests: the refusal, or None.
    For tests that check a request built elsewhere against the model (POST /_abca/contracts/validate)."""
    op = _model(service)["operations"].get(operation)
    if op is None:
        return Refusal(service, operation, "", f"Operation {operation} is not part of {service}'s API")
    try:
        if "input" in op:
            _Validator(service, operation).check(op["input"]["shape"], value, "")
        elif value:
            return Refusal(service, operation, "", f"Operation {operation} takes no input")
    except Refusal as refusal:
        return refusal
    return None


def signing_name_of(authorization: str) -> str | None:
    match = re.search(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request", authorization or "")
    return match.group(1) if match else None


def check_request(environ: dict[str, Any], body: bytes) -> tuple[str, str] | None:
    """The operation the request names, validated; None when not covered. Raises Refusal."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    content_type = environ.get("CONTENT_TYPE", "")
    if target and "cbor" not in content_type:
        return check_json(target, body)
    signing = signing_name_of(environ.get("HTTP_AUTHORIZATION", ""))
    if not signing:
        return None
    headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    path = path.split("?", 1)[0]
    return check_rest_json(signing, environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""), headers, body)


def error_response(refusal: Refusal) -> tuple[str, list[tuple[str, str]], bytes]:
    """AWS's shape for a validation error in both JSON protocols: the SDK raises ValidationException."""
    body: dict[str, Any] = {"__type": "ValidationException", "message": refusal.message}
    if refusal.service.startswith("bedrock-agentcore"):
        # AgentCore's ValidationException also carries reason and fieldList (both models).
        body["reason"] = "FieldValidationFailed"
        body["fieldList"] = [{"name": refusal.member, "message": refusal.message}]
    data = json.dumps(body).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1" if refusal.service in JSON_SERVICES.values() else "application/json"),
        ("x-amzn-ErrorType", "ValidationException"),
        ("x-amzn-RequestId", "abca-contract-check"),
        ("Content-Length", str(len(data))),
    ]
    return "400 Bad Request", headers, data
