"""Route 53 Resolver DNS Firewall domain lists, which moto 5.2 does not implement, with their states.

Rules, from the Amazon Route 53 API Reference (Route 53 Resolver actions) and botocore's model:
- R1 CreateFirewallDomainList creates an empty list, status COMPLETE; the same CreatorRequestId
  answers the same list (API_route53resolver_CreateFirewallDomainList.html).
- R2 UpdateFirewallDomains applies ADD / REMOVE / REPLACE and answers the list's status UPDATING
  (`Status`: "Status of the UpdateFirewallDomains request"; FirewallDomainListStatus enum
  COMPLETE | COMPLETE_IMPORT_FAILED | IMPORTING | DELETING | UPDATING); the list then becomes
  COMPLETE (API_route53resolver_UpdateFirewallDomains.html, API_route53resolver_FirewallDomainList.html).
- R3 While the list is UPDATING (or IMPORTING, DELETING) a further UpdateFirewallDomains is
  refused with ConflictException, the operation's documented error for "The requested state
  transition isn't valid" (API_route53resolver_UpdateFirewallDomains.html, Errors).
- R4 GetFirewallDomainList answers the list with its Status and DomainCount; ListFirewallDomains
  pages its domains (MaxResults up to 5000, NextToken); an unknown id is ResourceNotFoundException.

How long UPDATING lasts is moto's state manager's (model "route53resolver::firewall_domain_list",
POST /moto-api/state-manager/set-transition). The default is "manual", times 1: the first
GetFirewallDomainList after an update sees COMPLETE, and an update sent before any read sees
UPDATING, as on AWS when calls go back to back.

State lives on moto's Route 53 Resolver backend object, so POST /moto-api/reset forgets it.
"""
import json
from datetime import datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import utcnow
from moto.moto_api import state_manager
from moto.moto_api._internal import mock_random
from moto.moto_api._internal.managed_state_model import ManagedState
from moto.route53resolver import responses as r53r_responses
from moto.route53resolver.exceptions import ResourceNotFoundException
from moto.utilities.utils import get_partition

MODEL = "route53resolver::firewall_domain_list"
BUSY = ("UPDATING", "IMPORTING", "DELETING")


class ConflictException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ConflictException", message)


class DomainList(ManagedState):
    def __init__(self, account: str, region: str, name: str, creator_request_id: str | None):
        # The first transition's source is the initial status; a new list is COMPLETE (R1).
        ManagedState.__init__(self, MODEL, transitions=[("COMPLETE", "COMPLETE"), ("UPDATING", "COMPLETE")])
        self.id = "rslvr-fdl-" + "".join(mock_random.choice("0123456789abcdef") for _ in range(17))
        self.arn = f"arn:{get_partition(region)}:route53resolver:{region}:{account}:firewall-domain-list/{self.id}"
        self.name = name
        self.creator_request_id = creator_request_id
        self.domains: list[str] = []
        self.created = self.modified = utcnow().isoformat()

    def describe(self) -> dict[str, Any]:
        status = self.status
        return {
            "Id": self.id,
            "Arn": self.arn,
            "Name": self.name,
            "DomainCount": len(self.domains),
            "Status": status,
            "StatusMessage": "Updating the Firewall Domain List" if status == "UPDATING" else "Created Firewall Domain List",
            "CreatorRequestId": self.creator_request_id,
            "CreationTime": self.created,
            "ModificationTime": self.modified,
        }


def _lists(backend: Any) -> dict[str, DomainList]:
    if not hasattr(backend, "_abca_domain_lists"):
        backend._abca_domain_lists = {}
    return backend._abca_domain_lists


def _find(backend: Any, list_id: str) -> DomainList:
    found = _lists(backend).get(list_id)
    if found is None:
        raise ResourceNotFoundException(f"[RSLVR-02302] Can't find the resource with ID '{list_id}'")
    return found


def install() -> None:
    R = r53r_responses.Route53ResolverResponse
    state_manager.register_default_transition(MODEL, transition={"progression": "manual", "times": 1})

    def create_firewall_domain_list(self: Any) -> str:
        lists = _lists(self.route53resolver_backend)
        request_id = self._get_param("CreatorRequestId")
        for existing in lists.values():
            if request_id and existing.creator_request_id == request_id:
                return json.dumps({"FirewallDomainList": existing.describe()})
        created = DomainList(self.current_account, self.region, self._get_param("Name"), request_id)
        lists[created.id] = created
        return json.dumps({"FirewallDomainList": created.describe()})

    def get_firewall_domain_list(self: Any) -> str:
        found = _find(self.route53resolver_backend, self._get_param("FirewallDomainListId"))
        found.advance()  # "manual" progression counts reads, as moto's own models do
        return json.dumps({"FirewallDomainList": found.describe()})

    def list_firewall_domains(self: Any) -> str:
        found = _find(self.route53resolver_backend, self._get_param("FirewallDomainListId"))
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxResults") or 100)
        page = found.domains[start : start + size]
        out: dict[str, Any] = {"Domains": page}
        if start + size < len(found.domains):
            out["NextToken"] = str(start + size)
        return json.dumps(out)

    def update_firewall_domains(self: Any) -> str:
        found = _find(self.route53resolver_backend, self._get_param("FirewallDomainListId"))
        status = found.status
        if status in BUSY:
            raise ConflictException(
                f"[RSLVR-02304] The Firewall Domain List '{found.id}' is in status {status}: wait until it is COMPLETE before updating it"
            )
        operation = self._get_param("Operation")
        given = list(self._get_param("Domains") or [])
        if operation == "ADD":
            found.domains += [d for d in dict.fromkeys(given) if d not in found.domains]
        elif operation == "REMOVE":
            gone = set(given)
            found.domains = [d for d in found.domains if d not in gone]
        else:
            found.domains = list(dict.fromkeys(given))
        found.status = "UPDATING"
        found._tick = 0  # the state machine restarts from this update (manual and time progressions)
        found._time_progressed = datetime.now()
        found.modified = utcnow().isoformat()
        return json.dumps({"Id": found.id, "Name": found.name, "Status": "UPDATING", "StatusMessage": "Updating the Firewall Domain List"})

    R.create_firewall_domain_list = create_firewall_domain_list
    R.get_firewall_domain_list = get_firewall_domain_list
    R.list_firewall_domains = list_firewall_domains
    R.update_firewall_domains = update_firewall_domains

