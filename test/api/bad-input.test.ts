/**
 * Bad input over real HTTP: a corpus of malformed requests, then random bodies (fast-check) thrown
 * at POST and PATCH. Every answer is a 4xx with `{"error":{"code","message"}}`, never a 500, and a
 * refused request writes nothing (rows, the repository counter and the audit trail are unchanged).
 */
import * as http from 'node:http';
import fc from 'fast-check';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RepoCounter } from '../../src/repos/counter';
import { reposAuditStream } from '../../src/audit/events';
import { MAX_BODY_BYTES } from '../../src/api/middleware';
import { MODEL, useApi, type Harness, type Reply } from './support';

// The provisioner is off here: rows stay exactly as written, so "unchanged" is exact.
const harness = useApi({ env: 'badinput', provision: false });

interface Snapshot {
  rows: unknown[];
  slots: number;
  audit: number;
}

async function snapshot(h: Harness): Promise<Snapshot> {
  const rows = await h.clients.doc.send(new ScanCommand({ TableName: h.platform.tables.repos, ConsistentRead: true }));
  const audit = await h.clients.doc.send(
    new QueryCommand({
      TableName: h.platform.tables.audit,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'stream' },
      ExpressionAttributeValues: { ':s': reposAuditStream(h.env) },
      Select: 'COUNT',
    }),
  );
  const sorted = (rows.Items ?? []).sort((a, b) => String(a.repo).localeCompare(String(b.repo)));
  return { rows: sorted, slots: await new RepoCounter(h.clients.doc, h.platform.tables.repos).current(), audit: audit.Count ?? 0 };
}

function expectErrorShape(r: Reply<unknown>): void {
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  const body = r.body as { error?: Record<string, unknown> };
  expect(body).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) }) });
  expect(Object.keys(body.error!).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
}

beforeAll(async () => {
  const h = harness();
  const created = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'fuzz/target', model_id: MODEL } });
  expect(created.status).toBe(201);
});

const big = 'x'.repeat(MAX_BODY_BYTES + 1);
type Req = { method?: string; path?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; streamed?: boolean };
const CORPUS: [string, Req, number, string][] = [
  // bad JSON
  ['truncated JSON', { rawBody: '{"repo": "acme/x"' }, 400, 'INVALID_JSON'],
  ['JSON with a trailing comma', { rawBody: '{"repo": "acme/x",}' }, 400, 'INVALID_JSON'],
  ['an empty body', { rawBody: '' }, 400, 'INVALID_JSON'],
  ['a JSON array', { rawBody: '[]' }, 400, 'VALIDATION_ERROR'],
  ['JSON null', { rawBody: 'null' }, 400, 'VALIDATION_ERROR'],
  ['a JSON string', { rawBody: '"acme/x"' }, 400, 'VALIDATION_ERROR'],
  ['not JSON at all (form data)', { rawBody: 'repo=acme/x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 400, 'INVALID_JSON'],
  ['a __proto__ key', { rawBody: '{"repo":"acme/proto","__proto__":{"admin":true}}' }, 400, 'VALIDATION_ERROR'],
  // wrong types and ranges
  ['repo as a number', { body: { repo: 42 } }, 400, 'VALIDATION_ERROR'],
  ['no repo', { body: { max_turns: 5 } }, 400, 'VALIDATION_ERROR'],
  ['max_turns as a string', { body: { repo: 'acme/x', max_turns: '10' } }, 400, 'VALIDATION_ERROR'],
  ['max_turns fractional', { body: { repo: 'acme/x', max_turns: 10.5 } }, 400, 'VALIDATION_ERROR'],
  ['max_budget_usd below 0.01', { body: { repo: 'acme/x', max_budget_usd: 0.001 } }, 400, 'VALIDATION_ERROR'],
  ['max_budget_usd above 100', { body: { repo: 'acme/x', max_budget_usd: 100.01 } }, 400, 'VALIDATION_ERROR'],
  ['approval_gate_cap 0', { body: { repo: 'acme/x', approval_gate_cap: 0 } }, 400, 'VALIDATION_ERROR'],
  ['approval_gate_cap 501', { body: { repo: 'acme/x', approval_gate_cap: 501 } }, 400, 'VALIDATION_ERROR'],
  ['poll_interval_ms as a huge number', { rawBody: '{"repo":"acme/x","poll_interval_ms":1e309}' }, 400, 'VALIDATION_ERROR'],
  ['an unknown field', { body: { repo: 'acme/x', colour: 'blue' } }, 400, 'VALIDATION_ERROR'],
  ['an unknown compute type', { body: { repo: 'acme/x', compute_type: 'ec2' } }, 400, 'VALIDATION_ERROR'],
  ['a Cedar policy that does not parse', { body: { repo: 'acme/x', cedar_policies: ['permit(principal'] } }, 400, 'VALIDATION_ERROR'],
  [
    'egress entries that are not domains',
    { body: { repo: 'acme/x', egress_allowlist: ['https://evil.com/x', '*', '10.0.0.1', 'a..b.com'] } },
    400,
    'VALIDATION_ERROR',
  ],
  ['egress_allowlist as a string', { body: { repo: 'acme/x', egress_allowlist: 'github.com' } }, 400, 'VALIDATION_ERROR'],
  // path traversal and look-alikes in the repository id
  ['a traversal in the body repo', { body: { repo: '../../etc/passwd' } }, 400, 'VALIDATION_ERROR'],
  ['a dot-dot repository name', { body: { repo: 'acme/..' } }, 400, 'VALIDATION_ERROR'],
  ['a Cyrillic look-alike owner', { body: { repo: '\u0430cme/widgets' } }, 400, 'VALIDATION_ERROR'],
  ['a fullwidth look-alike name', { body: { repo: 'acme/\uff57idgets' } }, 400, 'VALIDATION_ERROR'],
  ['a zero-width joiner', { body: { repo: 'ac\u200dme/widgets' } }, 400, 'VALIDATION_ERROR'],
  ['a right-to-left override', { body: { repo: 'acme/\u202egdiw' } }, 400, 'VALIDATION_ERROR'],
  ['a traversal in the path', { method: 'GET', path: '/v1/repos/..%2F..%2Fetc/passwd' }, 400, 'INVALID_REPO_ID'],
  // URL parsing resolves dot segments (encoded or not) before routing: they cannot climb out of /v1.
  ['an encoded dot-dot owner in the path', { method: 'PATCH', path: '/v1/repos/%2e%2e/target', body: { max_turns: 3 } }, 404, 'NOT_FOUND'],
  ['dot-dot segments climbing out of the API', { method: 'DELETE', path: '/v1/repos/../../../etc/passwd' }, 404, 'NOT_FOUND'],
  ['an encoded slash in the owner', { method: 'DELETE', path: '/v1/repos/fuzz%2Ftarget/x' }, 400, 'INVALID_REPO_ID'],
  ['a look-alike in the path', { method: 'DELETE', path: '/v1/repos/fuzz/t%D0%B0rget' }, 400, 'INVALID_REPO_ID'],
  ['a NUL in the path', { method: 'GET', path: '/v1/repos/fuzz/tar%00get' }, 400, 'INVALID_REPO_ID'],
  // control characters
  ['a NUL in the repo id', { body: { repo: 'acme/wid\u0000gets' } }, 400, 'VALIDATION_ERROR'],
  ['a newline in build_command', { body: { repo: 'acme/x', build_command: 'npm ci\nrm -rf /' } }, 400, 'VALIDATION_ERROR'],
  ['a bell in the system prompt', { body: { repo: 'acme/x', system_prompt_overrides: 'be nice\u0007' } }, 400, 'VALIDATION_ERROR'],
  // oversize
  ['51 egress entries', { body: { repo: 'acme/x', egress_allowlist: Array.from({ length: 51 }, (_, i) => `d${i}.example.com`) } }, 400, 'VALIDATION_ERROR'],
  [
    '21 Cedar policies',
    { body: { repo: 'acme/x', cedar_policies: Array.from({ length: 21 }, () => 'permit(principal, action, resource);') } },
    400,
    'VALIDATION_ERROR',
  ],
  ['an array of 20000 numbers', { body: { repo: 'acme/x', egress_allowlist: Array.from({ length: 20000 }, (_, i) => i) } }, 400, 'VALIDATION_ERROR'],
  ['a body over the size limit', { body: { repo: 'acme/x', system_prompt_overrides: big } }, 413, 'PAYLOAD_TOO_LARGE'],
  ['a body over the limit sent without Content-Length', { streamed: true }, 413, 'PAYLOAD_TOO_LARGE'],
  ['a 17000-character system prompt', { body: { repo: 'acme/x', system_prompt_overrides: 'y'.repeat(17000) } }, 400, 'VALIDATION_ERROR'],
  ['a 141-character repository id', { body: { repo: `acme/${'r'.repeat(136)}` } }, 400, 'VALIDATION_ERROR'],
  // guardrails
  ['a model outside the allowed list', { body: { repo: 'acme/x', model_id: 'anthropic.claude-v1' } }, 422, 'GUARDRAIL_VIOLATION'],
  [
    'a token secret outside the platform prefix',
    { body: { repo: 'acme/x', github_token_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other/token-AbCdEf' } },
    422,
    'GUARDRAIL_VIOLATION',
  ],
  // PATCH and token specifics
  ['an empty patch', { method: 'PATCH', path: '/v1/repos/fuzz/target', body: {} }, 400, 'VALIDATION_ERROR'],
  ['a patch that sets the status', { method: 'PATCH', path: '/v1/repos/fuzz/target', body: { status: 'active' } }, 400, 'VALIDATION_ERROR'],
  ['a patch that renames the repository', { method: 'PATCH', path: '/v1/repos/fuzz/target', body: { repo: 'fuzz/other' } }, 400, 'VALIDATION_ERROR'],
  ['a patch clearing a required setting', { method: 'PATCH', path: '/v1/repos/fuzz/target', body: { max_turns: null } }, 400, 'VALIDATION_ERROR'],
  [
    'a patch with a malformed If-Match',
    { method: 'PATCH', path: '/v1/repos/fuzz/target', body: { max_turns: 3 }, headers: { 'if-match': 'garbage' } },
    412,
    'PRECONDITION_FAILED',
  ],
  ['a token that is not a string', { method: 'PUT', path: '/v1/repos/fuzz/target/github-token', body: { token: 12345 } }, 400, 'VALIDATION_ERROR'],
  [
    'a token with spaces',
    { method: 'PUT', path: '/v1/repos/fuzz/target/github-token', body: { token: 'ghp_abc def ghi jkl mno pqr' } },
    400,
    'VALIDATION_ERROR',
  ],
  [
    'a token body with extra fields',
    { method: 'PUT', path: '/v1/repos/fuzz/target/github-token', body: { token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', echo: true } },
    400,
    'VALIDATION_ERROR',
  ],
  ['an unknown route', { method: 'GET', path: '/v1/nothing' }, 404, 'NOT_FOUND'],
  ['a repository sub-path that does not exist', { method: 'GET', path: '/v1/repos/fuzz/target/secrets' }, 404, 'NOT_FOUND'],
];

/**
 * Over node:http rather than fetch: the path goes out byte for byte (fetch would resolve `%2e%2e`
 * before sending), and a streamed body can be cut off by the server mid-way.
 */
function rawRequest(url: string, req: Req, token: string): Promise<Reply<unknown>> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const body = req.body !== undefined ? JSON.stringify(req.body) : req.rawBody;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(req.headers ?? {}) };
    if (body !== undefined && !req.streamed) headers['content-length'] = String(Buffer.byteLength(body));
    // A fresh connection each time: a request the server cut short must not poison the next one.
    const r = http.request(
      { host: target.hostname, port: target.port, method: req.method ?? 'POST', path: req.path ?? '/v1/repos', headers, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            // left undefined: the shape check will say so
          }
          resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), text, body: parsed });
        });
      },
    );
    // The server may answer 413 and close before the whole body is out: that is the point.
    r.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    if (req.streamed) {
      // Chunked, no Content-Length: the limit must hold while reading.
      const chunk = 'z'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < MAX_BODY_BYTES * 2) {
          sent += chunk.length;
          if (!r.write(chunk)) return void r.once('drain', pump);
        }
        r.end();
      };
      pump();
    } else {
      r.end(body);
    }
  });
}

describe('malformed requests', () => {
  let state: Snapshot;
  beforeAll(async () => {
    state = await snapshot(harness());
  });

  it.each(CORPUS.map(([name, req, status, code]) => [name, status, code, req] as const))('%s → %i %s, nothing written', async (_name, status, code, req) => {
    // Prepare
    const h = harness();
    // Act
    const res = await rawRequest(h.api.url, req, h.adminToken);
    // Assess
    expect({ status: res.status, code: (res.body as { error?: { code?: string } })?.error?.code }).toEqual({ status, code });
    expectErrorShape(res);
    expect(await snapshot(h)).toEqual(state);
  });

  it('never echoes a token in an error, even from JSON the parser chokes on', async () => {
    // Prepare
    const h = harness();
    const token = 'ghp_SHOULDNOTECHO0123456789abcdefghijkl';
    // Act
    const replies = await Promise.all([
      h.call('PUT', '/v1/repos/fuzz/target/github-token', { token: h.adminToken, rawBody: `{"token": "${token}"` }),
      h.call('PUT', '/v1/repos/fuzz/target/github-token', { token: h.adminToken, body: { token: `${token} ` } }),
      h.call('PUT', '/v1/repos/fuzz/target/github-token', { token: h.adminToken, body: { token, extra: token } }),
    ]);
    // Assess
    for (const r of replies) {
      expect(r.status).toBe(400);
      expect(r.text).not.toContain('SHOULDNOTECHO');
    }
    expect(h.logs.join('\n')).not.toContain('SHOULDNOTECHO');
  });
});

// --- properties ---------------------------------------------------------------------------------

const FIELDS = [
  'repo',
  'compute_type',
  'runtime_arn',
  'model_id',
  'max_turns',
  'max_budget_usd',
  'system_prompt_overrides',
  'github_token_secret_arn',
  'poll_interval_ms',
  'build_command',
  'lint_command',
  'egress_allowlist',
  'cedar_policies',
  'approval_gate_cap',
  'status',
  'version',
  'unknown',
];

/** Values near and across each field's edges, plus anything JSON can say. */
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -1000, max: 100_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    0.01,
    100,
    100.01,
    1,
    500,
    501,
    1000,
    3_600_001,
    null,
    '',
    'agentcore',
    MODEL,
    'permit(principal, action, resource);',
    'acme/x',
    '*.pypi.org',
  ),
  fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('github.com', '*', 'permit(principal, action, resource);', 'forbid(')), { maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const repoName = fc.oneof(
  fc.constantFrom('fuzz/a', 'fuzz/b', 'Fuzz/A', 'fuzz/target', '../x', 'fuzz/\u0430', 'fuzz/.git', 'fuzz', 'a/b/c'),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const body = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 })
      .chain((d) => fc.record({ repo: repoName }).map((r) => ({ kind: 'json' as const, value: { ...r, ...d } }))),
  },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 }).map((v) => ({ kind: 'json' as const, value: v })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'json' as const, value: v })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((v) => ({ kind: 'raw' as const, value: v })) },
);

const send = (h: Harness, method: string, path: string, b: { kind: 'json' | 'raw'; value: unknown }) =>
  h.call(method, path, { token: h.adminToken, ...(b.kind === 'json' ? { body: b.value } : { rawBody: String(b.value) }) });

describe('random bodies (fast-check)', () => {
  it('POST /v1/repos: 201 with the row, or a 4xx error that wrote nothing; never a 5xx', async () => {
    const h = harness();
    // The state every refused request must leave behind (taken again after each accepted one).
    let state = await snapshot(h);
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        // Act
        const res = await send(h, 'POST', '/v1/repos', b);
        // Assess
        if (res.status === 201) {
          const row = res.body as { repo: string; version: number };
          const stored = await h.call<{ repo: string }>('GET', `/v1/repos/${row.repo}`, { token: h.adminToken });
          expect(stored.body).toEqual(res.body);
          // Leave room for the next runs (max_repos) and keep ids free.
          expect((await h.call('DELETE', `/v1/repos/${row.repo}`, { token: h.adminToken })).status).toBe(200);
          state = await snapshot(h);
          return;
        }
        expectErrorShape(res);
        expect(await snapshot(h)).toEqual(state);
      }),
      { numRuns: 80 },
    );
  });

  it('PATCH /v1/repos/{owner}/{repo}: 200 with at most one new version, or a 4xx error that wrote nothing; never a 5xx', async () => {
    const h = harness();
    let state = await snapshot(h);
    await fc.assert(
      fc.asyncProperty(body, fc.option(fc.constantFrom('"1"', '*', 'W/"2"', 'x', ''), { nil: undefined }), async (b, ifMatch) => {
        // Prepare
        const current = (state.rows as { repo: string; version: number }[]).find((r) => r.repo === 'fuzz/target')!;
        // Act
        const res = await h.call('PATCH', '/v1/repos/fuzz/target', {
          token: h.adminToken,
          headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
          ...(b.kind === 'json' ? { body: b.value } : { rawBody: String(b.value) }),
        });
        // Assess
        if (res.status === 200) {
          const version = (res.body as { version: number }).version;
          expect([current.version, current.version + 1]).toContain(version);
          state = await snapshot(h);
          return;
        }
        expectErrorShape(res);
        expect(await snapshot(h)).toEqual(state);
      }),
      { numRuns: 80 },
    );
  });
});

// --- large input: answered cleanly, never echoed -------------------------------------------------

/** Sends a body with its Content-Length, in chunks with a pause between them; reports what the client saw. */
function sendSlowly(
  url: string,
  path: string,
  token: string,
  bytes: number,
  pauseMs: number,
): Promise<{ status?: number; text: string; clientError?: string }> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const seen: { status?: number; text: string; clientError?: string } = { text: '' };
    // Done when the whole body is out and the answer is read, or on a client-side error.
    let bodySent = false;
    let answerRead = false;
    const check = () => ((bodySent && answerRead) || seen.clientError ? resolve(seen) : undefined);
    const r = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: 'PATCH',
        path,
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(bytes) },
      },
      (res) => {
        seen.status = res.statusCode;
        res.on('data', (c: Buffer) => (seen.text += c.toString()));
        res.on('end', () => ((answerRead = true), check()));
        res.on('error', (e) => ((seen.clientError ??= (e as NodeJS.ErrnoException).code), check()));
      },
    );
    r.on('error', (e) => ((seen.clientError ??= (e as NodeJS.ErrnoException).code), check()));
    const chunk = Buffer.alloc(128 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      if (sent >= bytes) return void r.end(() => ((bodySent = true), check()));
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
      sent += part.length;
      r.write(part, () => setTimeout(pump, pauseMs));
    };
    pump();
  });
}

describe('large input', () => {
  it('answers a 2 MB PATCH 413 after reading it, even from a slow client, without a connection reset', async () => {
    // Prepare
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'large/body' } });
    // Act: 16 chunks 60 ms apart, about a second of sending.
    const slow = await sendSlowly(h.api.url, '/v1/repos/large/body', h.adminToken, 2 * 1024 * 1024, 60);
    const fast = await Promise.all(Array.from({ length: 8 }, () => sendSlowly(h.api.url, '/v1/repos/large/body', h.adminToken, 2 * 1024 * 1024, 0)));
    // Assess
    for (const seen of [slow, ...fast]) {
      expect([seen.status, seen.clientError]).toEqual([413, undefined]);
      expect(JSON.parse(seen.text)).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining(String(MAX_BODY_BYTES)) } });
    }
  });

  it('never echoes a long value back: repository ids, unknown fields, path segments, task filters', async () => {
    // Prepare
    const h = harness();
    const long = 'o'.repeat(100_000);
    // Act
    const replies = await Promise.all([
      h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: `${long}/x` } }),
      h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'acme/x', [long]: 1, [`${long}2`]: 2 } }),
      h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: `acme/${'n'.repeat(120)}!` } }),
      h.call('GET', `/v1/repos/${'p'.repeat(6000)}/x`, { token: h.adminToken }),
      h.call('GET', `/v1/tasks?repo=${'q'.repeat(6000)}`, { token: h.adminToken }),
    ]);
    // Assess
    for (const r of replies) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.text.length).toBeLessThan(2048);
    }
  });
});
