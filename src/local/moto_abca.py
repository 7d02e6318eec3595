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

3. Test controls under /_abca/ (never an AWS route):
   POST /_abca/agentcore/fail-next-update {"agentRuntimeId": ..., "reason": ...}
       the runtime's next UpdateAgentRuntime ends UPDATE_FAILED with that failureReason.
"""
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import moto.server  # noqa: E402

from emulator import agentcore_control  # noqa: E402

agentcore_control.install()

_request_lock = threading.Lock()
_run_simple = moto.server.run_simple


def _json_response(start_response, status: int, body: dict) -> list:
    data = json.dumps(body).encode()
    start_response(f"{status} {'OK' if status < 400 else 'Error'}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _controls(environ, start_response):
    path = environ.get("PATH_INFO", "")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        return _json_response(start_response, 400, {"message": "body is not JSON"})
    if path == "/_abca/agentcore/fail-next-update" and body.get("agentRuntimeId"):
        agentcore_control.Controls.fail_next_update[body["agentRuntimeId"]] = body.get("reason") or "update failed (emulator fault injection)"
        return _json_response(start_response, 200, {"ok": True})
    return _json_response(start_response, 404, {"message": f"unknown control {path}"})


def _serialized(app):
    def handle(environ, start_response):
        with _request_lock:
            if environ.get("PATH_INFO", "").startswith("/_abca/"):
                return _controls(environ, start_response)
            if environ.get("PATH_INFO", "") == "/moto-api/reset":
                agentcore_control.Controls.fail_next_update.clear()
            # Materialize the body inside the lock: the write is complete before the next request.
            return list(app(environ, start_response))

    return handle


def _patched_run_simple(host, port, app, **kwargs):
    _run_simple(host, port, _serialized(app), **kwargs)


moto.server.run_simple = _patched_run_simple

if __name__ == "__main__":
    moto.server.main(sys.argv[1:])
