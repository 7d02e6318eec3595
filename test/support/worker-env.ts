/**
 * Runs before each test file: points the standard AWS environment at this worker's moto server.
 * Production code reads the same variables; nothing else is special in tests.
 */
const endpoints = (process.env.ABCA_TEST_MOTO_ENDPOINTS ?? '').split(',').filter(Boolean);
const worker = Number(process.env.JEST_WORKER_ID ?? '1');
const endpoint = endpoints[(worker - 1) % Math.max(1, endpoints.length)];
if (endpoint) process.env.AWS_ENDPOINT_URL = endpoint;
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
// The SDK's Node 20 end-of-support notice is for operators; in test output it is only noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.GITHUB_STEP_SUMMARY;
delete process.env.ABCA_ENV;
