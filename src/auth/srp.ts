/**
 * Cognito's SRP sign-in (USER_SRP_AUTH then PASSWORD_VERIFIER), client side, for the console (in
 * the browser) and `bgagent login` (in Node). Written here rather than taken from a library: the
 * maintained one (amazon-cognito-identity-js) is deprecated in favour of Amplify, which is far
 * bigger than the console's budget; the protocol is ~100 lines over BigInt and WebCrypto, both
 * present in browsers and Node ≥ 20, so one module serves both. Pure: no network; the caller sends
 * what `srpStart` and `passwordVerifier` return. Spec: RFC 5054 (group 3072, SHA-256) with
 * Cognito's derivation (x from pool name, user id and password; the key through HKDF "Caldera
 * Derived Key"; the claim signed with HMAC-SHA256). The local Cognito verifies it the same way
 * (src/local/emulator/cognito_srp.py).
 */

/** RFC 5054 appendix A, 3072-bit group; generator 2. */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const SRP_N = BigInt(`0x${N_HEX}`);
export const SRP_G = 2n;
const INFO = 'Caldera Derived Key';

const enc = new TextEncoder();
const subtle = () => globalThis.crypto.subtle;

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/** Hex of a non-negative integer as SRP hashes it: even length, and a leading 00 when the top bit is set (a positive two's-complement number). */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ('89abcdef'.includes(hex[0]!)) hex = `00${hex}`;
  return hex;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', new Uint8Array(data)));
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, new Uint8Array(data)));
}

/** SHA-256 of the bytes a hex string spells, as hex (SRP's H over padded numbers). */
async function hexHash(hex: string): Promise<string> {
  return bytesToHex(await sha256(hexToBytes(hex)));
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** k = H(N | g), the SRP-6a multiplier. */
export async function multiplier(): Promise<bigint> {
  return BigInt(`0x${await hexHash(padHex(SRP_N) + padHex(SRP_G))}`);
}

export interface SrpStart {
  /** Secret: keep it for `passwordVerifier`. */
  a: bigint;
  /** SRP_A, sent in InitiateAuth's AuthParameters. */
  A: string;
}

/** A fresh ephemeral key pair (a, A = g^a mod N); `random` only for tests. */
export function srpStart(random?: Uint8Array): SrpStart {
  const bytes = random ?? globalThis.crypto.getRandomValues(new Uint8Array(128));
  const a = BigInt(`0x${bytesToHex(bytes)}`) % SRP_N;
  return { a, A: modPow(SRP_G, a, SRP_N).toString(16) };
}

/** Cognito's TIMESTAMP: "Tue Dec 3 19:02:18 UTC 2026" (day of month not padded, always UTC). */
export function cognitoTimestamp(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

export interface PasswordVerifierInput {
  userPoolId: string;
  password: string;
  start: SrpStart;
  /** The PASSWORD_VERIFIER challenge's parameters. */
  challenge: { SRP_B?: string; SALT?: string; SECRET_BLOCK?: string; USER_ID_FOR_SRP?: string };
  now?: Date;
}

export class SrpError extends Error {}

/** The PASSWORD_VERIFIER ChallengeResponses: the password proven without sending it. */
export async function passwordVerifier(input: PasswordVerifierInput): Promise<Record<string, string>> {
  const { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP } = input.challenge;
  if (!SRP_B || !SALT || !SECRET_BLOCK || !USER_ID_FOR_SRP) throw new SrpError('Cognito sent an incomplete PASSWORD_VERIFIER challenge');
  const B = BigInt(`0x${SRP_B}`);
  if (B % SRP_N === 0n) throw new SrpError('Cognito sent an invalid SRP_B');
  const A = BigInt(`0x${input.start.A}`);
  const u = BigInt(`0x${await hexHash(padHex(A) + padHex(B))}`);
  if (u === 0n) throw new SrpError('SRP parameters give u = 0');
  const poolName = input.userPoolId.split('_')[1] ?? '';
  const identity = bytesToHex(await sha256(enc.encode(`${poolName}${USER_ID_FOR_SRP}:${input.password}`)));
  const x = BigInt(`0x${await hexHash(padHex(BigInt(`0x${SALT}`)) + identity)}`);
  const k = await multiplier();
  const gx = modPow(SRP_G, x, SRP_N);
  const S = modPow((((B - k * gx) % SRP_N) + SRP_N) % SRP_N, input.start.a + u * x, SRP_N);
  // HKDF-SHA256 with the salt u and one 16-byte block.
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  const key = (await hmac(prk, concat(enc.encode(INFO), Uint8Array.of(1)))).slice(0, 16);
  const timestamp = cognitoTimestamp(input.now ?? new Date());
  const message = concat(enc.encode(poolName), enc.encode(USER_ID_FOR_SRP), base64ToBytes(SECRET_BLOCK), enc.encode(timestamp));
  return {
    USERNAME: USER_ID_FOR_SRP,
    PASSWORD_CLAIM_SECRET_BLOCK: SECRET_BLOCK,
    TIMESTAMP: timestamp,
    PASSWORD_CLAIM_SIGNATURE: bytesToBase64(await hmac(key, message)),
  };
}

/** One Cognito user-pool call, however the caller sends it (the SDK in Node, fetch in the page). */
export type CognitoCall = (operation: 'InitiateAuth' | 'RespondToAuthChallenge', input: Record<string, unknown>) => Promise<CognitoAuthAnswer>;

export interface CognitoAuthAnswer {
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  AuthenticationResult?: { AccessToken?: string; IdToken?: string; RefreshToken?: string; ExpiresIn?: number };
}

export interface SrpSignInInput {
  userPoolId: string;
  clientId: string;
  username: string;
  password: string;
  /** Answers NEW_PASSWORD_REQUIRED (first sign-in with a temporary password); without it that challenge is returned. */
  newPassword?: string;
  now?: () => Date;
}

/**
 * USER_SRP_AUTH, then PASSWORD_VERIFIER, then NEW_PASSWORD_REQUIRED when Cognito asks and a new
 * password is given. Returns Cognito's last answer: tokens, or a challenge left to the caller.
 */
export async function srpSignIn(call: CognitoCall, input: SrpSignInInput): Promise<CognitoAuthAnswer> {
  const start = srpStart();
  const first = await call('InitiateAuth', {
    AuthFlow: 'USER_SRP_AUTH',
    ClientId: input.clientId,
    AuthParameters: { USERNAME: input.username, SRP_A: start.A },
  });
  if (first.ChallengeName !== 'PASSWORD_VERIFIER') return first;
  const responses = await passwordVerifier({
    userPoolId: input.userPoolId,
    password: input.password,
    start,
    challenge: first.ChallengeParameters ?? {},
    now: input.now?.(),
  });
  const second = await call('RespondToAuthChallenge', {
    ClientId: input.clientId,
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeResponses: responses,
    ...(first.Session ? { Session: first.Session } : {}),
  });
  if (second.ChallengeName === 'NEW_PASSWORD_REQUIRED' && input.newPassword) {
    return call('RespondToAuthChallenge', {
      ClientId: input.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: second.Session,
      ChallengeResponses: { USERNAME: responses.USERNAME, NEW_PASSWORD: input.newPassword },
    });
  }
  return second;
}
