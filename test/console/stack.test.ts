/**
 * The stack's side of the console: GET /console and /console/{proxy+} reach the API function
 * without the authorizer (the page and its public sign-in settings), nothing else is opened, and
 * the app client signs in with SRP only.
 */
import { platformNames } from '../../src/platform/names';
import { find, only, resources, synthInfraJson, testBundles, type Synthesized } from '../infra/support';

const names = platformNames('dev');
let dev: Synthesized;

beforeAll(async () => {
  dev = synthInfraJson(await testBundles(), { env: 'dev', initialImageDigest: `sha256:${'ab'.repeat(32)}` });
});

it('routes GET /console and /console/{proxy+} to the API function without the authorizer, GET only', () => {
  const all = resources(dev.json, 'aws_api_gateway_resource');
  const [consoleId, consoleRoot] = all.find(([, r]) => r.path_part === 'console')!;
  expect(String(consoleRoot.parent_id)).toContain('root_resource_id');
  const [proxyId] = all.find(([, r]) => r.path_part === '{proxy+}' && String(r.parent_id).includes(consoleId))!;
  const methods = resources(dev.json, 'aws_api_gateway_method').map(([, m]) => m);
  const onConsole = methods.filter((m) => [consoleId, proxyId].some((id) => String(m.resource_id).includes(`.${id}.`)));
  expect(onConsole).toHaveLength(2);
  expect(onConsole.every((m) => m.http_method === 'GET' && m.authorization === 'NONE')).toBe(true);
  const [apiFnId] = find(dev.json, 'aws_lambda_function', 'function_name', names.functions.api);
  const integrations = resources(dev.json, 'aws_api_gateway_integration').map(([, i]) => i);
  for (const id of [consoleId, proxyId]) {
    expect(integrations.find((i) => String(i.resource_id).includes(`.${id}.`))).toMatchObject({
      type: 'AWS_PROXY',
      uri: `\${aws_lambda_function.${apiFnId}.invoke_arn}`,
    });
  }
});

it('lets the app client sign in with SRP and refresh only (no USER_PASSWORD_AUTH)', () => {
  const client = only(dev.json, 'aws_cognito_user_pool_client');
  expect([...(client.explicit_auth_flows as string[])].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
});
