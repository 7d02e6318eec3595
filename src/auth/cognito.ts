/**
 * Cognito access tokens, verified with aws-jwt-verify: signature (the pool's JWKS), issuer (the
 * pool), `token_use: access`, `client_id` (the platform's app client) and expiry.
 *
 * Access tokens, not ID tokens: an access token is what Cognito issues for calling APIs, and it
 * carries both `client_id` and `cognito:groups` (moto's too), so no extra lookup is needed.
 *
 * Where the JWKS lives follows the SDK's endpoint rules: against AWS it is
 * `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`; when
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER or AWS_ENDPOINT_URL names another endpoint (an
 * emulator, a VPC endpoint), the same path is fetched from there. The issuer checked is the pool's
 * regional issuer in both cases, as the tokens carry it.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksNotAvailableInCacheError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { AuthUnavailableError, UnauthorizedError } from './errors';
import { permissionsForGroups, type Principal } from './principal';

export interface CognitoSettings {
  userPoolId: string;
  clientId: string;
  /** Custom Cognito endpoint (default: from the standard AWS environment variables). */
  endpoint?: string;
}

/** The endpoint the AWS SDK would use for Cognito, if not the public AWS one. */
export function cognitoEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER || env.AWS_ENDPOINT_URL || undefined;
}

/** Maps the pool's public JWKS URI onto a custom endpoint: `<endpoint>/<pool>/.well-known/jwks.json`. */
export function jwksUriOnEndpoint(jwksUri: string, endpoint: string): string {
  const url = new URL(jwksUri);
  return `${endpoint.replace(/\/+$/, '')}${url.pathname}`;
}

/** Fetches over the custom endpoint (plain `fetch`, which also speaks http to a loopback emulator). */
class EndpointFetcher implements Fetcher {
  constructor(private readonly endpoint: string) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    const target = jwksUriOnEndpoint(uri, this.endpoint);
    let res: Response;
    try {
      res = await fetch(target, { signal: AbortSignal.timeout(3000) });
    } catch (e) {
      throw new FetchError(target, (e as Error).message);
    }
    if (res.status !== 200) throw new FetchError(target, `Status code is ${res.status}, expected 200`);
    return res.arrayBuffer();
  }
}

export type AccessTokenVerifier = (token: string) => Promise<Principal>;

export function cognitoAccessTokenVerifier(settings: CognitoSettings): AccessTokenVerifier {
  const endpoint = settings.endpoint ?? cognitoEndpointFromEnv();
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: settings.userPoolId, clientId: settings.clientId, tokenUse: 'access' },
    { jwksCache: new SimpleJwksCache({ fetcher: endpoint ? new EndpointFetcher(endpoint) : new SimpleFetcher() }) },
  );
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      payload = (await verifier.verify(token)) as unknown as Record<string, unknown>;
    } catch (e) {
      throw tokenError(e);
    }
    const groups = Array.isArray(payload['cognito:groups']) ? (payload['cognito:groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
    const id = typeof payload.username === 'string' ? payload.username : String(payload.sub);
    return { kind: 'user', id, groups, permissions: permissionsForGroups(groups) };
  };
}

/** 401 for anything wrong with the token; a JWKS we cannot fetch is our failure, not the caller's. */
function tokenError(e: unknown): Error {
  if (e instanceof FetchError || e instanceof JwksNotAvailableInCacheError) {
    return new AuthUnavailableError('cannot fetch the user pool signing keys; try again', 'AUTH_UNAVAILABLE', undefined, { cause: e });
  }
  if (e instanceof JwtExpiredError) return new UnauthorizedError('access token has expired', 'TOKEN_EXPIRED');
  if (e instanceof CognitoJwtInvalidTokenUseError) {
    return new UnauthorizedError('an access token is required (this is an ID token); send the Cognito access token', 'INVALID_TOKEN');
  }
  if (e instanceof JwtBaseError) return new UnauthorizedError(`invalid access token: ${safeReason(e)}`, 'INVALID_TOKEN');
  return e instanceof Error ? e : new Error(String(e));
}

/** The library's reason, without echoing any part of the token (instanceof: bundles minify class names). */
function safeReason(e: JwtBaseError): string {
  if (e instanceof JwtParseError) return 'not a JWT';
  if (e instanceof JwtInvalidSignatureAlgorithmError) return 'unsupported signature algorithm';
  if (e instanceof JwtInvalidSignatureError) return 'bad signature';
  if (e instanceof JwtInvalidIssuerError || e instanceof ParameterValidationError) return 'issued by another user pool';
  if (e instanceof CognitoJwtInvalidClientIdError) return 'issued to another app client';
  if (e instanceof JwtNotBeforeError) return 'not valid yet';
  if (e instanceof KidNotFoundInJwksError || e instanceof WaitPeriodNotYetEndedJwkError || e instanceof JwtWithoutValidKidError)
    return 'signed with an unknown key';
  return 'rejected';
}
