/**
 * The OpenAPI 3.1 document served at `/v1/openapi.json`, built from the same zod schemas that
 * validate requests, so the description cannot drift from what the API accepts.
 */
import { z } from 'zod';
import { API_KEY_SCOPES } from '../auth/principal';
import { ApiKeyCreateSchema } from '../auth/api-keys';
import { UserInviteSchema } from '../auth/users';
import { LIST_LIMIT } from './http';
import { REPO_STATUSES, RepoConfigInputSchema, RepoConfigPatchSchema, RepoConfigViewSchema } from '../repos/repo-config';
import { RepoHistoryPageSchema } from '../repos/history';
import { GithubTokenBodySchema } from '../repos/token-secrets';
import { MAX_BODY_BYTES } from './middleware';
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, TASK_STATES, TaskInputSchema } from '../tasks';

type Json = Record<string, unknown>;

const ApiKeyViewSchema = z.object({
  key_id: z.string().regex(/^[a-f0-9]{16}$/),
  name: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  created_at: z.string(),
  created_by: z.string(),
  revoked_at: z.string().optional(),
  revoked_by: z.string().optional(),
  expires_at: z.string().optional(),
});

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});

function schema(s: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const error = (description: string) => ({ description, ...json('Error') });

const ETAG_HEADER = { ETag: { description: 'The row version, quoted: send it back in If-Match', schema: { type: 'string' } } };
const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'Write only if the row is still at this version (ETag); 412 otherwise',
  schema: { type: 'string' },
};
const REPO_PATH = [
  { name: 'owner', in: 'path', required: true, description: 'GitHub user or organization', schema: { type: 'string', maxLength: 39 } },
  { name: 'repo', in: 'path', required: true, description: 'GitHub repository name', schema: { type: 'string', maxLength: 100 } },
];
const USERNAME = { name: 'username', in: 'path', required: true, schema: { type: 'string', maxLength: 128 } };
const TASK_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
/** Users (by group) or API keys (by scope). */
const USER_OR_KEY = [{ cognito: [] }, { apiKey: [] }];

const COMMON_ERRORS = {
  '400': error('Malformed request: bad JSON, wrong types, unknown fields, bad ids (`{"error":{"code","message","details"}}`)'),
  '401': error('No credentials, or invalid, expired or revoked ones'),
  '403': error('Authenticated, but the group or key scope does not allow this'),
};

let cached: Json | undefined;

export function openApiDocument(): Json {
  cached ??= build();
  return cached;
}

function build(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ABCA control plane API',
      version: '1.0.0',
      description:
        'Runtime repository onboarding (the config layer) and agent tasks. Authenticate with a Cognito access token (`Authorization: Bearer …`, group `admin` to write, `admin` or `operator` to read) or a scoped API key (`X-Api-Key: bgak_<id>_<secret>`).',
    },
    paths: {
      '/v1/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/v1/repos': {
        post: {
          operationId: 'onboardRepo',
          summary: 'Onboard a repository (or restore a removed one)',
          description: 'Admin or `repos:write`. The row starts `provisioning`; the provisioner makes it `active` or `failed`.',
          security: USER_OR_KEY,
          requestBody: { required: true, ...json('RepoConfigInput') },
          responses: {
            '201': { description: 'Onboarded', headers: ETAG_HEADER, ...json('RepoConfig') },
            ...COMMON_ERRORS,
            '409': error('Already onboarded (REPO_EXISTS), declared in IaC (REPO_MANAGED_BY_IAC) or the repository limit is reached (REPO_LIMIT_REACHED)'),
            '413': error(`Body larger than ${MAX_BODY_BYTES} bytes`),
            '422': error('Refused by the guardrails (GUARDRAIL_VIOLATION): organization, model or secret prefix'),
          },
        },
        get: {
          operationId: 'listRepos',
          summary: 'List repositories (not removed ones unless status=removed)',
          security: USER_OR_KEY,
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: [...REPO_STATUSES] } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default } },
            { name: 'next_token', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'One page', ...json('RepoList') }, ...COMMON_ERRORS },
        },
      },
      '/v1/repos/{owner}/{repo}': {
        parameters: REPO_PATH,
        get: {
          operationId: 'getRepo',
          summary: 'One repository, with its ETag',
          security: USER_OR_KEY,
          responses: {
            '200': { description: 'The row', headers: ETAG_HEADER, ...json('RepoConfig') },
            ...COMMON_ERRORS,
            '404': error('Not onboarded (REPO_NOT_FOUND)'),
          },
        },
        patch: {
          operationId: 'patchRepo',
          summary: 'Change settings (JSON merge patch: null clears an optional setting)',
          security: USER_OR_KEY,
          parameters: [IF_MATCH],
          requestBody: { required: true, ...json('RepoConfigPatch') },
          responses: {
            '200': { description: 'Changed (back to provisioning) or unchanged', headers: ETAG_HEADER, ...json('RepoConfig') },
            ...COMMON_ERRORS,
            '404': error('Not onboarded'),
            '409': error('Declared in IaC (REPO_MANAGED_BY_IAC) or removed (REPO_REMOVED)'),
            '412': error('If-Match names another version (PRECONDITION_FAILED)'),
            '413': error('Body too large'),
            '422': error('Refused by the guardrails'),
          },
        },
        delete: {
          operationId: 'removeRepo',
          summary: 'Soft delete: status removed with a TTL; onboarding again restores it',
          security: USER_OR_KEY,
          parameters: [IF_MATCH],
          responses: {
            '200': { description: 'Removed', headers: ETAG_HEADER, ...json('RepoConfig') },
            ...COMMON_ERRORS,
            '404': error('Not onboarded'),
            '409': error('Declared in IaC (REPO_MANAGED_BY_IAC)'),
            '412': error('If-Match names another version'),
          },
        },
      },
      '/v1/repos/{owner}/{repo}/history': {
        parameters: REPO_PATH,
        get: {
          operationId: 'getRepoHistory',
          summary: "A repository's changes, newest first: who, when, the request id, each changed field's old and new value, the resulting version",
          description: 'Secret references appear as "changed", never their value. Rows declared in IaC show their history too (read-only).',
          security: USER_OR_KEY,
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default } },
            { name: 'next_token', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'One page', ...json('RepoHistory') }, ...COMMON_ERRORS, '404': error('Not onboarded (REPO_NOT_FOUND)') },
        },
      },
      '/v1/repos/{owner}/{repo}/github-token': {
        parameters: REPO_PATH,
        put: {
          operationId: 'putGithubToken',
          summary: 'Store the GitHub token in Secrets Manager and point the row at it (the token is never returned)',
          security: USER_OR_KEY,
          parameters: [IF_MATCH],
          requestBody: { required: true, ...json('GithubTokenBody') },
          responses: {
            '200': { description: 'The row, with github_token_secret_arn set', headers: ETAG_HEADER, ...json('RepoConfig') },
            ...COMMON_ERRORS,
            '404': error('Not onboarded'),
            '409': error('Declared in IaC or removed'),
            '412': error('If-Match names another version'),
          },
        },
      },
      '/v1/api-keys': {
        post: {
          operationId: 'createApiKey',
          summary: 'Create a scoped API key (Cognito admin only); the key is shown only in this response',
          security: [{ cognito: [] }],
          requestBody: { required: true, ...json('ApiKeyCreate') },
          responses: { '201': { description: 'Created', ...json('ApiKeyCreated') }, ...COMMON_ERRORS },
        },
        get: {
          operationId: 'listApiKeys',
          summary: 'List API keys (never their secrets)',
          security: [{ cognito: [] }],
          responses: { '200': { description: 'Every key', ...json('ApiKeyList') }, ...COMMON_ERRORS },
        },
      },
      '/v1/api-keys/{key_id}': {
        parameters: [{ name: 'key_id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-f0-9]{16}$' } }],
        delete: {
          operationId: 'revokeApiKey',
          summary: 'Revoke an API key (idempotent)',
          security: [{ cognito: [] }],
          responses: { '200': { description: 'The revoked key', ...json('ApiKey') }, ...COMMON_ERRORS, '404': error('No such key (API_KEY_NOT_FOUND)') },
        },
      },
      '/v1/tasks': {
        post: {
          operationId: 'submitTask',
          summary: 'Submit a task to an active repository; it runs in the background',
          description: 'A Cognito user (admin or operator) or `tasks:submit`. With an idempotency_key, the same submission returns the same task (200).',
          security: USER_OR_KEY,
          requestBody: { required: true, ...json('TaskInput') },
          responses: {
            '201': { description: 'Submitted', ...json('Task') },
            '200': { description: 'The task an earlier submission with this idempotency key created', ...json('Task') },
            ...COMMON_ERRORS,
            '409': error('The idempotency key was used for another task (IDEMPOTENCY_MISMATCH)'),
            '413': error('Body too large'),
            '422': error('The repository is not onboarded and active (REPO_NOT_ONBOARDED)'),
          },
        },
        get: {
          operationId: 'listTasks',
          summary: 'List tasks, newest first',
          security: USER_OR_KEY,
          parameters: [
            { name: 'repo', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: [...TASK_STATES] } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, default: LIST_LIMIT_DEFAULT } },
            { name: 'next_token', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'One page', ...json('TaskList') }, ...COMMON_ERRORS },
        },
      },
      '/v1/tasks/{id}': {
        parameters: [TASK_ID],
        get: {
          operationId: 'getTask',
          summary: "One task and its state (another user's task is 404 unless the caller is an admin)",
          security: USER_OR_KEY,
          responses: { '200': { description: 'The task', ...json('Task') }, ...COMMON_ERRORS, '404': error('No such task (TASK_NOT_FOUND)') },
        },
      },
      '/v1/tasks/{id}/cancel': {
        parameters: [TASK_ID],
        post: {
          operationId: 'cancelTask',
          summary: 'Cancel a SUBMITTED or RUNNING task (and stop its AgentCore session)',
          security: USER_OR_KEY,
          responses: {
            '200': { description: 'Cancelled', ...json('Task') },
            ...COMMON_ERRORS,
            '404': error('No such task'),
            '409': error('The task has already finished (ILLEGAL_TRANSITION)'),
          },
        },
      },
      '/v1/environment': {
        get: {
          operationId: 'getEnvironment',
          summary: 'What live and canary serve (digest, version, since, by whom, commit, CI run), drift with its fix, and the release timeline',
          description: 'Any reader (admin, operator, or `repos:read`). The same facts as `bgagent runtime status` and `runtime history`.',
          security: USER_OR_KEY,
          responses: { '200': { description: 'The environment', ...json('Environment') }, ...COMMON_ERRORS },
        },
      },
      '/v1/users': {
        post: {
          operationId: 'inviteUser',
          summary: 'Invite a user (Cognito admin only): created with a temporary password, shown only in this response, in the operator group by default',
          security: [{ cognito: [] }],
          requestBody: { required: true, ...json('UserInvite') },
          responses: { '201': { description: 'Invited', ...json('UserInvited') }, ...COMMON_ERRORS, '409': error('The user name is taken (USER_EXISTS)') },
        },
        get: {
          operationId: 'listUsers',
          summary: "The pool's users with their groups (Cognito admin only)",
          security: [{ cognito: [] }],
          responses: { '200': { description: 'Every user', ...json('UserList') }, ...COMMON_ERRORS },
        },
      },
      '/v1/users/{username}': {
        parameters: [USERNAME],
        delete: {
          operationId: 'removeUser',
          summary: 'Remove a user (Cognito admin only; not yourself)',
          security: [{ cognito: [] }],
          responses: {
            '200': { description: 'Removed', ...json('UserRemoved') },
            ...COMMON_ERRORS,
            '404': error('No such user (USER_NOT_FOUND)'),
            '409': error('Removing yourself (CANNOT_REMOVE_SELF)'),
          },
        },
      },
      '/v1/users/{username}/reset-password': {
        parameters: [USERNAME],
        post: {
          operationId: 'resetUserPassword',
          summary: 'Give a user a new temporary password (shown only in this response) and end their sessions (Cognito admin only)',
          security: [{ cognito: [] }],
          responses: { '200': { description: 'Reset', ...json('UserPasswordReset') }, ...COMMON_ERRORS, '404': error('No such user (USER_NOT_FOUND)') },
        },
      },
    },
    components: {
      securitySchemes: {
        cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Cognito access token of the platform user pool and app client' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'bgak_<id>_<secret>, scopes repos:read, repos:write, tasks:submit' },
      },
      schemas: {
        RepoConfigInput: schema(RepoConfigInputSchema, 'input'),
        RepoConfigPatch: schema(RepoConfigPatchSchema, 'input'),
        RepoConfig: schema(RepoConfigViewSchema, 'output'),
        RepoList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('RepoConfig') }, next_token: { type: 'string' } } },
        GithubTokenBody: schema(GithubTokenBodySchema, 'input'),
        RepoHistory: schema(RepoHistoryPageSchema, 'output'),
        ApiKeyCreate: schema(ApiKeyCreateSchema, 'input'),
        ApiKey: schema(ApiKeyViewSchema, 'output'),
        ApiKeyCreated: {
          allOf: [
            ref('ApiKey'),
            { type: 'object', required: ['api_key'], properties: { api_key: { type: 'string', pattern: '^bgak_[a-f0-9]{16}_[a-f0-9]{64}$' } } },
          ],
        },
        ApiKeyList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('ApiKey') } } },
        TaskInput: schema(TaskInputSchema, 'input'),
        Task: {
          type: 'object',
          required: ['task_id', 'repo', 'description', 'status', 'created_at', 'updated_at'],
          properties: {
            task_id: { type: 'string' },
            repo: { type: 'string' },
            description: { type: 'string' },
            status: { type: 'string', enum: [...TASK_STATES] },
            status_reason: { type: 'string' },
            idempotency_key: { type: 'string' },
            submitted_by: { type: 'string' },
            config: { type: 'object', description: 'The settings the agent ran with: the RepoConfig over platform defaults' },
            result: { type: 'object' },
            runtime_session_id: { type: 'string' },
            runtime_arn: { type: 'string' },
            runtime_qualifier: { type: 'string', description: 'The AgentCore endpoint the session was started on (live)' },
            heartbeat_at: { type: 'string', description: "The agent's last heartbeat (it writes one every 30 s while it works)" },
            progress: { type: 'string', description: "The agent's last progress line" },
            cancelled_by: { type: 'string' },
            created_at: { type: 'string' },
            updated_at: { type: 'string' },
            started_at: { type: 'string' },
            finished_at: { type: 'string' },
            version: { type: 'integer' },
          },
        },
        TaskList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Task') }, next_token: { type: 'string' } } },
        Served: {
          type: 'object',
          required: ['endpoint'],
          properties: {
            endpoint: { type: 'string' },
            version: { type: 'string' },
            digest: { type: 'string' },
            status: { type: 'string' },
            mmdsv2: { type: 'boolean' },
            since: { type: 'string', description: 'When the move that left this version served happened' },
            by: { type: 'string' },
            action: { type: 'string' },
            git_commit: { type: 'string' },
            ci_run_url: { type: 'string' },
            reason: { type: 'string' },
          },
        },
        TimelineEntry: {
          type: 'object',
          required: ['digest', 'labels'],
          properties: {
            at: { type: 'string' },
            action: { type: 'string', description: 'publish, rollback, restore, reapply' },
            outcome: { type: 'string' },
            actor: { type: 'string' },
            digest: { type: 'string' },
            from_digest: { type: 'string' },
            pointer_version: { type: 'integer' },
            runtime_version: { type: 'string' },
            labels: { type: 'array', items: { type: 'string' } },
            reason: { type: 'string' },
            git_commit: { type: 'string' },
            ci_run_url: { type: 'string' },
            error: { type: 'string' },
            path: { type: 'string' },
          },
        },
        Environment: {
          type: 'object',
          required: ['env', 'in_sync', 'drift', 'notes', 'pointer', 'live', 'canary', 'timeline'],
          properties: {
            env: { type: 'string' },
            in_sync: { type: 'boolean' },
            drift: { type: 'array', items: { type: 'string' } },
            notes: { type: 'array', items: { type: 'string' } },
            fix: { type: 'string', description: 'The one command that repairs the drift' },
            pointer: { type: 'object', required: ['digest', 'version'], properties: { digest: { type: 'string' }, version: { type: 'integer' } } },
            live: ref('Served'),
            canary: ref('Served'),
            timeline: { type: 'array', items: ref('TimelineEntry') },
          },
        },
        UserInvite: schema(UserInviteSchema, 'input'),
        User: {
          type: 'object',
          required: ['username', 'groups'],
          properties: {
            username: { type: 'string' },
            status: { type: 'string', description: 'Cognito UserStatus: FORCE_CHANGE_PASSWORD until the first sign-in, then CONFIRMED' },
            enabled: { type: 'boolean' },
            email: { type: 'string' },
            groups: { type: 'array', items: { type: 'string' } },
            created_at: { type: 'string' },
          },
        },
        UserInvited: { allOf: [ref('User'), { type: 'object', required: ['temporary_password'], properties: { temporary_password: { type: 'string' } } }] },
        UserList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('User') } } },
        UserRemoved: { type: 'object', required: ['username', 'removed'], properties: { username: { type: 'string' }, removed: { type: 'boolean' } } },
        UserPasswordReset: {
          type: 'object',
          required: ['username', 'temporary_password'],
          properties: { username: { type: 'string' }, temporary_password: { type: 'string' } },
        },
        Error: schema(ErrorSchema, 'output'),
      },
    },
  };
}
