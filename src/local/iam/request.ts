/**
 * From an HTTP request to IAM questions, in two pure steps: `identify` (which service, operation
 * and parameters; which access key signed it) and `questionsFor` (the mapping table's checks
 * with the request's values filled in).
 */
import { mappingOf, OPERATIONS, REST_SERVICES, TARGET_PREFIXES, type Check, type ConditionSource, type OperationMapping } from './operations';

export interface HttpRequest {
  method: string;
  /** Path and query, as sent (`/runtimes/arn%3A.../invocations?qualifier=live`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Identified {
  service: string;
  operation: string;
  protocol: OperationMapping['protocol'] | 'unknown';
  params: Record<string, unknown>;
  /** The SigV4 access key id; undefined for an unsigned request. */
  accessKeyId?: string;
  region?: string;
  signingName?: string;
}

export type ContextValues = Record<string, string | string[]>;

/** One IAM question about one request. */
export interface Question {
  action: string;
  resource: string;
  context: ContextValues;
}

/** What the table needs to know about the environment beyond the request. */
export interface Environment {
  account: string;
  region: string;
  /** Table name -> partition key attribute (dynamodb:LeadingKeys). */
  tables: Record<string, { hashKey: string }>;
}

const header = (h: HttpRequest['headers'], name: string): string | undefined => {
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/** Access key, region and signing name of a SigV4 request (header or presigned query). */
export function signatureOf(req: HttpRequest, query: URLSearchParams): { accessKeyId?: string; region?: string; signingName?: string } {
  const m = CREDENTIAL.exec(header(req.headers, 'authorization') ?? '') ?? CREDENTIAL.exec(`Credential=${query.get('X-Amz-Credential') ?? ''}`);
  return m ? { accessKeyId: m[1], region: m[2], signingName: m[3] } : {};
}

function jsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// Routes of the REST operations in the table, from their model requestUri, most literal first.
interface Route {
  service: string;
  operation: string;
  method: string;
  regex: RegExp;
  labels: string[];
  score: number;
}
const ROUTES: Route[] = OPERATIONS.filter((o) => o.http)
  .map((o) => {
    const labels: string[] = [];
    let literal = 0;
    const regex = o
      .http!.uri.split(/(\{[^}]+\})/)
      .map((part) => {
        if (!part.startsWith('{')) {
          literal += part.length;
          return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        }
        labels.push(part.slice(1, -1).replace(/\+$/, ''));
        return part.endsWith('+}') ? '(.+)' : '([^/]+)';
      })
      .join('')
      .replace(/\/$/, '');
    return { service: o.service, operation: o.operation, method: o.http!.method, regex: new RegExp(`^${regex}/?$`), labels, score: literal };
  })
  .sort((a, b) => b.score - a.score);

function restOperation(signing: string, method: string, path: string): { service: string; operation: string; labels: Record<string, string> } | undefined {
  const services = REST_SERVICES[signing] ?? [];
  for (const r of ROUTES) {
    if (r.method !== method || !services.includes(r.service)) continue;
    const m = r.regex.exec(path);
    if (m) return { service: r.service, operation: r.operation, labels: Object.fromEntries(r.labels.map((l, i) => [l, decodeURIComponent(m[i + 1]!)])) };
  }
  return undefined;
}

/** S3 (path style, as local clients send it): the operation from method, key and sub-resource. */
function s3Operation(method: string, path: string, query: URLSearchParams, host: string): { operation: string; params: Record<string, unknown> } {
  let segments = path.replace(/^\//, '').split('/');
  // Virtual-hosted style: the bucket is the host's first label.
  const vhost = /^([^.]+)\.(s3[.-]|localhost)/.exec(host);
  if (vhost) segments = [vhost[1]!, ...segments.filter((s, i) => i > 0 || s !== '')];
  const [bucket = '', ...rest] = segments.map(decodeURIComponent);
  const key = rest.join('/');
  const params = { Bucket: bucket, ...(key ? { Key: key } : {}) };
  const sub = (['versioning', 'encryption', 'publicAccessBlock', 'policy', 'tagging'] as const).find((s) => query.has(s));
  const subOps: Record<string, string> = {
    versioning: 'BucketVersioning',
    encryption: 'BucketEncryption',
    publicAccessBlock: 'PublicAccessBlock',
    policy: 'BucketPolicy',
    tagging: 'BucketTagging',
  };
  if (sub && (method === 'GET' || method === 'PUT')) return { operation: `${method === 'GET' ? 'Get' : 'Put'}${subOps[sub]}`, params };
  if (key)
    return {
      operation: ({ GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject', DELETE: 'DeleteObject' } as Record<string, string>)[method] ?? `${method}Object`,
      params,
    };
  return {
    operation: ({ PUT: 'CreateBucket', HEAD: 'HeadBucket', GET: 'ListObjects', DELETE: 'DeleteBucket' } as Record<string, string>)[method] ?? `${method}Bucket`,
    params,
  };
}

/** Which service and operation a request is, with its parameters; undefined when not AWS-shaped. */
export function identify(req: HttpRequest): Identified | undefined {
  const url = new URL(req.url, 'http://local');
  const query = url.searchParams;
  const sig = signatureOf(req, query);
  const target = header(req.headers, 'x-amz-target');
  if (target) {
    const [prefix = '', operation = ''] = target.split('.');
    const service = TARGET_PREFIXES[prefix] ?? prefix;
    return { service, operation, protocol: 'json', params: jsonBody(req.body), ...sig };
  }
  if (!sig.signingName) return undefined;
  const method = req.method.toUpperCase();
  if (sig.signingName === 'sts' || sig.signingName === 'ec2' || sig.signingName === 'iam') {
    const form = new URLSearchParams(req.body.toString('utf8'));
    query.forEach((v, k) => form.has(k) || form.set(k, v));
    const params: Record<string, unknown> = {};
    form.forEach((v, k) => (params[k] = v));
    return { service: sig.signingName, operation: String(params.Action ?? ''), protocol: 'query', params, ...sig };
  }
  if (sig.signingName === 's3') {
    const { operation, params } = s3Operation(method, url.pathname, query, header(req.headers, 'host') ?? '');
    return { service: 's3', operation, protocol: 'rest-xml', params, ...sig };
  }
  const rest = restOperation(sig.signingName, method, url.pathname);
  if (!rest) return { service: sig.signingName, operation: `${method} ${url.pathname}`, protocol: 'unknown', params: {}, ...sig };
  const params: Record<string, unknown> = { ...jsonBody(req.body) };
  query.forEach((v, k) => (params[k] = v));
  Object.assign(params, rest.labels);
  return { service: rest.service, operation: rest.operation, protocol: 'rest-json', params, ...sig };
}

// --- from mapping to questions ---------------------------------------------------------------

function member(params: Record<string, unknown>, path: string): unknown {
  let v: unknown = params;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** Thrown when a request lacks what its resource ARN is built from. */
export class UnmappableRequest extends Error {}

export function fillTemplate(template: string, params: Record<string, unknown>, env: Environment, region: string): string {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{([^}|=]+)(=[^}|]*)?((?:\|[a-z]+)*)\}/g)) {
    const [whole, name, dflt, flags] = m as unknown as [string, string, string | undefined, string];
    out += template.slice(last, m.index);
    last = m.index! + whole.length;
    let value: unknown = name === 'region' ? region : name === 'account' ? env.account : member(params, name);
    if (value === undefined || value === null || value === '') {
      if (dflt === undefined) throw new UnmappableRequest(`the request has no ${name}`);
      value = dflt === '=@account' ? env.account : dflt.slice(1);
    }
    let text = String(value);
    if (flags.includes('|arn') && text.startsWith('arn:')) {
      out = text;
      continue;
    }
    if (flags.includes('|noslash')) text = text.replace(/^\//, '');
    if (flags.includes('|noselector')) text = text.replace(/:[^:/]+$/, '');
    out += text;
  }
  return out + template.slice(last);
}

type AttributeValueMap = Record<string, Record<string, unknown>>;

/** The scalar of a DynamoDB attribute value as the condition key sees it (a string). */
function scalar(v: Record<string, unknown> | undefined): string | undefined {
  if (!v) return undefined;
  const [type, value] = Object.entries(v)[0] ?? [];
  return type && ['S', 'N', 'B'].includes(type) ? String(value) : undefined;
}

/** Top-level attribute names an expression names (`#a.b[0]` -> a), resolved through its names. */
function expressionAttributes(expr: unknown, names: Record<string, string>): string[] {
  if (typeof expr !== 'string') return [];
  const found: string[] = [];
  const keywords =
    /^(SET|REMOVE|ADD|DELETE|AND|OR|NOT|BETWEEN|IN|attribute_exists|attribute_not_exists|attribute_type|begins_with|contains|size|if_not_exists|list_append)$/i;
  for (const m of expr.matchAll(/(?<![:\w.#\]])(#?[A-Za-z_][\w]*)/g)) {
    const token = m[1]!;
    const after = expr.slice(m.index! + token.length).trimStart();
    if (!token.startsWith('#') && (keywords.test(token) || after.startsWith('('))) continue;
    found.push(token.startsWith('#') ? (names[token] ?? token) : token);
  }
  return found;
}

function leadingKeys(params: Record<string, unknown>, env: Environment): string[] {
  const table = String(params.TableName ?? '').replace(/^arn:[^/]+\//, '');
  const hashKey = env.tables[table]?.hashKey;
  const key = (params.Key ?? params.Item) as AttributeValueMap | undefined;
  if (key) {
    const name = hashKey ?? (Object.keys(key).length === 1 ? Object.keys(key)[0] : undefined);
    const v = name ? scalar(key[name]) : undefined;
    return v === undefined ? [] : [v];
  }
  // Query: the equality on the partition key in KeyConditionExpression.
  const expr = params.KeyConditionExpression;
  if (typeof expr !== 'string' || !hashKey) return [];
  const names = (params.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (params.ExpressionAttributeValues ?? {}) as AttributeValueMap;
  for (const m of expr.matchAll(/(#?[\w]+)\s*=\s*(:[\w]+)/g)) {
    const name = m[1]!.startsWith('#') ? names[m[1]!] : m[1];
    if (name === hashKey) {
      const v = scalar(values[m[2]!]);
      return v === undefined ? [] : [v];
    }
  }
  return [];
}

/**
 * dynamodb:Attributes: every top-level attribute the request names (item, key, projection,
 * update and condition expressions, legacy AttributesToGet); empty when it names none.
 */
function attributeNames(params: Record<string, unknown>): string[] {
  const names = (params.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const found = new Set<string>([
    ...Object.keys((params.Item ?? {}) as object),
    ...Object.keys((params.Key ?? {}) as object),
    ...((params.AttributesToGet as string[] | undefined) ?? []),
    ...['ProjectionExpression', 'UpdateExpression', 'ConditionExpression', 'KeyConditionExpression', 'FilterExpression'].flatMap((e) =>
      expressionAttributes(params[e], names),
    ),
  ]);
  return [...found].sort();
}

/** Tags as [key, value] whatever the service's shape: [{Key,Value}], {k: v}, Tags.member.N.Key. */
function tagsOf(params: Record<string, unknown>): [string, string][] {
  const tags = params.Tags ?? params.tags;
  if (Array.isArray(tags)) return tags.map((t: Record<string, unknown>) => [String(t.Key ?? t.key), String(t.Value ?? t.value)]);
  if (tags && typeof tags === 'object') return Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
  const out: [string, string][] = [];
  for (let i = 1; params[`Tags.member.${i}.Key`] !== undefined; i++)
    out.push([String(params[`Tags.member.${i}.Key`]), String(params[`Tags.member.${i}.Value`] ?? '')]);
  return out;
}

function conditionValues(source: ConditionSource, params: Record<string, unknown>, env: Environment): ContextValues {
  if ('value' in source) return { [source.key]: source.value };
  if ('member' in source) {
    const v = member(params, source.member) ?? source.default;
    return v === undefined ? {} : { [source.key]: String(v) };
  }
  switch (source.derive) {
    case 'leadingKeys': {
      const keys = leadingKeys(params, env);
      return keys.length ? { [source.key]: keys } : {};
    }
    case 'attributes': {
      const names = attributeNames(params);
      return names.length ? { [source.key]: names } : {};
    }
    case 'requestTags':
      return Object.fromEntries(tagsOf(params).map(([k, v]) => [`aws:RequestTag/${k}`, v]));
    case 'tagKeys': {
      const keys = tagsOf(params).map(([k]) => k);
      return keys.length ? { [source.key]: keys } : {};
    }
  }
}

function present(params: Record<string, unknown>, name: string): boolean {
  const v = member(params, name);
  if (v !== undefined && v !== null && v !== '') return true;
  return Object.keys(params).some((k) => k.startsWith(`${name}.member.`));
}

function ask(check: Check, params: Record<string, unknown>, env: Environment, region: string): Question | undefined {
  if (check.when && !present(params, check.when)) return undefined;
  let resource = fillTemplate(check.resource, params, env, region);
  if (check.suffixIf && present(params, check.suffixIf.member)) resource += fillTemplate(check.suffixIf.template, params, env, region);
  const context: ContextValues = {};
  for (const c of check.conditions ?? []) Object.assign(context, conditionValues(c, params, env));
  return { action: check.action, resource, context };
}

/**
 * The IAM questions a request asks (all must be allowed); undefined when the table has no entry
 * for its operation (the enforcement point refuses those for restricted principals).
 */
export function questionsFor(req: Pick<Identified, 'service' | 'operation' | 'params' | 'region'>, env: Environment): Question[] | undefined {
  const mapping = mappingOf(req.service, req.operation);
  if (!mapping) return undefined;
  const region = req.region ?? env.region;
  if (mapping.each) {
    const items = (member(req.params, mapping.each.list) as Record<string, Record<string, unknown>>[] | undefined) ?? [];
    const out: Question[] = [];
    for (const item of items) {
      const [kind, params] = Object.entries(item)[0] ?? [];
      const op = kind ? mapping.each.as[kind] : undefined;
      if (!op || !params) throw new UnmappableRequest(`${req.operation}: unknown item ${kind}`);
      out.push(...(questionsFor({ service: req.service, operation: op, params, region }, env) ?? []));
    }
    return out;
  }
  return mapping.checks.map((c) => ask(c, req.params, env, region)).filter((q): q is Question => q !== undefined);
}
