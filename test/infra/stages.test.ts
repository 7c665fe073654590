// Stages (cdk.json `context.stages`, lib/stage-config.ts) and what they decide: removal policies,
// termination protection, the event edges, the stream's failure records, the custom domain.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { incomingEventTypes } from '../../contract/events.ts';
import { cdkJsonContext, stageConfig } from '../../lib/stage-config.ts';
import { configOf, synth } from '../support/stack.ts';

const dev = synth('dev');
const prod = synth('prod');
// biome-ignore lint/suspicious/noExplicitAny: template JSON, walked by the assertions below
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];

describe('stage settings', () => {
  it('cdk.json has a dev and a prod stage, each complete and valid', () => {
    expect(configOf('dev').retainData).toBe(false);
    expect(configOf('prod').retainData).toBe(true);
  });

  it('refuses an unknown stage, and names each missing or wrong setting', () => {
    const { stages } = cdkJsonContext() as { stages: Record<string, Record<string, unknown>> };
    expect(() => stageConfig(stages, 'qa')).toThrow(/no stage "qa" in cdk\.json \(context\.stages has: dev, prod\)/);
    expect(() => stageConfig(stages, 'Prod!')).toThrow(/stage must be/);
    const { throttle: _, ...withoutThrottle } = stages.dev!;
    expect(() => stageConfig({ qa: withoutThrottle }, 'qa')).toThrow(/throttle/);
    expect(() => stageConfig({ qa: { ...stages.dev, apiKeyCacheSeconds: 61 } }, 'qa')).toThrow(/apiKeyCacheSeconds/);
    expect(() => stageConfig({ qa: { ...stages.dev, reviewUrlHosts: ['https://x.example'] } }, 'qa')).toThrow(
      /reviewUrlHosts\.0: must be a host name/,
    );
    expect(() => stageConfig({ qa: { ...stages.dev, producerAccounts: ['12345'] } }, 'qa')).toThrow(/12-digit/);
    expect(() => stageConfig({ qa: { ...stages.dev, surprise: true } }, 'qa')).toThrow(/surprise/);
  });

  it('sets every feature flag the CDK recommends, to the recommended value', () => {
    const context = cdkJsonContext();
    for (const [flag, value] of Object.entries(CURRENTLY_RECOMMENDED_FLAGS)) {
      expect(context[flag], flag).toEqual(value);
    }
  });
});

describe('what a stage keeps', () => {
  it('prod keeps its data and refuses deletion; dev cleans up after itself', () => {
    expect(prod.stack.terminationProtection).toBe(true);
    expect(dev.stack.terminationProtection).toBe(false);
    prod.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
    });
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
    const kept = [
      'AWS::DynamoDB::GlobalTable',
      'AWS::SQS::Queue',
      'AWS::Events::Archive',
      'AWS::S3::Bucket',
      'AWS::SecretsManager::Secret',
      'AWS::Logs::LogGroup',
    ];
    for (const type of kept) {
      const prodResources = resourcesOf(prod.template, type);
      expect(prodResources.length, type).toBeGreaterThan(0);
      for (const [id, resource] of prodResources) expect(resource.DeletionPolicy, `prod ${id}`).toBe('Retain');
      for (const [id, resource] of resourcesOf(dev.template, type))
        expect(resource.DeletionPolicy, `dev ${id}`).toBe('Delete');
    }
  });

  it('keeps logs for the days the stage says', () => {
    for (const [{ template }, days] of [
      [dev, configOf('dev').logRetentionDays],
      [prod, configOf('prod').logRetentionDays],
    ] as const) {
      for (const [id, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) {
        expect(group.Properties.RetentionInDays, id).toBe(days);
      }
    }
  });
});

describe('event edges', () => {
  const sources = configOf('prod').eventSources;

  it('each incoming type is matched only from its allowed sources, into the ingest queue with retries and a dead-letter queue', () => {
    const rules = resourcesOf(prod.template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(incomingEventTypes.length);
    for (const type of incomingEventTypes) {
      const rule = rules.find(([, r]) => r.Properties.EventPattern['detail-type'][0] === type);
      expect(rule, type).toBeDefined();
      const { EventPattern, Targets } = rule![1].Properties;
      expect(EventPattern).toEqual({ 'detail-type': [type], source: sources[type] });
      expect(Targets).toHaveLength(1);
      expect(Targets[0]).toMatchObject({
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      });
    }
  });

  it('archives every incoming event for the days the stage says', () => {
    prod.template.hasResourceProperties('AWS::Events::Archive', {
      RetentionDays: configOf('prod').archiveRetentionDays,
      EventPattern: {
        'detail-type': [...incomingEventTypes],
        source: [...new Set(Object.values(sources).flat())].sort(),
      },
    });
  });

  it('admits producer accounts only when the stage lists them, for the allowed sources and incoming types only', () => {
    expect(resourcesOf(dev.template, 'AWS::Events::EventBusPolicy')).toHaveLength(0);
    const { template } = synth('dev', { producerAccounts: ['111111111111', '222222222222'] });
    const policies = resourcesOf(template, 'AWS::Events::EventBusPolicy');
    expect(policies).toHaveLength(1);
    const statement = policies[0]![1].Properties.Statement;
    expect(statement.Action).toBe('events:PutEvents');
    expect(JSON.stringify(statement.Principal)).toContain('111111111111');
    expect(JSON.stringify(statement.Principal)).toContain('222222222222');
    expect(statement.Condition.StringEquals['events:source']).toEqual(
      [...new Set(Object.values(configOf('dev').eventSources).flat())].sort(),
    );
    expect(statement.Condition.StringEquals['events:detail-type']).toEqual([...incomingEventTypes]);
  });

  it('the ingest function accepts review links on the stage’s review sites only', () => {
    const ingest = resourcesOf(prod.template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('IngestFunction'));
    expect(ingest![1].Properties.Environment.Variables.REVIEW_URL_HOSTS).toBe(
      configOf('prod').reviewUrlHosts.join(','),
    );
  });
});

describe('stream failures', () => {
  it('keep the failed batches whole in an encrypted, private bucket the publisher may only add to', () => {
    const [bucketId, bucket] = resourcesOf(prod.template, 'AWS::S3::Bucket')[0]!;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: expect.anything(),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const [[, mapping]] = resourcesOf(prod.template, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties.StartingPosition === 'TRIM_HORIZON',
    ) as [[string, Resource]];
    expect(mapping.Properties.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
    const s3Actions = resourcesOf(prod.template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith('s3:')))
      .flatMap((s: { Action: string | string[] }) => [s.Action].flat())
      .sort();
    expect(s3Actions).toEqual(['s3:ListBucket', 's3:PutObject']);
  });
});

describe('custom domain', () => {
  it('maps the API under the stage’s domain with its certificate, and says where DNS must point', () => {
    expect(resourcesOf(dev.template, 'AWS::ApiGatewayV2::DomainName')).toHaveLength(0);
    const certificateArn = 'arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
    const { template } = synth('dev', { domain: { name: 'registry.example.com', certificateArn } });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'registry.example.com',
      DomainNameConfigurations: [{ CertificateArn: certificateArn, EndpointType: 'REGIONAL' }],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(Object.keys(template.findOutputs('ApiDomainTarget'))).toHaveLength(1);
  });
});
