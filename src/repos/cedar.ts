/** Cedar policy syntax check with the official Cedar engine (WASM build for Node). */
type CedarWasm = typeof import('@cedar-policy/cedar-wasm/nodejs');

let engine: CedarWasm | undefined;

/**
 * Loaded on first use: compiling the 4 MB .wasm costs a few hundred milliseconds, which a Lambda
 * cold start should pay only when a request actually carries Cedar policies.
 */
function cedar(): CedarWasm {
  engine ??= require('@cedar-policy/cedar-wasm/nodejs') as CedarWasm;
  return engine;
}

/** Returns the parse errors of one policy set text; empty when it parses. */
export function cedarSyntaxErrors(policyText: string): string[] {
  const answer = cedar().checkParsePolicySet({ staticPolicies: policyText });
  if (answer.type === 'success') return [];
  return answer.errors.map((e) => e.message);
}
