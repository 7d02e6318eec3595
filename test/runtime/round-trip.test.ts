/**
 * Issue 21, "Total round trips": for every configuration GetAgentRuntime can return, the
 * UpdateAgentRuntime we build from it validates against the model's input shape.
 *
 * The configurations are generated from botocore's model (GetAgentRuntimeResponse: types, enums,
 * lengths, patterns, optional members, nested structures, lists, maps, unions), plus what the live
 * API returns beyond its model: an unset optional string as "" (description), an unset optional
 * list as [], and members newer than our SDK. Each goes over the wire as AWS sends it: the SDK's
 * own deserializer reads it, buildUpdateRequest builds the request, the SDK's own serializer
 * writes it, and the emulator's contract checker (src/local/emulator/contracts.py, the one that
 * checks every request the suite sends) validates it through POST /_abca/contracts/validate.
 *
 * Decisions, per case (the builder's comment says why):
 * - read-only members (in the output shape, not in the input shape): never sent;
 * - `networkModeConfig.requireServiceS3Endpoint` (in both shapes, refused on update by AWS for
 *   runtimes created after the May 2026 rollout): never sent;
 * - unset optional members read as "", [] or an emptied structure: omitted (omitted = unset);
 * - members the SDK does not know: dropped by its deserializer, so never sent; a union member it
 *   does not know goes back as it came;
 * - `metadataConfiguration` is always {requireMMDSV2: true};
 * - everything else goes back unchanged (checked against an expectation computed from the model).
 */
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import * as AgentCore from '@aws-sdk/client-bedrock-agentcore-control';
import { GetAgentRuntimeCommand, UpdateAgentRuntimeCommand, type UpdateAgentRuntimeCommandInput } from '@aws-sdk/client-bedrock-agentcore-control';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createClients } from '../../src/aws/clients';
import { publishRuntime } from '../../src/runtime';
import { buildUpdateRequest, KEEP_EMPTY_MEMBERS, MAP_MEMBERS, REQUIRED_METADATA, UPDATABLE_MEMBERS, type LiveRuntime } from '../../src/runtime/agent-runtime';
import { motoEndpoint, useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pushImage } from './support';

const SERVICE = 'bedrock-agentcore-control';

// ---------------------------------------------------------------------------------------------
// botocore's model, as the contract checker loads it

interface Shape {
  type: string;
  members?: Record<string, { shape: string; location?: string }>;
  required?: string[];
  union?: boolean;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
}
interface Model {
  shapes: Record<string, Shape>;
  operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>;
}

const model: Model = JSON.parse(
  execFileSync(
    process.env.PYTHON ?? 'python3',
    [
      '-c',
      `import json, botocore.loaders as l; m = l.Loader().load_service_model("${SERVICE}", "service-2"); print(json.dumps({"shapes": m["shapes"], "operations": m["operations"]}))`,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  ),
);
const OUTPUT = model.operations.GetAgentRuntime!.output!.shape;
const INPUT = model.operations.UpdateAgentRuntime!.input!.shape;
const shape = (name: string): Shape => model.shapes[name]!;

// ---------------------------------------------------------------------------------------------
// Generating what GetAgentRuntime can answer, from the output shape

/** A member name no model has: what AWS may add after our SDK was generated. */
const FUTURE = 'zzFutureMember';

/** The regex the checker applies (fullmatch), for fast-check to generate from. */
function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function stringArb(s: Shape): fc.Arbitrary<string> {
  if (s.enum) return fc.constantFrom(...s.enum);
  const min = s.min ?? 0;
  const max = Math.min(s.max ?? 64, 64);
  if (s.pattern) {
    const base = fc.stringMatching(anchored(s.pattern)).filter((v) => v.length >= min && v.length <= (s.max ?? Infinity));
    return base;
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

const cache = new Map<string, fc.Arbitrary<unknown>>();

/** The wire form (JSON) of a value of `name`, as the live API may answer it. */
function wire(name: string): fc.Arbitrary<unknown> {
  const cached = cache.get(name);
  if (cached) return cached;
  const s = shape(name);
  let arb: fc.Arbitrary<unknown>;
  switch (s.type) {
    case 'structure': {
      const members = Object.entries(s.members ?? {});
      if (s.union) {
        arb = fc.oneof(...members.map(([m, ref]) => wire(ref.shape).map((v) => ({ [m]: v }))));
        break;
      }
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [m, ref] of members) {
        const required = (s.required ?? []).includes(m);
        const value = wire(ref.shape);
        const target = shape(ref.shape);
        // What the live API answers for an unset optional member, beyond its model: "" for a
        // string (seen: description), [] for a list. Absent stays possible.
        const unset: fc.Arbitrary<unknown>[] = [];
        if (!required && target.type === 'string' && !target.enum) unset.push(fc.constant(''));
        if (!required && target.type === 'list') unset.push(fc.constant([]));
        record[m] = required ? value : fc.oneof(fc.constant(undefined), value, ...unset);
      }
      // A member newer than the SDK (and than the model) in any structure.
      record[FUTURE] = fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined, freq: 4 });
      arb = fc.record(record).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
      break;
    }
    case 'list':
      arb = fc.array(wire(s.member!.shape), { minLength: s.min ?? 0, maxLength: Math.max(s.min ?? 0, Math.min(s.max ?? 3, 3)) });
      break;
    case 'map':
      arb = fc
        .uniqueArray(fc.tuple(wire(s.key!.shape) as fc.Arbitrary<string>, wire(s.value!.shape)), {
          minLength: s.min ?? 0,
          maxLength: Math.max(s.min ?? 0, Math.min(s.max ?? 3, 3)),
          selector: ([k]) => k,
        })
        .map((entries) => Object.fromEntries(entries));
      break;
    case 'string':
      arb = stringArb(s);
      break;
    case 'integer':
    case 'long':
      arb = fc.integer({ min: s.min ?? -(2 ** 31), max: s.max ?? 2 ** 31 - 1 });
      break;
    case 'boolean':
      arb = fc.boolean();
      break;
    case 'timestamp':
      arb = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
      break;
    default:
      throw new Error(`the generator does not know shape type ${s.type} (${name}): teach it`);
  }
  cache.set(name, arb);
  return arb;
}

// ---------------------------------------------------------------------------------------------
// The SDK's own wire: its deserializer for the read, its serializer for the request

const clients = createClients();
type Protocol = {
  deserializeResponse(op: unknown, context: unknown, response: unknown): Promise<unknown>;
  serializeRequest(op: unknown, input: unknown, context: unknown): Promise<{ path: string; body: unknown }>;
};
const config = clients.agentcore.config as unknown as Record<string, unknown> & { protocol: Protocol };
const context = { ...config, endpoint: async () => ({ protocol: 'https:', hostname: 'bedrock-agentcore-control.example', path: '/' }) };
/** The SDK's static operation schema [kind, namespace, name, traits, input, output], as its middleware passes it. */
function operation(name: 'GetAgentRuntime$' | 'UpdateAgentRuntime$') {
  const [, namespace, opName, traits, input, output] = (AgentCore as unknown as Record<string, unknown[]>)[name]!;
  return { name: opName, namespace, traits, input, output };
}

async function readAsSdk(body: unknown): Promise<LiveRuntime> {
  const response = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([Buffer.from(JSON.stringify(body))]) };
  return (await config.protocol.deserializeResponse(operation('GetAgentRuntime$'), context, response)) as LiveRuntime;
}

/** The request as it goes on the wire, by model member name (the path's runtime id included). */
async function sentAsSdk(request: UpdateAgentRuntimeCommandInput): Promise<Record<string, unknown>> {
  const http = await config.protocol.serializeRequest(operation('UpdateAgentRuntime$'), request, context);
  const match = /^\/runtimes\/([^/]+)\/?$/.exec(http.path);
  if (!match) throw new Error(`UpdateAgentRuntime's path is not /runtimes/{agentRuntimeId}/ any more: ${http.path}`);
  // The SDK's body is bytes (a Uint8Array that warns when read as a string).
  const text = typeof http.body === 'string' ? http.body : new TextDecoder().decode(http.body as Uint8Array);
  return { agentRuntimeId: decodeURIComponent(match[1]!), ...(JSON.parse(text) as Record<string, unknown>) };
}

// ---------------------------------------------------------------------------------------------
// The one validator: the emulator's contract checker

type Verdict = { ok: true } | { ok: false; member: string; message: string };

async function validate(operationName: string, input: unknown, service = SERVICE): Promise<Verdict> {
  const res = await fetch(`${motoEndpoint()}/_abca/contracts/validate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service, operation: operationName, input }),
  });
  if (res.status !== 200) throw new Error(`validate answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Verdict;
}

// ---------------------------------------------------------------------------------------------
// What must go back, computed from the model (not from the builder's lists)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The read's value of `name` as the request must carry it: members the input shape lacks dropped,
 * requireServiceS3Endpoint dropped, unset forms ("" / [] / emptied structure) of structure members
 * omitted; map entries and list items kept as they are.
 */
function expected(name: string, value: unknown): unknown {
  const s = shape(name);
  if (s.type === 'structure' && isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [m, ref] of Object.entries(s.members ?? {})) {
      if (m === 'requireServiceS3Endpoint' || value[m] === undefined) continue;
      const v = expected(ref.shape, value[m]);
      const keepEmpty = (s.required ?? []).includes(m);
      const empty = v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && shape(ref.shape).type === 'structure' && Object.keys(v).length === 0);
      if (empty && !keepEmpty) continue;
      out[m] = v;
    }
    return out;
  }
  if (s.type === 'list' && Array.isArray(value)) return value.map((item) => expected(s.member!.shape, item));
  if (s.type === 'map' && isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expected(s.value!.shape, v)]));
  return value;
}

/** Map-typed members anywhere under a shape, by member name. */
function mapMembers(name: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(name)) return found;
  seen.add(name);
  const s = shape(name);
  for (const [m, ref] of Object.entries(s.members ?? {})) {
    if (shape(ref.shape).type === 'map') found.add(m);
    for (const n of mapMembers(ref.shape, seen)) found.add(n);
  }
  if (s.member) for (const n of mapMembers(s.member.shape, seen)) found.add(n);
  if (s.value) for (const n of mapMembers(s.value.shape, seen)) found.add(n);
  return found;
}

/**
 * Members (by name, anywhere under a shape) that are required in their structure and whose empty
 * value the model accepts: an empty list with no minimum, a structure with no required member, a
 * string "" passes (length and pattern).
 */
function requiredValidEmpty(name: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(name)) return found;
  seen.add(name);
  const s = shape(name);
  for (const [m, ref] of Object.entries(s.members ?? {})) {
    const t = shape(ref.shape);
    const required = (s.required ?? []).includes(m);
    const validEmpty =
      (t.type === 'list' && (t.min ?? 0) === 0) ||
      (t.type === 'structure' && !t.union && (t.required ?? []).length === 0) ||
      (t.type === 'string' && !t.enum && (t.min ?? 0) === 0 && (!t.pattern || anchored(t.pattern).test('')));
    if (required && validEmpty) found.add(m);
    for (const n of requiredValidEmpty(ref.shape, seen)) found.add(n);
  }
  if (s.member) for (const n of requiredValidEmpty(s.member.shape, seen)) found.add(n);
  if (s.value) for (const n of requiredValidEmpty(s.value.shape, seen)) found.add(n);
  return found;
}

function paths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => paths(v, `${prefix}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...paths(v, `${prefix}.${k}`)]);
  return [];
}

const CONTAINER_URI = `123456789012.dkr.ecr.us-east-1.amazonaws.com/abca-agent@sha256:${'a'.repeat(64)}`;
const TOKEN = 'abca-roundtrip-0123456789abcdef0123456789';

describe('total round trip: GetAgentRuntime → buildUpdateRequest → UpdateAgentRuntime', () => {
  useMoto();

  describe('the validator (POST /_abca/contracts/validate, the contract checker on data)', () => {
    const good = {
      agentRuntimeId: 'abca_dev-0123456789',
      agentRuntimeArtifact: { containerConfiguration: { containerUri: CONTAINER_URI } },
      roleArn: 'arn:aws:iam::123456789012:role/abca-agent',
      networkConfiguration: { networkMode: 'PUBLIC' },
      clientToken: TOKEN,
    };

    it('accepts a valid input', async () => {
      await expect(validate('UpdateAgentRuntime', good)).resolves.toEqual({ ok: true });
    });

    it.each([
      ['an empty description (min 1)', { ...good, description: '' }, 'description', 'length greater than or equal to 1'],
      ['a missing required member', { ...good, roleArn: undefined }, 'roleArn', 'must not be null'],
      ['a member the model does not have', { ...good, [FUTURE]: 1 }, FUTURE, 'unknown member'],
      ['a value outside the enum', { ...good, networkConfiguration: { networkMode: 'PRIVATE' } }, 'networkConfiguration.networkMode', 'enum'],
      [
        'a nested pattern',
        { ...good, networkConfiguration: { networkMode: 'VPC', networkModeConfig: { subnets: ['x'], securityGroups: ['sg-12345678'] } } },
        'networkConfiguration.networkModeConfig.subnets.1.member',
        'pattern',
      ],
      ['a number out of range', { ...good, lifecycleConfiguration: { maxLifetime: 59 } }, 'lifecycleConfiguration.maxLifetime', 'greater than or equal to 60'],
      ['a union with no member set', { ...good, requestHeaderConfiguration: {} }, 'requestHeaderConfiguration', 'exactly one member'],
      [
        'a list over its size',
        { ...good, filesystemConfigurations: Array(6).fill({ sessionStorage: { mountPath: '/mnt/data' } }) },
        'filesystemConfigurations',
        'less than or equal to 5',
      ],
    ])('refuses %s, naming the member', async (_what, input, member, message) => {
      const verdict = await validate('UpdateAgentRuntime', JSON.parse(JSON.stringify(input)));
      expect(verdict).toMatchObject({ ok: false, member, message: expect.stringContaining(message) });
    });

    it('answers 400 for a service botocore has no model of', async () => {
      await expect(validate('X', {}, 'no-such-service')).rejects.toThrow(/validate answered 400/);
    });
  });

  it('the builder knows every map member of the request (their entries keep empty values)', () => {
    expect([...MAP_MEMBERS].sort()).toEqual([...mapMembers(INPUT)].sort());
  });

  it('the builder knows every required member of the request whose empty form is valid (kept, not omitted)', () => {
    expect([...KEEP_EMPTY_MEMBERS].sort()).toEqual([...requiredValidEmpty(INPUT)].filter((m) => !(MAP_MEMBERS as readonly string[]).includes(m)).sort());
  });

  it('the generator yields what the live API returns today', () => {
    // The members issue 21 names, reached from the model (not listed by hand in the generator).
    const seen = new Set<string>();
    fc.assert(
      fc.property(wire(OUTPUT), (body) => {
        for (const p of paths(body)) seen.add(p.replace(/\[\d+\]/g, '[]'));
        const b = body as Record<string, unknown>;
        if (b.description === '') seen.add('description=""');
      }),
      { numRuns: 300, seed: 21 },
    );
    for (const p of [
      '.metadataConfiguration.requireMMDSV2',
      '.filesystemConfigurations[].sessionStorage.mountPath',
      '.networkConfiguration.networkModeConfig.requireServiceS3Endpoint',
      '.authorizerConfiguration.customJWTAuthorizer.privateEndpoint',
      '.environmentVariables',
      `.${FUTURE}`,
      'description=""',
    ])
      expect(seen).toContain(p);
  });

  it('every configuration GetAgentRuntime can return builds an UpdateAgentRuntime the model accepts, carrying it back whole', async () => {
    const outputMembers = Object.keys(shape(OUTPUT).members!);
    const inputMembers = new Set(Object.keys(shape(INPUT).members!));
    const readOnly = outputMembers.filter((m) => !inputMembers.has(m));
    expect(readOnly).toEqual(expect.arrayContaining(['agentRuntimeArn', 'status', 'workloadIdentityDetails', 'createdAt']));
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(wire(OUTPUT), async (body) => {
        cases++;
        const live = await readAsSdk(body);
        const request = buildUpdateRequest(live, CONTAINER_URI, TOKEN);
        const sent = await sentAsSdk(request);
        // The model accepts it.
        const verdict = await validate('UpdateAgentRuntime', sent);
        expect(verdict).toEqual({ ok: true });
        // MMDSv2, always.
        expect(sent.metadataConfiguration).toEqual(REQUIRED_METADATA);
        // Never a read-only member, never requireServiceS3Endpoint, never a member the SDK does not know.
        for (const m of readOnly) expect(sent).not.toHaveProperty(m);
        const sentPaths = paths(sent);
        expect(sentPaths.filter((p) => p.endsWith('.requireServiceS3Endpoint') || p.endsWith(`.${FUTURE}`))).toEqual([]);
        // Everything else comes back unchanged: only the image and the metadata differ.
        const want = expected(INPUT, { ...(body as object), agentRuntimeArtifact: undefined, metadataConfiguration: undefined }) as Record<string, unknown>;
        const { agentRuntimeArtifact, metadataConfiguration, clientToken, ...rest } = sent;
        expect(agentRuntimeArtifact).toEqual({ containerConfiguration: { containerUri: CONTAINER_URI } });
        expect(clientToken).toBe(TOKEN);
        expect(metadataConfiguration).toBeDefined();
        expect(rest).toEqual(want);
      }),
      { numRuns: 200, seed: Number(process.env.ROUND_TRIP_SEED ?? 2112) },
    );
    expect(cases).toBe(200);
  });

  it('a union member the SDK does not know goes back as AWS sent it', async () => {
    // Prepare: an authorizer kind newer than the SDK (and than the model, so the checker cannot judge it: AWS does)
    const body = {
      agentRuntimeId: 'abca_dev-0123456789',
      roleArn: 'arn:aws:iam::123456789012:role/abca-agent',
      networkConfiguration: { networkMode: 'PUBLIC' },
      authorizerConfiguration: { [FUTURE]: { issuer: 'https://idp.example', audiences: ['a'] } },
      filesystemConfigurations: [{ sessionStorage: { mountPath: '/mnt/data' } }, { [FUTURE]: { volume: 'v' } }],
    };
    // Act
    const live = await readAsSdk(body);
    const sent = await sentAsSdk(buildUpdateRequest(live, CONTAINER_URI, TOKEN));
    // Assess
    expect(live.authorizerConfiguration).toEqual({ $unknown: [FUTURE, body.authorizerConfiguration[FUTURE]] });
    expect(sent.authorizerConfiguration).toEqual(body.authorizerConfiguration);
    expect(sent.filesystemConfigurations).toEqual(body.filesystemConfigurations);
  });

  it('the restore path builds its request with the same builder, from the read just before it', async () => {
    // Prepare: record every GetAgentRuntime (latest) answer and UpdateAgentRuntime request, in order
    const c = createClients();
    const calls: ({ get: LiveRuntime } | { update: UpdateAgentRuntimeCommandInput })[] = [];
    c.agentcore.middlewareStack.add(
      (next, ctx) => async (args) => {
        const input = args.input as Record<string, unknown>;
        if (ctx.commandName === UpdateAgentRuntimeCommand.name) calls.push({ update: structuredClone(input) as unknown as UpdateAgentRuntimeCommandInput });
        const out = await next(args);
        if (ctx.commandName === GetAgentRuntimeCommand.name && !input.agentRuntimeVersion) calls.push({ get: structuredClone(out.output) as LiveRuntime });
        return out;
      },
      { step: 'initialize', name: 'recordRoundTrip' },
    );
    const rt = await bootstrappedRuntime('roundtrip', c);
    const good = await pushImage(rt, 'good');
    const bad = await pushImage(rt, 'bad');
    await publishRuntime(rt, { imageDigest: good, ...FAST });
    calls.length = 0;
    // Act: bad fails its smoke; the restore updates the runtime back to good
    await expect(publishRuntime(rt, { imageDigest: bad, smokeCmd: 'exit 1', ...FAST })).rejects.toMatchObject({ code: 'ROLLED_BACK' });
    // Assess: both updates (publish, restore) are exactly the builder's output for the read before them
    const updates = calls.flatMap((call, i) =>
      'update' in call
        ? [
            {
              update: call.update,
              read: calls
                .slice(0, i)
                .reverse()
                .find((x) => 'get' in x),
            },
          ]
        : [],
    );
    expect(updates.map((u) => u.update.agentRuntimeArtifact?.containerConfiguration?.containerUri)).toEqual(
      [bad, good].map((d) => `${rt.platform.ecrRepositoryUrl}@${d}`),
    );
    for (const { update, read } of updates) {
      expect(read).toBeDefined();
      const live = (read as { get: LiveRuntime }).get;
      expect(update).toEqual(buildUpdateRequest(live, update.agentRuntimeArtifact!.containerConfiguration!.containerUri!, update.clientToken!));
      await expect(validate('UpdateAgentRuntime', JSON.parse(JSON.stringify(update)))).resolves.toEqual({ ok: true });
    }
  });

  it('no other source file builds an UpdateAgentRuntime: one builder for publish, restore, rollback and re-apply', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
      });
    const root = join(__dirname, '../..');
    const builders = ['src', 'scripts', 'stacks']
      .flatMap((d) => files(join(root, d)))
      .filter((f) => /UpdateAgentRuntimeCommand\b/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(root.length + 1));
    expect(builders).toEqual(['src/runtime/agent-runtime.ts']);
    expect(UPDATABLE_MEMBERS).toContain('metadataConfiguration');
  });
});
