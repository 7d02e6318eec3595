/**
 * The signed-in user: Cognito SRP sign-in from the page (src/auth/srp.ts; the password never
 * leaves the browser), first sign-in's new password, silent refresh before the access token
 * expires, and sign-out that revokes the refresh token. Tokens live in sessionStorage: closing the
 * tab forgets them.
 */
import { srpSignIn, type CognitoAuthAnswer } from '../auth/srp';
import { cognitoProblem, ProblemError } from './lib/problems';

export interface ConsoleConfig {
  env: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  cognitoEndpoint: string;
}

export interface Tokens {
  username: string;
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
}

const KEY = 'abca.console.session';
/** Refresh this long before expiry, so no request carries a token about to lapse. */
export const REFRESH_MARGIN_MS = 60_000;

async function cognito(config: ConsoleConfig, operation: string, input: Record<string, unknown>): Promise<CognitoAuthAnswer> {
  let res: Response;
  try {
    res = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify(input),
    });
  } catch {
    throw new ProblemError({ status: 0, code: 'NETWORK_ERROR', message: 'Cognito could not be reached', fields: {} });
  }
  const body = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) throw new ProblemError(cognitoProblem(res.status, body));
  return body as CognitoAuthAnswer;
}

function tokensFrom(answer: CognitoAuthAnswer, username: string, previousRefresh?: string): Tokens {
  const r = answer.AuthenticationResult;
  if (!r?.AccessToken) throw new ProblemError({ status: 0, code: 'AUTH_FAILED', message: 'Cognito answered without tokens', fields: {} });
  return { username, accessToken: r.AccessToken, refreshToken: r.RefreshToken ?? previousRefresh, expiresAt: Date.now() + (r.ExpiresIn ?? 3600) * 1000 };
}

export type SignInResult = { kind: 'signed-in'; tokens: Tokens } | { kind: 'new-password-required' };

export async function signIn(config: ConsoleConfig, username: string, password: string, newPassword?: string): Promise<SignInResult> {
  const answer = await srpSignIn((op, input) => cognito(config, op, input), {
    userPoolId: config.userPoolId,
    clientId: config.userPoolClientId,
    username,
    password,
    newPassword,
  });
  if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') return { kind: 'new-password-required' };
  if (answer.ChallengeName) {
    throw new ProblemError({
      status: 0,
      code: 'AUTH_CHALLENGE',
      message: `Cognito asks for ${answer.ChallengeName}, which this console does not handle yet`,
      fields: {},
    });
  }
  const tokens = tokensFrom(answer, username);
  save(tokens);
  return { kind: 'signed-in', tokens };
}

export async function refresh(config: ConsoleConfig, tokens: Tokens): Promise<Tokens> {
  if (!tokens.refreshToken) throw new ProblemError({ status: 401, code: 'SESSION_EXPIRED', message: 'your session has expired: sign in again', fields: {} });
  const answer = await cognito(config, 'InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    ClientId: config.userPoolClientId,
    AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
  });
  const next = tokensFrom(answer, tokens.username, tokens.refreshToken);
  save(next);
  return next;
}

/** Revokes the refresh token (so a copied one mints nothing), then forgets the session. */
export async function signOut(config: ConsoleConfig, tokens: Tokens | undefined): Promise<void> {
  try {
    if (tokens?.refreshToken) await cognito(config, 'RevokeToken', { Token: tokens.refreshToken, ClientId: config.userPoolClientId });
  } finally {
    sessionStorage.removeItem(KEY);
  }
}

export function save(tokens: Tokens): void {
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
}

export function restore(): Tokens | undefined {
  try {
    const t = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Tokens | null;
    return t && typeof t.accessToken === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Holds the session and hands out a fresh access token, refreshing silently when it is near expiry. */
export class Session {
  private refreshing: Promise<Tokens> | undefined;
  constructor(
    readonly config: ConsoleConfig,
    public tokens: Tokens,
    private readonly onExpired: () => void,
  ) {}

  async accessToken(): Promise<string> {
    if (Date.now() > this.tokens.expiresAt - REFRESH_MARGIN_MS) await this.renew();
    return this.tokens.accessToken;
  }

  async renew(): Promise<void> {
    this.refreshing ??= refresh(this.config, this.tokens).finally(() => (this.refreshing = undefined));
    try {
      this.tokens = await this.refreshing;
    } catch (e) {
      this.onExpired();
      throw e;
    }
  }
}
