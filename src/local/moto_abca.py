"""Run moto server with two of its gaps closed.

1. Atomic requests. moto serves requests on threads and checks a DynamoDB condition (or takes the
next SSM version) and then writes, without a lock: under load two racing conditional writes were
seen to both succeed, which AWS never allows. We serialize request handling, so every call is
atomic, as in AWS (the emulator's calls are short; nothing waits inside one).

2. AgentCore UPDATING -> READY.

moto's AgentRuntime sets status UPDATING on UpdateAgentRuntime but declares only the
CREATING -> READY transition, so an updated runtime would stay UPDATING forever. We add
UPDATING -> READY and restart the clock at each update, so moto's own state manager
(POST /moto-api/state-manager/set-transition, model "bedrock-agentcore-control::agent_runtime")
decides how long UPDATING lasts: immediately (default), after N seconds, or after N reads.
Everything else is stock moto. Usage: python3 moto_abca.py -H 127.0.0.1 -p 0
"""
import sys
import threading
from datetime import datetime

import moto.server

from moto.bedrockagentcorecontrol import models as agentcore

_init = agentcore.AgentRuntime.__init__
_update = agentcore.AgentRuntime.update


def _patched_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self._transitions = [("CREATING", "READY"), ("UPDATING", "READY")]


def _patched_update(self, *args, **kwargs):
    _update(self, *args, **kwargs)
    self._time_progressed = datetime.now()
    self._tick = 0


agentcore.AgentRuntime.__init__ = _patched_init
agentcore.AgentRuntime.update = _patched_update

_request_lock = threading.Lock()
_run_simple = moto.server.run_simple


def _serialized(app):
    def handle(environ, start_response):
        with _request_lock:
            # Materialize the body inside the lock: the write is complete before the next request.
            return list(app(environ, start_response))

    return handle


def _patched_run_simple(host, port, app, **kwargs):
    _run_simple(host, port, _serialized(app), **kwargs)


moto.server.run_simple = _patched_run_simple

if __name__ == "__main__":
    moto.server.main(sys.argv[1:])
