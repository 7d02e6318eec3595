/**
 * The local AgentCore data plane for a suite that invokes agents: started in beforeAll against this
 * worker's moto, reached by every SDK client through AWS_ENDPOINT_URL_BEDROCK_AGENTCORE (as in
 * `npm run dev`), stopped in afterAll with every agent process it started. Suites that never invoke
 * an agent do not pay for it.
 */
import { startAgentCoreDataPlane, type AgentCoreDataPlane, type DataPlaneOptions } from '../../src/local/agentcore-data-plane';
import { workerEnforcer } from './iam';
import { motoEndpoint } from './moto';

export function useDataPlane(opts: Omit<DataPlaneOptions, 'controlEndpoint'> = {}): () => AgentCoreDataPlane {
  let plane: AgentCoreDataPlane | undefined;
  beforeAll(async () => {
    const iam = workerEnforcer(motoEndpoint());
    plane = await startAgentCoreDataPlane({ ...opts, controlEndpoint: motoEndpoint(), ...(iam ? { iam } : {}) });
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = plane.endpoint;
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE;
    await plane?.stop();
  });
  return () => {
    if (!plane) throw new Error('the data plane is not started yet (use it inside tests)');
    return plane;
  };
}
