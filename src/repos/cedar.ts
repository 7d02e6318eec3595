/**
 * Cedar policy syntax check with the official Cedar engine (WASM build for Node).
 *
 * The engine is one WASM instance per process. Deeply nested input overflows its stack, and after
 * that the instance is corrupt ("memory access out of bounds" on every later call): one request
 * could break Cedar for every other request the warm process serves. So:
 *   1. input is bounded before the engine sees it (size, and nesting of (), [] and {});
 *   2. an engine failure is that request's problem (unprocessable), never a 500;
 *   3. the instance is dropped after any failure and a fresh one is built on next use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import NodeModule from 'node:module';

type CedarWasm = typeof import('@cedar-policy/cedar-wasm/nodejs');

/** Longest policy text the engine is given (the API allows 10,000 characters). */
export const CEDAR_MAX_BYTES = 10_000;
/** Deepest nesting of (), [] and {} the engine is given; real policies stay far below. */
export const CEDAR_MAX_NESTING = 32;

let engine: CedarWasm | undefined;
/** Engines built so far (observability and tests: a rebuild after a failure shows here). */
let builds = 0;

const GLUE = '@cedar-policy/cedar-wasm/nodejs';

/** The glue file on disk: in node_modules, or next to a bundle that copied it. */
function glueFile(): string | undefined {
  try {
    return require.resolve(GLUE);
  } catch {
    const beside = path.join(__dirname, 'cedar_wasm.js');
    return fs.existsSync(beside) && fs.existsSync(path.join(__dirname, 'cedar_wasm_bg.wasm')) ? beside : undefined;
  }
}

/**
 * A new engine: the glue module evaluated afresh (so a new WASM instance), not the cached one.
 * Without the glue file on disk (a bundle that inlined it) the bundled module is the only engine.
 */
function buildEngine(): CedarWasm {
  builds++;
  const file = glueFile();
  if (!file) return require('@cedar-policy/cedar-wasm/nodejs') as CedarWasm;
  const m = new NodeModule(file) as NodeModule & { _compile(source: string, filename: string): void; filename: string; paths: string[] };
  m.filename = file;
  m.paths = (NodeModule as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  m._compile(fs.readFileSync(file, 'utf8'), file);
  return m.exports as CedarWasm;
}

/**
 * Loaded on first use: compiling the 4 MB .wasm costs a few hundred milliseconds, which a Lambda
 * cold start should pay only when a request actually carries Cedar policies.
 */
function cedar(): CedarWasm {
  engine ??= buildEngine();
  return engine;
}

export function cedarEngineBuilds(): number {
  return builds;
}

/** Why the text must not reach the engine at all; undefined when it may. Strings and comments are skipped. */
export interface CedarLimits {
  maxBytes: number;
  maxNesting: number;
}
export const CEDAR_LIMITS: CedarLimits = { maxBytes: CEDAR_MAX_BYTES, maxNesting: CEDAR_MAX_NESTING };

export function cedarInputProblem(text: string, limits: CedarLimits = CEDAR_LIMITS): string | undefined {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) return `policy is longer than ${limits.maxBytes} bytes`;
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') {
      max = Math.max(max, ++depth);
      if (max > limits.maxNesting) return `policy nests (), [] or {} deeper than ${limits.maxNesting} levels`;
    } else if (c === ')' || c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

export type CedarCheck = { ok: true } | { ok: false; errors: string[]; unprocessable: boolean };

/** Checks one policy set text. `unprocessable`: refused before or by a failing engine (422), not a parse error (400). */
export function checkCedarPolicy(policyText: string, limits: CedarLimits = CEDAR_LIMITS): CedarCheck {
  const problem = cedarInputProblem(policyText, limits);
  if (problem) return { ok: false, errors: [problem], unprocessable: true };
  let answer: ReturnType<CedarWasm['checkParsePolicySet']>;
  try {
    answer = cedar().checkParsePolicySet({ staticPolicies: policyText });
  } catch (e) {
    // The instance may be corrupt now: the next check builds a new one.
    engine = undefined;
    return { ok: false, errors: [`the Cedar engine could not check this policy (${(e as Error).message.slice(0, 200)})`], unprocessable: true };
  }
  if (answer.type === 'success') return { ok: true };
  return { ok: false, errors: answer.errors.map((e) => e.message), unprocessable: false };
}

/** Returns the problems of one policy set text; empty when it parses. */
export function cedarSyntaxErrors(policyText: string): string[] {
  const check = checkCedarPolicy(policyText);
  return check.ok ? [] : check.errors;
}
