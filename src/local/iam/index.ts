/**
 * Local IAM enforcement: every request a component sends to the emulator is authorized against
 * its role's policies as synthesized from the stack. See docs/local-mode.md ("IAM enforcement").
 */
import * as fs from 'node:fs';
import { Authorizer } from './engine';
import { ACCOUNT, compilePolicies, REGION, type CompiledPolicies, type TfJson } from './synthesized';

export { Authorizer, sessionArn, type Decision, type Session, type Verdict } from './engine';
export { Environments, envOfRoleArn, envOfRuntimeName, type StackSource } from './environments';
export { formatUnusedGrants, ontoEnv, unusedGrants, globMatch, type UnusedGrant, type UsedGrant } from './grants';
export { OPERATIONS, mappingOf, type OperationMapping, type Check, type ConditionSource } from './operations';
export {
  accessDenied,
  deniedMessage,
  Enforcer,
  enforcedListener,
  remoteEnforcer,
  remoteSessions,
  sessionFromAssumeRole,
  startIamProxy,
  type DecisionRecord,
  type IamProxy,
  type RequestCheck,
} from './proxy';
export { identify, questionsFor, type HttpRequest, type Identified, type Question } from './request';
export { assumeRoleSession, COMPONENT_ROLES, componentRoleArn, componentSession, credentialEnv, type Component, type SessionCredentials } from './sessions';
export { ACCOUNT, REGION, compilePolicies, localRefs, resolveRefs, type CompiledPolicies, type TfJson } from './synthesized';

/** Policies from a file: the synthesized stack (cdk.tf.json) or an already compiled policy file. */
export function readPolicies(file: string): CompiledPolicies {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<CompiledPolicies> & Partial<TfJson>;
  if (parsed.roles && parsed.account) return parsed as CompiledPolicies;
  if (parsed.resource) return compilePolicies(parsed as TfJson);
  throw new Error(`${file} is neither a synthesized stack (cdk.tf.json) nor a compiled policy file`);
}

/** No role at all: every environment is learnt as it appears (Environments). */
export function noPolicies(): CompiledPolicies {
  return { account: ACCOUNT, region: REGION, roles: {}, resourcePolicies: {}, tables: {} };
}

export async function authorizerFor(policies: CompiledPolicies | string): Promise<Authorizer> {
  return Authorizer.create(typeof policies === 'string' ? readPolicies(policies) : policies);
}
