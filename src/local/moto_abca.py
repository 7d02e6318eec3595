"""Run moto server held closer to AWS's contracts. Usage: python3 moto_abca.py -H 127.0.0.1 -p 0

1. Atomic requests. moto serves requests on threads and checks a DynamoDB condition (or takes the
next SSM version) and then writes, without a lock: under load two racing conditional writes were
seen to both succeed, which AWS never allows. We serialize request handling, so every call is
atomic, as in AWS (the emulator's calls are short; nothing waits inside one).

2. A faithful AgentCore control plane for runtimes and endpoints (emulator/agentcore_control.py,
spec in docs/agentcore-emulator.md): immutable versions, whole-configuration updates, conflicts,
clientToken replay, the DEFAULT endpoint following the latest version with a lag. How long
UPDATING lasts is moto's state manager's (POST /moto-api/state-manager/set-transition, models
"bedrock-agentcore-control::agent_runtime" and "bedrock-agentcore-control::agent_runtime_endpoint").

3. SSM AllowedPattern is enforced on PutParameter (emulator/ssm_patterns.py), as AWS does. ECR's
layer API (upload, availability, download) and PutImage's checks of what a manifest references
and of its digest (emulator/ecr_layers.py), as the ECR API reference says. DNS Firewall domain
lists with their states, UPDATING then COMPLETE, a further update while UPDATING refused with
ConflictException (emulator/route53resolver_states.py; model "route53resolver::firewall_domain_list").

4. Contract checking (emulator/contracts.py): every request to a covered service is validated
against botocore's service model first; one AWS would refuse gets AWS's 400 ValidationException.
ABCA_CONTRACT_CHECK=off disables it; ABCA_CONTRACT_LOG=<file> appends each refusal as a JSON line.

4b. Cognito SRP sign-in verifies the password proof (emulator/cognito_srp.py): moto accepts any.

5. IAM is not enforced here: when the launcher (src/local/moto.ts) is given the stack's policies,
a Node proxy in front of this server authorizes each request first (src/local/iam/, see
docs/local-mode.md "IAM enforcement"), and this server only sees allowed requests.

6. Test controls under /_abca/ (never an AWS route):
   POST /_abca/agentcore/fail-next-update {"agentRuntimeId": ..., "reason": ...}
       the runtime's next UpdateAgentRuntime ends UPDATE_FAILED with that failureReason.
   POST /_abca/agentcore/hide-next-version {"agentRuntimeId": ..., "calls": N, "seconds": S}
       the version the runtime's next UpdateAgentRuntime creates answers GetAgentRuntime of that
       version with ResourceNotFoundException for N reads and/or S seconds (eventual consistency).
   GET /_abca/contracts/stats: requests checked, refused, and the time spent checking.
   POST /_abca/contracts/validate {"service": ..., "operation": ..., "input": {...}}: the same
       check of an operation's input (all its members, path ones included, by model name) without
       sending it: {"ok": true} or {"ok": false, "member": ..., "message": ...} (400 when the
       service's model does not load).
   GET /_abca/ecr/layer?account=&region=&repository=&digest=: a layer's bytes, the URL that
       GetDownloadUrlForLayer answers (emulator/ecr_layers.py).
   GET /_abca/agentcore/resolve?runtime=<runtime ARN>&qualifier=<endpoint name, default DEFAULT>
       what that endpoint serves now: {"version", "containerUri", "config"} of its liveVersion
       (404 when the runtime or endpoint does not exist or has no live version yet).
"""
import io
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import moto.server  # noqa: E402
from moto.moto_api import state_manager  # noqa: E402

from emulator import agentcore_control, cognito_srp, contracts, ecr_layers, route53resolver_states, ssm_patterns  # noqa: E402

agentcore_control.install()
cognito_srp.install()
cognito_srp.install_revoke_token()
ecr_layers.install()
route53resolver_states.install()
ssm_patterns.install()

_request_lock = threading.Lock()
_CHECK = os.environ.get("ABCA_CONTRACT_CHECK", "on") != "off"
_LOG = os.environ.get("ABCA_CONTRACT_LOG")
_stats = {"checked": 0, "refused": 0, "seconds": 0.0}
_run_simple = moto.server.run_simple


def _json_response(start_response, status: int, body: dict) -> list:
    data = json.dumps(body, default=str).encode()
    start_response(f"{status} {'OK' if status < 400 else 'Error'}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _resolve(environ, start_response):
    from urllib.parse import parse_qs

    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    arn = query.get("runtime", "")
    parts = arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("runtime/"):
        return _json_response(start_response, 400, {"message": "runtime must be a runtime ARN"})
    served = agentcore_control.resolve(parts[4], parts[3], arn, query.get("qualifier"))
    if served is None:
        return _json_response(start_response, 404, {"message": f"nothing served for {arn} qualifier {query.get('qualifier', 'DEFAULT')}"})
    uri = ((served["config"].get("agentRuntimeArtifact") or {}).get("containerConfiguration") or {}).get("containerUri")
    return _json_response(start_response, 200, {"version": served["version"], "containerUri": uri, "config": served["config"]})


def _layer(environ, start_response):
    """The blob behind a GetDownloadUrlForLayer URL (emulator/ecr_layers.py, rule E4)."""
    from urllib.parse import parse_qs

    q = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    data = ecr_layers.blob(q.get("account", ""), q.get("region", ""), q.get("repository", ""), q.get("digest", ""))
    if data is None:
        return _json_response(start_response, 404, {"message": "no such layer"})
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(data)))])
    return [data]


def _validate(body, start_response):
    """The contract checker on an input given as data (tests check requests built elsewhere)."""
    service, operation = body.get("service"), body.get("operation")
    if not isinstance(service, str) or not isinstance(operation, str) or "input" not in body:
        return _json_response(start_response, 400, {"message": "service, operation and input are required"})
    try:
        refusal = contracts.validate(service, operation, body["input"])
    except Exception as e:  # noqa: BLE001 - an unknown service: botocore raises its own error types
        return _json_response(start_response, 400, {"message": f"cannot load {service}: {e!r}"})
    if refusal is None:
        return _json_response(start_response, 200, {"ok": True})
    return _json_response(start_response, 200, {"ok": False, "member": refusal.member, "message": refusal.message})


def _controls(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/_abca/agentcore/resolve":
        return _resolve(environ, start_response)
    if path == "/_abca/ecr/layer":
        return _layer(environ, start_response)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        return _json_response(start_response, 400, {"message": "body is not JSON"})
    if path == "/_abca/contracts/stats":
        return _json_response(start_response, 200, _stats)
    if path == "/_abca/contracts/validate":
        return _validate(body, start_response)
    if path == "/_abca/agentcore/fail-next-update" and body.get("agentRuntimeId"):
        agentcore_control.Controls.fail_next_update[body["agentRuntimeId"]] = body.get("reason") or "update failed (emulator fault injection)"
        return _json_response(start_response, 200, {"ok": True})
    if path == "/_abca/agentcore/hide-next-version" and body.get("agentRuntimeId"):
        agentcore_control.Controls.hide_next_version[body["agentRuntimeId"]] = {
            "calls": int(body.get("calls") or 0),
            "seconds": float(body.get("seconds") or 0),
        }
        return _json_response(start_response, 200, {"ok": True})
    return _json_response(start_response, 404, {"message": f"unknown control {path}"})


def _read_body(environ) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = environ["wsgi.input"].read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = environ["wsgi.input"].read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _checked(environ, start_response):
    """None when the request may go on to moto; else the refusal, already answered."""
    started = time.perf_counter()
    try:
        found = contracts.check_request(environ, _read_body(environ))
        if found is not None:
            _stats["checked"] += 1
        return None
    except contracts.Refusal as refusal:
        _stats["refused"] += 1
        line = json.dumps({"service": refusal.service, "operation": refusal.operation, "member": refusal.member, "message": refusal.message})
        print(f"contract refusal: {line}", file=sys.stderr)
        if _LOG:
            with open(_LOG, "a") as f:
                f.write(line + "\n")
        status, headers, data = contracts.error_response(refusal)
        start_response(status, headers)
        return [data]
    except Exception as crash:  # a checker bug must be loud, never a silently unchecked request
        print(f"contract checker crashed: {crash!r}", file=sys.stderr)
        return _json_response(start_response, 500, {"__type": "InternalFailure", "message": f"ABCA contract checker crashed: {crash!r}"})
    finally:
        _stats["seconds"] += time.perf_counter() - started


def _serialized(app):
    def handle(environ, start_response):
        with _request_lock:
            path = environ.get("PATH_INFO", "")
            if path.startswith("/_abca/"):
                return _controls(environ, start_response)
            if path == "/moto-api/reset":
                # A reset starts a suite afresh: armed faults and AgentCore delays go too.
                agentcore_control.Controls.clear()
                for model in (agentcore_control.RUNTIME_MODEL, agentcore_control.ENDPOINT_MODEL, route53resolver_states.MODEL):
                    state_manager.unset_transition(model)
            if _CHECK and not path.startswith("/moto-api"):
                refused = _checked(environ, start_response)
                if refused is not None:
                    return refused
            # Materialize the body inside the lock: the write is complete before the next request.
            return list(app(environ, start_response))

    return handle


def _exit_now(signum, frame):
    # moto's handler calls sys.exit, and interpreter finalization (every moto module, the loaded
    # service models) can take seconds on a busy machine: past the launcher's stop grace period.
    # Nothing here needs flushing, so leave at once.
    os._exit(0)


def _patched_run_simple(host, port, app, **kwargs):
    signal.signal(signal.SIGTERM, _exit_now)
    signal.signal(signal.SIGINT, _exit_now)
    _run_simple(host, port, _serialized(app), **kwargs)


moto.server.run_simple = _patched_run_simple

if __name__ == "__main__":
    moto.server.main(sys.argv[1:])
