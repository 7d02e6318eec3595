/** Cedar policy syntax check with the official Cedar engine (WASM build for Node). */
import { checkParsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';

/** Returns the parse errors of one policy set text; empty when it parses. */
export function cedarSyntaxErrors(policyText: string): string[] {
  const answer = checkParsePolicySet({ staticPolicies: policyText });
  if (answer.type === 'success') return [];
  return answer.errors.map((e) => e.message);
}
