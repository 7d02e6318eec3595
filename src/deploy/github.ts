/**
 * What GitHub needs after a first deploy: the three environments the CI roles trust, their
 * protection, and the variables the workflows read. Printed always; set with `gh` on request.
 */
import { platformNames } from '../platform/names';
import type { Command } from './command';

export interface GithubEnvironmentSetup {
  name: string;
  /** Deployment branches allowed to use the environment. */
  branches: string[];
  requiredReviewers: boolean;
  /** GitHub logins to add as required reviewers (--github-reviewer); empty = added by hand. */
  reviewers: string[];
  preventSelfReview: boolean;
  variables: Record<string, string>;
  why: string;
}

export interface GithubSetup {
  repository: string;
  repositoryVariables: Record<string, string>;
  environments: GithubEnvironmentSetup[];
}

export interface GithubInput {
  env: string;
  repository: string;
  accountId: string;
  region: string;
  stateBucket: string;
  /** Settings the deploy used that CI must repeat, as ABCA_* variables (empty ones are left out). */
  infraVariables?: Record<string, string | undefined>;
  /** Required reviewers of the infra environment (GitHub logins). */
  reviewers?: string[];
}

export function githubSetup(input: GithubInput): GithubSetup {
  const names = platformNames(input.env);
  const aws = { AWS_ACCOUNT_ID: input.accountId, AWS_REGION: input.region };
  const extra = Object.fromEntries(Object.entries(input.infraVariables ?? {}).filter((e): e is [string, string] => !!e[1]));
  const infraVariables = { ...aws, ABCA_STATE_BUCKET: input.stateBucket, ...extra };
  return {
    repository: input.repository,
    repositoryVariables: { ABCA_DEPLOY_ENV: input.env },
    environments: [
      {
        name: names.githubEnvironments.infraPlan,
        branches: ['main'],
        requiredReviewers: false,
        reviewers: [],
        preventSelfReview: false,
        variables: infraVariables,
        why: 'deploy-infra.yml diff job: cdktf diff with the infra role, from the remote state',
      },
      {
        name: names.githubEnvironments.infra,
        branches: ['main'],
        requiredReviewers: true,
        reviewers: input.reviewers ?? [],
        preventSelfReview: true,
        variables: infraVariables,
        why: 'deploy-infra.yml deploy job: waits for a reviewer, then cdktf deploy',
      },
      {
        name: names.githubEnvironments.runtime,
        branches: ['main'],
        requiredReviewers: false,
        reviewers: [],
        preventSelfReview: false,
        variables: aws,
        why: 'deploy-runtime.yml: image build, publish, rollback (reviewers would gate every publish)',
      },
    ],
  };
}

/** The hints, for a person: exactly what to set, where. */
export function formatGithubHints(setup: GithubSetup): string {
  const lines = [`GitHub setup for ${setup.repository} (Settings → Environments / Secrets and variables → Actions → Variables):`, ''];
  lines.push('Repository variables:');
  for (const [k, v] of Object.entries(setup.repositoryVariables)) lines.push(`  ${k}=${v}`);
  for (const e of setup.environments) {
    lines.push('', `Environment ${e.name}  (${e.why})`);
    lines.push(`  deployment branches: ${e.branches.join(', ')} only`);
    const who = e.reviewers.length ? e.reviewers.join(', ') : 'yes (add at least one)';
    lines.push(e.requiredReviewers ? `  required reviewers: ${who}${e.preventSelfReview ? ', prevent self-review' : ''}` : '  required reviewers: none');
    lines.push('  variables:');
    for (const [k, v] of Object.entries(e.variables)) lines.push(`    ${k}=${v}`);
  }
  return lines.join('\n');
}

const gh = (...argv: string[]): Command => ({ argv: ['gh', ...argv] });

/** The user id of each reviewer login is looked up at run time; the plan shows this in its place. */
export const reviewerIdPlaceholder = (login: string): string => `<id of ${login}>`;

/**
 * Environment settings GitHub takes in one idempotent PUT. Reviewers are user ids (`ids` maps each
 * login to its id once looked up); an environment without listed reviewers keeps the ones it has.
 */
export function environmentBody(e: GithubSetup['environments'][number], ids: Record<string, number> = {}): string {
  const body: Record<string, unknown> = {
    prevent_self_review: e.preventSelfReview,
    deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
  };
  if (e.reviewers.length) body.reviewers = e.reviewers.map((login) => ({ type: 'User', id: ids[login] ?? reviewerIdPlaceholder(login) }));
  return JSON.stringify(body);
}

export function userIdCommand(login: string): Command {
  return gh('api', `users/${login}`, '--jq', '.id');
}

/**
 * The gh commands that set it, in order. Branch policies are listed first and only the missing
 * ones are added (GitHub refuses a duplicate); everything else is an idempotent PUT or set.
 */
export function githubCommands(
  setup: GithubSetup,
  ids: Record<string, number> = {},
): { put: Command[]; listBranchPolicies: (env: string) => Command; addBranchPolicy: (env: string, branch: string) => Command } {
  const repo = setup.repository;
  const put: Command[] = [];
  for (const e of setup.environments) {
    put.push({ ...gh('api', '--method', 'PUT', `repos/${repo}/environments/${e.name}`, '--input', '-'), stdin: environmentBody(e, ids) });
  }
  for (const [k, v] of Object.entries(setup.repositoryVariables)) put.push(gh('variable', 'set', k, '--repo', repo, '--body', v));
  for (const e of setup.environments) {
    for (const [k, v] of Object.entries(e.variables)) put.push(gh('variable', 'set', k, '--repo', repo, '--env', e.name, '--body', v));
  }
  return {
    put,
    listBranchPolicies: (env) => gh('api', `repos/${repo}/environments/${env}/deployment-branch-policies`, '--jq', '.branch_policies[].name'),
    addBranchPolicy: (env, branch) =>
      gh('api', '--method', 'POST', `repos/${repo}/environments/${env}/deployment-branch-policies`, '-f', `name=${branch}`, '-f', 'type=branch'),
  };
}
