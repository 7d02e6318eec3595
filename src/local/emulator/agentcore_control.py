"""A faithful AgentCore control plane for runtimes and their endpoints, replacing moto's.

The rules are written, each with its AWS source, in docs/agentcore-emulator.md; the tests of this
emulator are test/local/agentcore-control.test.ts. moto's own model is too lenient to test a
deploy path against: it merges updates, changes the runtime ARN per version, never returns
`requireServiceS3Endpoint`, has no DEFAULT endpoint and ignores clientToken. We keep moto's
request parsing, response serialization, state manager and reset, and replace the runtime and
endpoint operations' behaviour (gateways, memories, tags stay stock moto).

State lives on moto's backend object, so POST /moto-api/reset forgets it like everything else.
"""
import base64
import copy
import json
import string
import time
from datetime import datetime
from typing import Any

from moto.core.common_models import BaseModel
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random
from moto.moto_api._internal.managed_state_model import ManagedState
from moto.utilities.utils import get_partition

from moto.bedrockagentcorecontrol import models as moto_models
from moto.bedrockagentcorecontrol import responses as moto_responses

RUNTIME_MODEL = "bedrock-agentcore-control::agent_runtime"
ENDPOINT_MODEL = "bedrock-agentcore-control::agent_runtime_endpoint"
DEFAULT_ENDPOINT = "DEFAULT"

# Members of a runtime version's configuration: what Create/Update take (besides the id, the
# name, clientToken and tags). UpdateAgentRuntime replaces all of them.
CONFIG_MEMBERS = [
    "agentRuntimeArtifact",
    "roleArn",
    "networkConfiguration",
    "description",
    "authorizerConfiguration",
    "requestHeaderConfiguration",
    "protocolConfiguration",
    "lifecycleConfiguration",
    "metadataConfiguration",
    "environmentVariables",
    "filesystemConfigurations",
]
# LifecycleConfiguration documentation: "Default: 900 seconds", "Default: 28800 seconds".
DEFAULT_LIFECYCLE = {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800}


class ConflictException(ServiceException):
    code = "ConflictException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


class ValidationException(ServiceException):
    code = "ValidationException"

    def __init__(self, message: str, reason: str = "FieldValidationFailed", field: str | None = None):
        super().__init__(message)
        self.reason = reason
        if field:
            self.fieldList = [{"name": field, "message": message}]


class Controls:
    """Test knobs, set through the launcher's /_abca/ routes (not part of any AWS API)."""

    # runtime id -> failure reason: that runtime's next update ends UPDATE_FAILED.
    fail_next_update: dict[str, str] = {}
    # runtime id -> {"calls": N, "seconds": S}: the version that runtime's next update creates is
    # not yet visible to GetAgentRuntime(agentRuntimeVersion=it), as AWS's control plane is
    # eventually consistent: ResourceNotFoundException for N such reads and/or S seconds.
    hide_next_version: dict[str, dict[str, float]] = {}
    # runtime id -> {"version", "calls", "until"}: the version currently hidden.
    hidden_version: dict[str, dict[str, Any]] = {}

    @classmethod
    def clear(cls) -> None:
        cls.fail_next_update.clear()
        cls.hide_next_version.clear()
        cls.hidden_version.clear()

    @classmethod
    def hides(cls, runtime_id: str, version: str) -> bool:
        """Whether this read of `version` still answers ResourceNotFoundException (counts the read)."""
        hidden = cls.hidden_version.get(runtime_id)
        if hidden is None or hidden["version"] != version:
            return False
        if hidden["calls"] > 0:
            hidden["calls"] -= 1
            return True
        if time.monotonic() < hidden["until"]:
            return True
        del cls.hidden_version[runtime_id]
        return False


def _random_suffix(n: int = 10) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(mock_random.choice(alphabet) for _ in range(n))


def _fingerprint(operation: str, params: dict[str, Any]) -> str:
    return operation + json.dumps(params, sort_keys=True, default=str)


class Runtime(BaseModel, ManagedState):
    """One runtime: immutable versions; status is the latest version's, driven by moto's state
    manager (model bedrock-agentcore-control::agent_runtime), so its delay is configurable."""

    def __init__(self, region: str, account: str, name: str, config: dict[str, Any]):
        ManagedState.__init__(self, RUNTIME_MODEL, transitions=[("CREATING", "READY")])
        self.region = region
        self.account = account
        self.name = name
        self.id = f"{name}-{_random_suffix()}"
        # AWS runtime ARNs name the runtime, not a version (the ARN InvokeAgentRuntime takes).
        self.arn = f"arn:{get_partition(region)}:bedrock-agentcore:{region}:{account}:runtime/{self.id}"
        self.created_at = utcnow()
        self.workload_identity = {
            "workloadIdentityArn": f"arn:{get_partition(region)}:bedrock-agentcore:{region}:{account}:workload-identity-directory/default/workload-identity/{self.id}"
        }
        self.versions: dict[str, dict[str, Any]] = {}
        self.failure_reason: str | None = None
        self._pending_failure: str | None = None
        self._add_version(config)

    @property
    def latest(self) -> str:
        return str(len(self.versions))

    def _add_version(self, config: dict[str, Any]) -> str:
        version = str(len(self.versions) + 1)
        self.versions[version] = {
            "config": copy.deepcopy(config),
            "createdAt": utcnow(),
            "status": None,  # None = follows the runtime's status while it is the latest
        }
        return version

    @property
    def status(self) -> str | None:
        value = ManagedState.status.fget(self)  # type: ignore[attr-defined]
        if value == "UPDATE_FAILED" and self._pending_failure is not None:
            self.failure_reason = self._pending_failure
            self._pending_failure = None
        return value

    @status.setter
    def status(self, value: str) -> None:
        self._status = value

    def version_status(self, version: str) -> str:
        if version == self.latest:
            return self.status or "READY"
        return self.versions[version]["status"] or "READY"

    def update(self, config: dict[str, Any]) -> str:
        # The version being replaced keeps the status it reached.
        self.versions[self.latest]["status"] = self.status
        version = self._add_version(config)
        reason = Controls.fail_next_update.pop(self.id, None)
        hide = Controls.hide_next_version.pop(self.id, None)
        if hide is not None:
            Controls.hidden_version[self.id] = {
                "version": version,
                "calls": int(hide.get("calls") or 0),
                "until": time.monotonic() + float(hide.get("seconds") or 0),
            }
        self._transitions = [("CREATING", "READY"), ("UPDATING", "UPDATE_FAILED" if reason is not None else "READY")]
        self._pending_failure = reason
        self.failure_reason = None
        self._status = "UPDATING"
        self._tick = 0
        self._time_progressed = datetime.now()
        return version

    def last_updated_at(self, version: str | None = None) -> datetime:
        return self.versions[version or self.latest]["createdAt"]

    def described(self, version: str) -> dict[str, Any]:
        config = copy.deepcopy(self.versions[version]["config"])
        network = config.get("networkConfiguration") or {}
        vpc = network.get("networkModeConfig")
        if vpc is not None:
            # Runtimes created after the May 2026 rollout report no service-managed S3 gateway.
            vpc["requireServiceS3Endpoint"] = False
        result: dict[str, Any] = {
            "agentRuntimeArn": self.arn,
            "agentRuntimeName": self.name,
            "agentRuntimeId": self.id,
            "agentRuntimeVersion": version,
            "createdAt": self.created_at,
            "lastUpdatedAt": self.last_updated_at(version),
            "status": self.version_status(version),
            "workloadIdentityDetails": self.workload_identity,
        }
        for key, value in config.items():
            if value is not None:
                result[key] = value
        result["lifecycleConfiguration"] = {**DEFAULT_LIFECYCLE, **(config.get("lifecycleConfiguration") or {})}
        result.setdefault("description", "")
        if version == self.latest and self.failure_reason and result["status"] == "UPDATE_FAILED":
            result["failureReason"] = self.failure_reason
        return result

    def summary(self, version: str) -> dict[str, Any]:
        return {
            "agentRuntimeArn": self.arn,
            "agentRuntimeId": self.id,
            "agentRuntimeVersion": version,
            "agentRuntimeName": self.name,
            "description": self.versions[version]["config"].get("description") or "",
            "lastUpdatedAt": self.last_updated_at(version),
            "status": self.version_status(version),
        }


class Endpoint(BaseModel, ManagedState):
    """An endpoint points at one version; a move is asynchronous: UPDATING with targetVersion new
    and liveVersion old, then READY with liveVersion new. The delay is moto's state manager's
    (model bedrock-agentcore-control::agent_runtime_endpoint)."""

    def __init__(self, runtime: Runtime, name: str, version: str, description: str | None, with_runtime: bool = False):
        ManagedState.__init__(self, ENDPOINT_MODEL, transitions=[("CREATING", "READY"), ("UPDATING", "READY")])
        if with_runtime:
            # DEFAULT is created with the runtime: it goes live when version 1 is READY, no later.
            self._status = "READY"
        self.runtime = runtime
        self.name = name
        self.id = f"{name}-{_random_suffix()}"
        self.arn = f"{runtime.arn}/runtime-endpoint/{name}"
        self.description = description
        self.live_version: str | None = None
        self.target_version = version
        self.created_at = utcnow()
        self.last_updated_at = self.created_at

    @property
    def status(self) -> str | None:
        before = self._status
        value = ManagedState.status.fget(self)  # type: ignore[attr-defined]
        if value == "READY" and self.live_version != self.target_version:
            # An endpoint goes live only on a version that became READY (DEFAULT waits for the
            # update it follows); a version that failed leaves the endpoint where it was.
            target_status = self.runtime.version_status(self.target_version)
            if target_status == "READY":
                self.live_version = self.target_version
            elif target_status in ("UPDATING", "CREATING"):
                self._status = before
                return "CREATING" if self.live_version is None else "UPDATING"
            elif self.live_version is not None:
                self.target_version = self.live_version
        return value

    @status.setter
    def status(self, value: str) -> None:
        self._status = value

    def move(self, version: str, description: str | None = None) -> None:
        self.status  # settle the move in progress (liveVersion) before starting another
        self.target_version = version
        if description is not None:
            self.description = description
        self.last_updated_at = utcnow()
        self._status = "UPDATING"
        self._tick = 0
        self._time_progressed = datetime.now()

    def described(self) -> dict[str, Any]:
        status = self.status
        result: dict[str, Any] = {
            "agentRuntimeEndpointArn": self.arn,
            "agentRuntimeArn": self.runtime.arn,
            "status": status,
            "createdAt": self.created_at,
            "lastUpdatedAt": self.last_updated_at,
            "name": self.name,
            "id": self.id,
            "targetVersion": self.target_version,
        }
        if self.live_version is not None:
            result["liveVersion"] = self.live_version
        if self.description:
            result["description"] = self.description
        return result


class State:
    def __init__(self) -> None:
        self.runtimes: dict[str, Runtime] = {}
        self.endpoints: dict[tuple[str, str], Endpoint] = {}
        # (operation, clientToken) -> (request fingerprint, first result)
        self.tokens: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}


def _state(backend: Any) -> State:
    if not hasattr(backend, "_abca_agentcore"):
        backend._abca_agentcore = State()
    return backend._abca_agentcore


def _refuse_s3_endpoint_flag(params: dict[str, Any], operation: str) -> None:
    vpc = (params.get("networkConfiguration") or {}).get("networkModeConfig") or {}
    if "requireServiceS3Endpoint" in vpc:
        raise ValidationException(
            f"requireServiceS3Endpoint cannot be set in {operation} for this agent runtime",
            field="networkConfiguration.networkModeConfig.requireServiceS3Endpoint",
        )


def _idempotent(state: State, operation: str, params: dict[str, Any], run: Any) -> dict[str, Any]:
    """clientToken: the same token with the same request replays the first result without acting
    again; with a different request it is refused (reason IdempotentParameterMismatchException)."""
    token = params.get("clientToken")
    if not token:
        return run()
    key = (operation, token)
    request = {k: v for k, v in params.items() if k != "clientToken"}
    fingerprint = _fingerprint(operation, request)
    if key in state.tokens:
        seen, result = state.tokens[key]
        if seen != fingerprint:
            raise ValidationException(
                f"clientToken {token} was already used with a different {operation} request",
                reason="IdempotentParameterMismatchException",
                field="clientToken",
            )
        return copy.deepcopy(result)
    result = run()
    state.tokens[key] = (fingerprint, copy.deepcopy(result))
    return result


def _page(items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    """maxResults/nextToken as the list operations take them; the token is opaque to callers."""
    start = 0
    if params.get("nextToken"):
        try:
            start = int(base64.urlsafe_b64decode(params["nextToken"].encode()).decode())
        except ValueError:
            raise ValidationException("nextToken is not valid", field="nextToken") from None
    size = int(params.get("maxResults") or len(items) or 1)
    result: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        result["nextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return result


class Handlers:
    """Replacement methods for moto's BedrockAgentCoreControlResponse (self is the response)."""

    def _runtime(self, runtime_id: str) -> Runtime:
        runtime = _state(self.backend).runtimes.get(runtime_id)
        if runtime is None:
            raise ResourceNotFoundException(f"Agent runtime {runtime_id} not found")
        return runtime

    def _endpoint(self, runtime: Runtime, name: str) -> Endpoint:
        endpoint = _state(self.backend).endpoints.get((runtime.id, name))
        if endpoint is None:
            raise ResourceNotFoundException(f"Endpoint {name} not found for agent runtime {runtime.id}")
        return endpoint

    def _version(self, runtime: Runtime, version: str | None) -> str:
        if version is None:
            return runtime.latest
        if version not in runtime.versions:
            raise ResourceNotFoundException(f"Version {version} of agent runtime {runtime.id} not found")
        return version

    def create_agent_runtime(self) -> ActionResult:
        params = self._get_params()
        state = _state(self.backend)

        def run() -> dict[str, Any]:
            _refuse_s3_endpoint_flag(params, "CreateAgentRuntime")
            name = params["agentRuntimeName"]
            if any(r.name == name for r in state.runtimes.values()):
                raise ConflictException(f"An agent runtime named {name} already exists")
            config = {k: params.get(k) for k in CONFIG_MEMBERS}
            runtime = Runtime(self.region, self.current_account, name, config)
            state.runtimes[runtime.id] = runtime
            state.endpoints[(runtime.id, DEFAULT_ENDPOINT)] = Endpoint(runtime, DEFAULT_ENDPOINT, "1", None, with_runtime=True)
            if params.get("tags"):
                self.backend.tag_resource(runtime.arn, params["tags"])
            return {
                "agentRuntimeArn": runtime.arn,
                "workloadIdentityDetails": runtime.workload_identity,
                "agentRuntimeId": runtime.id,
                "agentRuntimeVersion": "1",
                "createdAt": runtime.created_at,
                "status": "CREATING",
            }

        return ActionResult(_idempotent(state, "CreateAgentRuntime", params, run))

    def get_agent_runtime(self) -> ActionResult:
        params = self._get_params()
        runtime = self._runtime(params["agentRuntimeId"])
        runtime.advance()  # moto's "manual" progression counts reads
        version = params.get("agentRuntimeVersion")
        if version is not None and Controls.hides(runtime.id, version):
            raise ResourceNotFoundException(f"Version {version} of agent runtime {runtime.id} not found")
        return ActionResult(runtime.described(self._version(runtime, version)))

    def update_agent_runtime(self) -> ActionResult:
        params = self._get_params()
        state = _state(self.backend)
        runtime = self._runtime(params["agentRuntimeId"])

        def run() -> dict[str, Any]:
            _refuse_s3_endpoint_flag(params, "UpdateAgentRuntime")
            status = runtime.status
            if status in ("CREATING", "UPDATING", "DELETING"):
                raise ConflictException(f"Agent runtime {runtime.id} is {status}; retry when the current operation completes")
            default = state.endpoints.get((runtime.id, DEFAULT_ENDPOINT))
            if default is not None:
                default.status  # settle DEFAULT on the version that is READY now
            # The whole configuration is replaced: what the request omits is reset, not kept.
            version = runtime.update({k: params.get(k) for k in CONFIG_MEMBERS})
            if default is not None:
                default.move(version)
            return {
                "agentRuntimeArn": runtime.arn,
                "agentRuntimeId": runtime.id,
                "workloadIdentityDetails": runtime.workload_identity,
                "agentRuntimeVersion": version,
                "createdAt": runtime.created_at,
                "lastUpdatedAt": runtime.last_updated_at(version),
                "status": "UPDATING",
            }

        return ActionResult(_idempotent(state, "UpdateAgentRuntime", params, run))

    def delete_agent_runtime(self) -> ActionResult:
        params = self._get_params()
        state = _state(self.backend)
        runtime = self._runtime(params["agentRuntimeId"])
        for key in [k for k in state.endpoints if k[0] == runtime.id]:
            del state.endpoints[key]
        del state.runtimes[runtime.id]
        return ActionResult({"status": "DELETING", "agentRuntimeId": runtime.id})

    def list_agent_runtimes(self) -> ActionResult:
        runtimes = _state(self.backend).runtimes.values()
        return ActionResult(_page([r.summary(r.latest) for r in runtimes], self._get_params(), "agentRuntimes"))

    def list_agent_runtime_versions(self) -> ActionResult:
        params = self._get_params()
        runtime = self._runtime(params["agentRuntimeId"])
        versions = sorted(runtime.versions, key=int, reverse=True)
        return ActionResult(_page([runtime.summary(v) for v in versions], params, "agentRuntimes"))

    def create_agent_runtime_endpoint(self) -> ActionResult:
        params = self._get_params()
        state = _state(self.backend)
        runtime = self._runtime(params["agentRuntimeId"])

        def run() -> dict[str, Any]:
            name = params["name"]
            if (runtime.id, name) in state.endpoints:
                raise ConflictException(f"Endpoint {name} already exists for agent runtime {runtime.id}")
            version = params.get("agentRuntimeVersion") or runtime.latest
            if version not in runtime.versions:
                raise ValidationException(f"Version {version} of agent runtime {runtime.id} does not exist", field="agentRuntimeVersion")
            endpoint = Endpoint(runtime, name, version, params.get("description"))
            state.endpoints[(runtime.id, name)] = endpoint
            return {
                "targetVersion": version,
                "agentRuntimeEndpointArn": endpoint.arn,
                "agentRuntimeArn": runtime.arn,
                "agentRuntimeId": runtime.id,
                "endpointName": name,
                "status": "CREATING",
                "createdAt": endpoint.created_at,
            }

        return ActionResult(_idempotent(state, "CreateAgentRuntimeEndpoint", params, run))

    def get_agent_runtime_endpoint(self) -> ActionResult:
        params = self._get_params()
        runtime = self._runtime(params["agentRuntimeId"])
        endpoint = self._endpoint(runtime, params["endpointName"])
        endpoint.advance()
        return ActionResult(endpoint.described())

    def update_agent_runtime_endpoint(self) -> ActionResult:
        params = self._get_params()
        state = _state(self.backend)
        runtime = self._runtime(params["agentRuntimeId"])
        endpoint = self._endpoint(runtime, params["endpointName"])

        def run() -> dict[str, Any]:
            if endpoint.name == DEFAULT_ENDPOINT:
                raise ValidationException("The DEFAULT endpoint follows the latest version and cannot be updated", field="endpointName")
            status = endpoint.status
            if status in ("CREATING", "UPDATING", "DELETING"):
                raise ConflictException(f"Endpoint {endpoint.name} is {status}; retry when the current operation completes")
            version = params.get("agentRuntimeVersion") or endpoint.target_version
            if version not in runtime.versions:
                raise ValidationException(f"Version {version} of agent runtime {runtime.id} does not exist", field="agentRuntimeVersion")
            endpoint.move(version, params.get("description"))
            result = {
                "agentRuntimeEndpointArn": endpoint.arn,
                "agentRuntimeArn": runtime.arn,
                "status": "UPDATING",
                "createdAt": endpoint.created_at,
                "lastUpdatedAt": endpoint.last_updated_at,
                "targetVersion": version,
            }
            if endpoint.live_version is not None:
                result["liveVersion"] = endpoint.live_version
            return result

        return ActionResult(_idempotent(state, "UpdateAgentRuntimeEndpoint", params, run))

    def delete_agent_runtime_endpoint(self) -> ActionResult:
        params = self._get_params()
        state = _state(self.backend)
        runtime = self._runtime(params["agentRuntimeId"])
        endpoint = self._endpoint(runtime, params["endpointName"])
        if endpoint.name == DEFAULT_ENDPOINT:
            raise ValidationException("The DEFAULT endpoint cannot be deleted", field="endpointName")
        del state.endpoints[(runtime.id, endpoint.name)]
        return ActionResult({"status": "DELETING", "agentRuntimeId": runtime.id, "endpointName": endpoint.name})

    def list_agent_runtime_endpoints(self) -> ActionResult:
        params = self._get_params()
        runtime = self._runtime(params["agentRuntimeId"])
        endpoints = [e for (rid, _), e in _state(self.backend).endpoints.items() if rid == runtime.id]
        return ActionResult(_page([e.described() for e in endpoints], params, "runtimeEndpoints"))


def lookup(account: str, region: str, runtime_ref: str) -> Runtime | None:
    """A runtime by id or ARN (for the data plane emulator and the /_abca/ routes)."""
    state = _state(moto_models.bedrockagentcorecontrol_backends[account][region])
    runtime_id = runtime_ref.rsplit("/", 1)[-1] if runtime_ref.startswith("arn:") else runtime_ref
    return state.runtimes.get(runtime_id)


def resolve(account: str, region: str, runtime_ref: str, qualifier: str | None) -> dict[str, Any] | None:
    """What an endpoint serves now: {version, config} of its liveVersion, or None."""
    runtime = lookup(account, region, runtime_ref)
    if runtime is None:
        return None
    state = _state(moto_models.bedrockagentcorecontrol_backends[account][region])
    endpoint = state.endpoints.get((runtime.id, qualifier or DEFAULT_ENDPOINT))
    if endpoint is None:
        return None
    endpoint.status  # advance its state machine
    if endpoint.live_version is None:
        return None
    return {"version": endpoint.live_version, "config": copy.deepcopy(runtime.versions[endpoint.live_version]["config"])}


def install() -> None:
    for name, fn in vars(Handlers).items():
        if callable(fn) and not name.startswith("__"):
            setattr(moto_responses.BedrockAgentCoreControlResponse, name, fn)
