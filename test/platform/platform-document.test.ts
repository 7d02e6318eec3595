/** The one builder of the platform document: every schema key, names derived from the env, the runtime part narrower. */
import { platformNames } from '../../src/platform/names';
import { PlatformConfigSchema } from '../../src/platform/platform-config';
import { platformDocument, runtimePlatform, RuntimePlatformSchema } from '../../src/platform/platform-document';

const names = platformNames('dev');
const resources = {
  region: 'eu-west-1',
  apiUrl: 'https://api.example',
  userPoolId: 'eu-west-1_abc',
  userPoolClientId: 'client',
  agentRuntimeId: 'rt-1',
  agentRuntimeArn: 'arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/rt-1',
  ecrRepositoryUrl: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/abca-dev-agent',
};

describe('platformDocument', () => {
  it('builds a document the strict schema accepts, names derived from the env', () => {
    // Act
    const doc = platformDocument(names, resources);
    // Assess
    expect(PlatformConfigSchema.strict().parse(doc)).toEqual(doc);
    expect(doc).toMatchObject({
      env: 'dev',
      imagePointerParameter: names.parameters.imagePointer,
      guardrailsParameter: names.parameters.guardrails,
      agentRuntimeName: names.agentRuntime,
      ecrRepositoryName: names.ecrRepository,
      tables: names.tables,
      onboardedDomainListId: '',
    });
  });

  it('takes the resources their own names where given (the stack passes Terraform references)', () => {
    const doc = platformDocument(names, {
      ...resources,
      ecrRepositoryName: '${repo.name}',
      tables: { ...names.tables, locks: '${locks.name}' },
      onboardedDomainListId: 'rslvr-fdl-1',
    });
    expect([doc.ecrRepositoryName, doc.tables.locks, doc.onboardedDomainListId]).toEqual(['${repo.name}', '${locks.name}', 'rslvr-fdl-1']);
  });
});

describe('runtimePlatform', () => {
  it('holds only what the runtime layer reads, and is the same part of the full document', () => {
    // Act
    const part = runtimePlatform(names, resources);
    // Assess
    expect(RuntimePlatformSchema.strict().parse(part)).toEqual(part);
    expect(Object.keys(part)).not.toContain('apiUrl');
    expect(RuntimePlatformSchema.parse(platformDocument(names, resources))).toEqual(part);
  });
});
