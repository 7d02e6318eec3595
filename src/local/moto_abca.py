"""Run moto server with one gap in its AgentCore model closed.

moto's AgentRuntime sets status UPDATING on UpdateAgentRuntime but declares only the
CREATING -> READY transition, so an updated runtime would stay UPDATING forever. We add
UPDATING -> READY and restart the clock at each update, so moto's own state manager
(POST /moto-api/state-manager/set-transition, model "bedrock-agentcore-control::agent_runtime")
decides how long UPDATING lasts: immediately (default), after N seconds, or after N reads.
Everything else is stock moto. Usage: python3 moto_abca.py -H 127.0.0.1 -p 0
"""
import sys
from datetime import datetime

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

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
