/**
 * Repositories onboarded from IaC, per environment. Each entry is exactly a `POST /v1/repos` body;
 * it is validated at synth and written as a read-only (`source: iac`) RepoConfig row. Repositories
 * onboarded through the API or `bgagent repo add` do not belong here.
 */
import type { BlueprintProps } from './constructs/blueprint';

export const BLUEPRINTS: Record<string, BlueprintProps[]> = {
  // dev: [
  //   {
  //     repo: 'acme/widgets',
  //     model_id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  //     build_command: 'npm ci && npm run build',
  //     egress_allowlist: ['*.pypi.org'],
  //   },
  // ],
};
