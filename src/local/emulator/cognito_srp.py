"""Cognito SRP sign-in verified as Cognito does. moto answers USER_SRP_AUTH with random SALT and
SRP_B and accepts any PASSWORD_VERIFIER answer that has the fields, so any password signs in.
Here the challenge carries a real SRP-6a B for the user's password (RFC 5054 group 3072, SHA-256,
Cognito's x = H(salt | H(pool name | user id | ":" | password))) and the answer's
PASSWORD_CLAIM_SIGNATURE must be the HMAC that only a client knowing the password can compute;
otherwise NotAuthorizedException "Incorrect username or password.", as Cognito answers.

Sources: InitiateAuth (AuthFlow USER_SRP_AUTH, AuthParameters SRP_A), RespondToAuthChallenge
(PASSWORD_VERIFIER: PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, USERNAME)
and the Cognito developer guide "User pool authentication flow" (SRP); RFC 5054. The client side
is src/auth/srp.ts. Rules are in docs/local-mode.md ("Cognito sign-in with SRP").
"""
import base64
import hashlib
import hmac
import secrets
import threading
from typing import Any

from moto.cognitoidp import models as cognito_models
from moto.cognitoidp.exceptions import NotAuthorizedError

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2
INFO = b"Caldera Derived Key"
WRONG = "Incorrect username or password."

_pending: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def pad_hex(n: int) -> str:
    h = format(n, "x")
    if len(h) % 2:
        return "0" + h
    return "00" + h if h[0] in "89abcdef" else h


def hex_hash(h: str) -> str:
    return hashlib.sha256(bytes.fromhex(h)).hexdigest()


K = int(hex_hash(pad_hex(N) + pad_hex(G)), 16)


def private_x(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    identity = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return int(hex_hash(pad_hex(int(salt_hex, 16)) + identity), 16)


def expected_signature(state: dict[str, Any], secret_block: str, timestamp: str) -> str:
    A, B, b, v = state["A"], state["B"], state["b"], state["v"]
    u = int(hex_hash(pad_hex(A) + pad_hex(B)), 16)
    S = pow(A * pow(v, u, N) % N, b, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(S)), hashlib.sha256).digest()
    key = hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]
    message = state["pool_name"].encode() + state["user_id"].encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def install() -> None:
    Backend = cognito_models.CognitoIdpBackend
    original_initiate = Backend.initiate_auth
    original_respond = Backend.respond_to_auth_challenge

    def initiate_auth(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        result = original_initiate(self, client_id, auth_flow, auth_parameters)
        if str(getattr(auth_flow, "value", auth_flow)) != "USER_SRP_AUTH" or result.get("ChallengeName") != "PASSWORD_VERIFIER":
            return result
        A = int(auth_parameters.get("SRP_A", "0"), 16)
        if A % N == 0:
            # RFC 5054 2.5.4: the host aborts when A % N is zero.
            raise NotAuthorizedError("Invalid SRP_A")
        session = result["Session"]
        _, pool = self.sessions[session]
        params = result["ChallengeParameters"]
        user = self.admin_get_user(pool.id, params["USERNAME"])
        pool_name = pool.id.split("_", 1)[1]
        # Cognito's USER_ID_FOR_SRP is the user's username (moto sends its internal id, which its
        # own PASSWORD_VERIFIER handling then cannot find by USERNAME).
        params["USER_ID_FOR_SRP"] = user.username
        salt = secrets.token_hex(16)
        x = private_x(pool_name, params["USER_ID_FOR_SRP"], user.password or "", salt)
        v = pow(G, x, N)
        b = secrets.randbelow(N - 1) + 1
        B = (K * v + pow(G, b, N)) % N
        block = base64.b64encode(secrets.token_bytes(64)).decode()
        # RespondToAuthChallenge finds moto's session under the secret block.
        self.sessions[block] = self.sessions[session]
        with _lock:
            _pending[block] = {"A": A, "B": B, "b": b, "v": v, "pool_name": pool_name, "user_id": params["USER_ID_FOR_SRP"]}
        params.update({"SALT": salt, "SRP_B": format(B, "x"), "SECRET_BLOCK": block})
        return result

    def respond_to_auth_challenge(self: Any, session: str, client_id: str, challenge_name: str, challenge_responses: dict[str, str]) -> Any:
        if challenge_name == "PASSWORD_VERIFIER":
            block = challenge_responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
            with _lock:
                # One answer per challenge: a replayed or guessed block is refused.
                state = _pending.pop(block, None)
            if state is None:
                raise NotAuthorizedError("Invalid session for the user.")
            if challenge_responses.get("USERNAME") not in (state["user_id"], None):
                raise NotAuthorizedError(WRONG)
            try:
                expected = expected_signature(state, block, challenge_responses.get("TIMESTAMP") or "")
            except ValueError:
                raise NotAuthorizedError(WRONG)
            if not hmac.compare_digest(expected, challenge_responses.get("PASSWORD_CLAIM_SIGNATURE") or ""):
                raise NotAuthorizedError(WRONG)
        return original_respond(self, session, client_id, challenge_name, challenge_responses)

    Backend.initiate_auth = initiate_auth
    Backend.respond_to_auth_challenge = respond_to_auth_challenge


def install_revoke_token() -> None:
    """RevokeToken, which moto lacks (sign-out in the console and `bgagent logout`): the refresh token
    stops minting tokens (REFRESH_TOKEN_AUTH then fails with NotAuthorizedException). Source:
    RevokeToken in the Cognito API reference ("Revokes all of the access tokens generated by, and at
    the same time as, the specified refresh token"; an unknown token is not an error, as RFC 7009
    says). Not modelled: the access tokens issued from it stay valid here until they expire."""
    from moto.cognitoidp import responses as cognito_responses
    from moto.core.responses import EmptyResult

    def revoke_token(self: Any) -> Any:
        token = self._get_param("Token") or ""
        client_id = self._get_param("ClientId") or ""
        for pool in self.backend.user_pools.values():
            entry = pool.refresh_tokens.get(token)
            if entry is None:
                continue
            if entry[0] != client_id:
                raise NotAuthorizedError("The token was not issued to this client.")
            pool.refresh_tokens[token] = None
        return EmptyResult()

    cognito_responses.CognitoIdpResponse.revoke_token = revoke_token
