/**
 * The error catalogue: every error code the API, the CLI and the scripts can report, declared once
 * with its class (which fixes the exit code and whose fault it is) and the HTTP status the API
 * answers with. Modelled on the AWS CDK toolkit's code registry: code constants are data, the docs
 * tables are generated from them (`npx tsx scripts/gen-error-docs.ts`), and a test keeps the docs in
 * step. A code used anywhere but declared nowhere fails `tsc`.
 *
 * Adding a code: one entry here, then regenerate the docs.
 */

/** The error classes of src/errors.ts (and src/auth/errors.ts, src/api/http-errors.ts). */
export const ERROR_CLASSES = {
  ValidationError: { exit: 2, fault: 'user', summary: 'bad input, refused before anything was written' },
  NotFoundError: { exit: 2, fault: 'user', summary: 'something named does not exist' },
  UnauthorizedError: { exit: 2, fault: 'user', summary: 'no credentials, or credentials that prove nothing' },
  ForbiddenError: { exit: 2, fault: 'user', summary: 'a known caller asking for more than it may' },
  PayloadTooLargeError: { exit: 2, fault: 'user', summary: 'a request body over the limit' },
  ConflictError: { exit: 3, fault: 'user', summary: 'another actor or a stale version: state conflicts' },
  OperationFailedError: { exit: 1, fault: 'tool', summary: 'AWS, the runtime, the network or a tool failed' },
  AuthUnavailableError: { exit: 1, fault: 'tool', summary: 'the identity provider could not be reached' },
} as const;

export type ErrorClassName = keyof typeof ERROR_CLASSES;
export type ExitCode = 0 | 1 | 2 | 3;
export type Fault = 'user' | 'tool';
/** Where a code can appear: in an API answer, and/or from the CLI and scripts on this machine. */
export type Surface = 'api' | 'cli' | 'both';

export interface ErrorSpec {
  readonly class: ErrorClassName;
  /** The status the API answers with when it raises this code (500 for codes only tools raise). */
  readonly http: number;
  readonly surface: Surface;
  readonly summary: string;
  /** The class's default code (what `new XError(message)` carries). */
  readonly default?: true;
}

const spec = <C extends ErrorClassName>(cls: C, http: number, surface: Surface, summary: string, extra: { default?: true } = {}) =>
  ({ class: cls, http, surface, summary, ...extra }) as const;

export const ERROR_CODES = {
  // Bad input (exit 2, 400/422)
  VALIDATION_ERROR: spec(
    'ValidationError',
    400,
    'both',
    'bad input: a field, flag or body that does not validate (`details.problems` lists them where there are several)',
    { default: true },
  ),
  BAD_REQUEST: spec('ValidationError', 400, 'both', 'a request the HTTP layer could not read at all'),
  INVALID_JSON: spec('ValidationError', 400, 'api', 'a request body that is not JSON'),
  INVALID_NEXT_TOKEN: spec('ValidationError', 400, 'api', 'a `next_token` that this listing did not issue'),
  INVALID_REPO_ID: spec('ValidationError', 400, 'api', 'a repository id that is not a GitHub `owner/repo`'),
  INVALID_REPO: spec('ValidationError', 400, 'cli', 'a repository argument that is not `owner/repo`'),
  CEDAR_POLICY_UNPROCESSABLE: spec('ValidationError', 422, 'api', 'a Cedar policy over the size or nesting bound, or one the engine fails on'),
  GUARDRAIL_VIOLATION: spec('ValidationError', 422, 'api', 'well-formed input the guardrails refuse (org, model, secret prefix)'),
  REPO_NOT_ONBOARDED: spec('ValidationError', 422, 'api', 'a task for a repository that is not onboarded or not `active`'),
  INVALID_ENV: spec('ValidationError', 400, 'both', 'an environment name that is not lowercase letters, digits and dashes'),
  INVALID_DIGEST: spec('ValidationError', 400, 'cli', 'an image digest that is not `sha256:<64 hex>`'),
  INVALID_TAG: spec('ValidationError', 400, 'cli', 'an image tag ECR would not accept'),
  FOREIGN_IMAGE: spec('ValidationError', 400, 'cli', "an image reference outside the platform's ECR repository"),
  INVALID_COMMIT: spec('ValidationError', 400, 'cli', 'a git commit that is not a hex SHA'),
  BAD_STATE_FILE: spec('ValidationError', 400, 'cli', 'a Terraform state file that cannot be read'),
  PLATFORM_INVALID: spec('ValidationError', 500, 'both', 'the `/abca/<env>/platform` document is missing a key or has a bad one'),
  CONFIG_INVALID: spec('ValidationError', 400, 'cli', "the CLI's config.json does not parse"),
  NOT_CONFIGURED: spec('ValidationError', 400, 'cli', 'no API URL or environment: run `bgagent configure`'),
  NOT_LOGGED_IN: spec('ValidationError', 401, 'cli', 'no stored session for this environment: run `bgagent login`'),
  SESSION_EXPIRED: spec('ValidationError', 401, 'cli', 'the stored session can no longer be refreshed'),
  AUTH_FAILED: spec('ValidationError', 401, 'cli', 'wrong username or password'),
  AUTH_CHALLENGE: spec('ValidationError', 401, 'cli', 'Cognito asks for a challenge (a new password) before sign-in'),
  AUTH_FLOW_DISABLED: spec('ValidationError', 401, 'cli', 'the app client does not allow USER_SRP_AUTH'),
  PASSWORD_RESET_REQUIRED: spec('ValidationError', 401, 'cli', 'Cognito requires a password reset'),
  USER_NOT_CONFIRMED: spec('ValidationError', 401, 'cli', 'the user is not confirmed'),
  CANCELLED: spec('ValidationError', 400, 'cli', 'the operator cancelled a prompt (Ctrl-C)'),
  INVALID_PORT: spec('ValidationError', 400, 'cli', 'a port that is not 1–65535'),
  INVALID_AGENT_URL: spec('ValidationError', 400, 'both', 'an agent URL that is not http(s)'),
  INVALID_SESSION_ID: spec('ValidationError', 400, 'both', 'a runtime session id AgentCore would refuse'),
  NO_AGENT_RUNTIME: spec('ValidationError', 500, 'both', 'no agent to invoke: the repository and the platform name no AgentCore runtime ARN'),
  INVALID_BLUEPRINT: spec('ValidationError', 400, 'cli', 'a Blueprint construct whose RepoConfig does not validate (at synth)'),
  INVALID_CONTEXT: spec('ValidationError', 400, 'cli', 'a cdktf context value that does not validate (at synth)'),
  INVALID_PATH: spec('ValidationError', 400, 'cli', 'a changed path the classifier cannot place'),
  INVALID_REF: spec('ValidationError', 400, 'cli', 'a git ref that is empty or looks like a flag'),
  HEAD_NOT_FOUND: spec('ValidationError', 400, 'cli', 'the head ref of a change does not exist'),
  BASE_NOT_FOUND: spec('ValidationError', 400, 'cli', 'the base ref does not exist or shares no history with head'),
  NOT_IN_GITHUB_ACTIONS: spec('ValidationError', 400, 'cli', 'a GitHub Actions mode used outside GitHub Actions'),
  UNPROCESSABLE: spec('ValidationError', 422, 'cli', 'a 422 answer without a code of its own'),
  // Not found (exit 2, 404)
  NOT_FOUND: spec('NotFoundError', 404, 'both', 'something named does not exist', { default: true }),
  REPO_NOT_FOUND: spec('NotFoundError', 404, 'api', 'no RepoConfig row for this repository'),
  TASK_NOT_FOUND: spec('NotFoundError', 404, 'api', 'no task with this id'),
  API_KEY_NOT_FOUND: spec('NotFoundError', 404, 'api', 'no API key with this id'),
  UNKNOWN_ENV: spec('NotFoundError', 404, 'both', 'no `/abca/<env>/platform` document: the environment is not deployed'),
  IMAGE_NOT_FOUND: spec('NotFoundError', 404, 'cli', "the image tag or digest is not in the platform's ECR repository"),
  VERSION_NOT_FOUND: spec('NotFoundError', 404, 'cli', 'the pointer has no such version or label'),
  NO_ROLLBACK_TARGET: spec('NotFoundError', 404, 'cli', 'no earlier good digest to roll back to'),
  // Authentication and authorization (exit 2, 401/403)
  UNAUTHORIZED: spec('UnauthorizedError', 401, 'api', 'no credentials', { default: true }),
  AMBIGUOUS_CREDENTIALS: spec('UnauthorizedError', 401, 'api', 'both a bearer token and an API key were sent'),
  INVALID_TOKEN: spec('UnauthorizedError', 401, 'api', 'a token that does not verify (signature, issuer, client, use)'),
  TOKEN_EXPIRED: spec('UnauthorizedError', 401, 'api', 'an expired access token'),
  INVALID_API_KEY: spec('UnauthorizedError', 401, 'api', 'an API key that is unknown or malformed'),
  API_KEY_REVOKED: spec('UnauthorizedError', 401, 'api', 'a revoked API key'),
  FORBIDDEN: spec('ForbiddenError', 403, 'api', "the caller's group or scopes do not allow this", { default: true }),
  PAYLOAD_TOO_LARGE: spec('PayloadTooLargeError', 413, 'api', 'a body over the size limit', { default: true }),
  // Conflicts (exit 3, 409/412)
  CONFLICT: spec('ConflictError', 409, 'both', 'state conflicts', { default: true }),
  PRECONDITION_FAILED: spec('ConflictError', 412, 'api', '`If-Match` names a version that is no longer current'),
  REPO_EXISTS: spec('ConflictError', 409, 'api', 'the repository is already onboarded'),
  REPO_LIMIT_REACHED: spec('ConflictError', 409, 'api', "the guardrails' `max_repos` is reached"),
  REPO_MANAGED_BY_IAC: spec('ConflictError', 409, 'api', 'the row was written by the Blueprint construct (`source: iac`): change it in IaC'),
  REPO_REMOVED: spec('ConflictError', 409, 'both', 'the repository is removed (re-onboard it first)'),
  ILLEGAL_TRANSITION: spec('ConflictError', 409, 'api', 'a task move its state machine does not allow'),
  IDEMPOTENCY_MISMATCH: spec('ConflictError', 409, 'api', 'an idempotency key reused for a different task'),
  TASK_STATE_CONFLICT: spec('ConflictError', 409, 'api', 'a task row changed under a conditional write'),
  LOCK_HELD: spec('ConflictError', 409, 'cli', "another publish holds the environment's deploy lock"),
  // Failures (exit 1, 5xx)
  OPERATION_FAILED: spec('OperationFailedError', 500, 'both', 'an operation failed', { default: true }),
  INTERNAL: spec('OperationFailedError', 500, 'both', 'an unexpected error; the request id identifies it in the logs'),
  GUARDRAILS_INVALID: spec(
    'OperationFailedError',
    503,
    'api',
    'the `/abca/<env>/guardrails` document does not parse or validate (the field is named); fix it with `bgagent guardrails edit`',
  ),
  AGENT_INVOCATION_FAILED: spec('OperationFailedError', 502, 'api', 'the agent could not be reached or answered badly'),
  AUTH_UNAVAILABLE: spec('AuthUnavailableError', 503, 'api', "the identity provider's signing keys could not be fetched", { default: true }),
  THROTTLED: spec('OperationFailedError', 429, 'cli', 'a 429 answer without a code of its own'),
  SERVER_ERROR: spec('OperationFailedError', 500, 'cli', 'a 5xx answer without a code of its own'),
  NETWORK: spec('OperationFailedError', 500, 'cli', 'the API or the AWS endpoint is unreachable'),
  WAIT_TIMEOUT: spec('OperationFailedError', 500, 'cli', 'a `--wait`/`watch` gave up after `--timeout`'),
  PROVISIONING_FAILED: spec('OperationFailedError', 500, 'cli', 'the repository ended `failed` under `--wait` (the reason is in the message)'),
  TASK_FAILED: spec('OperationFailedError', 500, 'cli', 'a watched task ended FAILED'),
  TASK_CANCELLED: spec('OperationFailedError', 500, 'cli', 'a watched task ended CANCELLED'),
  RUNTIME_FAILED: spec('OperationFailedError', 500, 'cli', 'the runtime ended `*_FAILED` after an update'),
  RUNTIME_TIMEOUT: spec('OperationFailedError', 500, 'cli', 'the runtime did not reach READY in time'),
  SMOKE_FAILED: spec('OperationFailedError', 500, 'cli', 'the smoke check failed'),
  ROLLED_BACK: spec('OperationFailedError', 500, 'cli', 'the publish failed and the previous digest was restored'),
  RESTORE_FAILED: spec('OperationFailedError', 500, 'cli', 'the publish failed and restoring the previous digest failed too'),
  GIT_FAILED: spec('OperationFailedError', 500, 'cli', 'git could not run or failed'),
  WRONG_DOMAIN_LIST: spec('OperationFailedError', 500, 'both', 'the DNS Firewall domain list is not the one the platform owns'),
  DOMAIN_LIST_BUSY: spec('OperationFailedError', 500, 'both', 'the DNS Firewall domain list stayed UPDATING past the wait, or is being deleted'),
  MOTO_MISSING: spec('OperationFailedError', 500, 'cli', 'moto server is not installed'),
  MOTO_START_FAILED: spec('OperationFailedError', 500, 'cli', 'moto server did not start'),
  MOTO_RESET_FAILED: spec('OperationFailedError', 500, 'cli', 'moto server did not reset'),
  MOTO_CONFIG_FAILED: spec('OperationFailedError', 500, 'cli', 'moto server refused its configuration'),
  NOT_LOOPBACK: spec('OperationFailedError', 500, 'cli', 'the local tools refuse an endpoint that is not loopback'),
  DEMO_FAILED: spec('OperationFailedError', 500, 'cli', 'a step of `npm run demo` did not do what it said'),
  // Declared at integration
  STATE_BUCKET_FORBIDDEN: spec(
    'ConflictError',
    409,
    'cli',
    'S3 bucket … exists but this account cannot use it (owned by another account?): choose another --state-bucket',
  ),
  STATE_BUCKET_TAKEN: spec('ConflictError', 409, 'cli', 'S3 bucket name … is taken (bucket names are global): choose another --state-bucket'),
  REPOSITORY_NOT_FOUND: spec('NotFoundError', 404, 'cli', 'ECR repository … does not exist (the deploy-ecr step creates it)'),
  DOCKER_LOGIN_FAILED: spec('OperationFailedError', 500, 'cli', 'docker login to … failed (exit …)'),
  ECR_DELETE_FAILED: spec('OperationFailedError', 500, 'cli', 'could not delete … image(s) from …: …'),
  ECR_LOGIN_FAILED: spec('OperationFailedError', 500, 'cli', 'ECR returned no authorization token'),
  GITHUB_FAILED: spec('OperationFailedError', 500, 'cli', 'gh could not list the branch policies of … (exit …)'),
  IMAGE_BUILD_FAILED: spec('OperationFailedError', 500, 'cli', 'docker buildx build failed (exit …); run the same command again to resume'),
  IMAGE_PUSH_FAILED: spec('OperationFailedError', 500, 'cli', 'image … is not in … after the push'),
  LOCAL_NETWORK_FAILED: spec('OperationFailedError', 500, 'cli', "the emulator's EC2 offers … availability zone(s); the runtime needs …"),
  NO_CREDENTIALS: spec('OperationFailedError', 500, 'cli', 'cannot read the AWS account (credentials?): …'),
  RUNTIME_NOT_READY: spec('OperationFailedError', 500, 'cli', 'runtime-status still reports drift or not READY after the first deploy'),
  STEP_FAILED: spec('OperationFailedError', 500, 'cli', '… failed (exit …): …; fix the cause and run the same command again (it resumes)'),
  GH_NOT_READY: spec('ValidationError', 400, 'cli', '--apply-github needs gh installed and signed in (gh auth login)'),
  REMOTE_STATE_REQUIRED: spec('ValidationError', 400, 'cli', 'a CI plan or apply without a remote state backend (set the state bucket)'),
  STATE_INVALID: spec('ValidationError', 400, 'cli', 'the Terraform state object is not JSON'),
  SYNTH_MISSING: spec('ValidationError', 400, 'cli', 'no synthesized stack at … (did the synth step run?)'),
  TOOL_MISSING: spec('ValidationError', 400, 'cli', 'a tool the step needs (terraform, docker, gh) is not installed'),
  UNKNOWN_CONTEXT_KEY: spec('ValidationError', 400, 'cli', 'a cdktf context key the stack does not know'),
  // Declared at integration
  STATE_CONFLICT: spec('ConflictError', 409, 'cli', 'the local Terraform state differs from the remote state: refused rather than overwritten'),
  REVOKE_FAILED: spec('OperationFailedError', 500, 'cli', 'Cognito refused to revoke the refresh token at logout (the local session is deleted anyway)'),
  API_KEY_EXPIRED: spec('UnauthorizedError', 401, 'api', 'an API key past its `expires_at`'),
  CONFIRMATION_REQUIRED: spec('ValidationError', 400, 'cli', 'teardown without `--confirm <env>` naming the environment'),
  GITHUB_REVIEWER_NOT_FOUND: spec('ValidationError', 400, 'cli', 'a `--github-reviewer` that is not a GitHub user'),
  // Declared at integration
  ENDPOINT_NOT_FOUND: spec('NotFoundError', 404, 'cli', 'the runtime has no endpoint of that name (`live`, `canary`): deploy infra'),
  ENDPOINT_FAILED: spec('OperationFailedError', 500, 'cli', 'an endpoint ended `*_FAILED` while moving to a version'),
  ENDPOINT_TIMEOUT: spec('OperationFailedError', 500, 'cli', 'an endpoint did not serve the target version in time'),
  LABEL_REFUSED: spec('OperationFailedError', 500, 'cli', 'SSM refused label(s) … on …:…'),
  PLAN_INVALID: spec('OperationFailedError', 500, 'cli', 'plan refers to the new version before UpdateAgentRuntime created it'),
  RUNTIME_NO_VERSION: spec('OperationFailedError', 500, 'cli', 'UpdateAgentRuntime returned no agentRuntimeVersion'),
  // Declared at integration
  NO_PROMOTION_POLICY: spec('NotFoundError', 404, 'cli', 'the target environment has no `/abca/<env>/promotion-policy` (deploy infra, or bootstrap locally)'),
  DIGEST_CHANGED: spec('OperationFailedError', 500, 'cli', 'ECR stored the copied manifest under another digest'),
  IMAGE_COPY_FAILED: spec('OperationFailedError', 500, 'cli', 'ECR still refuses the copied image after uploading its missing blobs'),
  LAYER_DIGEST_MISMATCH: spec('OperationFailedError', 500, 'cli', 'a blob downloaded from the source repository does not hash to its digest'),
  LAYER_DOWNLOAD_FAILED: spec('OperationFailedError', 500, 'cli', 'a source blob could not be downloaded'),
  BAD_MANIFEST: spec('ValidationError', 400, 'cli', 'the source image manifest is not JSON'),
  DIGEST_NOT_PROMOTABLE: spec('ValidationError', 400, 'cli', 'the digest did not succeed (with its smoke passed) in the source environment'),
  NO_SOURCE_DIGEST: spec('ValidationError', 400, 'cli', "the source environment's `live` serves no digest-pinned image: give `--digest`"),
  PROMOTION_NOT_ALLOWED: spec('ValidationError', 400, 'cli', "the target environment's promotion policy does not accept the source environment"),
  PROMOTION_POLICY_INVALID: spec('ValidationError', 400, 'cli', 'the `/abca/<env>/promotion-policy` document does not validate'),
  // Configuration history and validated policy edits (issue 24)
  REPO_VERSION_NOT_FOUND: spec('NotFoundError', 404, 'cli', 'a repository version that does not exist or that the audit log does not reach back to'),
  REVERT_IMPOSSIBLE: spec(
    'ValidationError',
    422,
    'cli',
    'a revert to a version whose value the audit log holds only as a digest, or that would clear a required field',
  ),
  POLICY_INVALID: spec('ValidationError', 400, 'cli', 'a policy parameter value (guardrails, promotion policy) that does not validate; the field is named'),
  COMPUTE_TYPE_UNSUPPORTED: spec(
    'ValidationError',
    422,
    'api',
    "a task for a repository whose `compute_type` this platform does not run (an upstream Blueprint row's `ecs`, `lambda-microvm`)",
  ),
  POLICY_CHANGED: spec('ConflictError', 409, 'cli', 'the policy parameter changed while this edit was applied; read it again and retry'),
  // Releases that protect themselves (issue 23)
  RELEASE_POLICY_INVALID: spec('ValidationError', 400, 'cli', 'the `/abca/<env>/release-policy` document does not validate (the field is named)'),
  NO_RELEASE_POLICY: spec('NotFoundError', 404, 'cli', 'the environment has no `/abca/<env>/release-policy` (deploy infra, or bootstrap locally)'),
  CANARY_CHECK_FAILED: spec(
    'OperationFailedError',
    500,
    'cli',
    "the platform's canary check failed on `canary` (invocation, digest or golden task): live never moved",
  ),
  BAKE_BREACH: spec(
    'OperationFailedError',
    500,
    'cli',
    'the bake window saw the new version breach the release policy: live was moved back to the previous version',
  ),
  NOTHING_TO_BAKE: spec('NotFoundError', 404, 'cli', 'no publish in the audit moved `live` that a bake could watch'),
  // Workshop console and user management (issue 25)
  AUTH_NEW_PASSWORD_REFUSED: spec('ValidationError', 400, 'cli', "Cognito refused the new password (the pool's password policy)"),
  USER_EXISTS: spec('ConflictError', 409, 'api', 'a user with this name already exists in the pool'),
  USER_NOT_FOUND: spec('NotFoundError', 404, 'api', 'no user with this name in the pool'),
  CANNOT_REMOVE_SELF: spec('ConflictError', 409, 'api', 'an admin cannot remove their own user (another admin can)'),
} as const satisfies Record<string, ErrorSpec>;

/**
 * Old names, accepted where an error is raised and reported as the code they stand for. `USAGE` and
 * `INVALID_FLAG` were the CLI's names for what the API calls VALIDATION_ERROR; one code now.
 */
export const ERROR_CODE_ALIASES = {
  USAGE: 'VALIDATION_ERROR',
  INVALID_FLAG: 'VALIDATION_ERROR',
} as const satisfies Record<string, keyof typeof ERROR_CODES>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorCodeAlias = keyof typeof ERROR_CODE_ALIASES;
/** The codes of one class, plus the aliases that stand for one of them. */
export type CodeOf<C extends ErrorClassName> =
  | { [K in ErrorCode]: (typeof ERROR_CODES)[K]['class'] extends C ? K : never }[ErrorCode]
  | { [A in ErrorCodeAlias]: (typeof ERROR_CODES)[(typeof ERROR_CODE_ALIASES)[A]]['class'] extends C ? A : never }[ErrorCodeAlias];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/** The declared code a name stands for (itself, or what an alias names). */
export function canonicalCode(code: ErrorCode | ErrorCodeAlias): ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODE_ALIASES, code) ? ERROR_CODE_ALIASES[code as ErrorCodeAlias] : (code as ErrorCode);
}

export function exitCodeOfCode(code: ErrorCode): ExitCode {
  return ERROR_CLASSES[ERROR_CODES[code].class].exit;
}

export function defaultCodeOf(cls: ErrorClassName): ErrorCode {
  const found = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c].class === cls && 'default' in ERROR_CODES[c]);
  if (!found) throw new Error(`error class ${cls} has no default code in the catalogue`);
  return found;
}
