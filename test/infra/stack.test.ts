// CDK assertions on the synthesised template. Bundling is skipped here (it is tested once, in
// bundle.test.ts), which keeps a synth at a fraction of a second.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RegistryStack } from '../../lib/registry-stack.ts';
import { routes } from '../../lib/routes.ts';
import { registryTable } from '../../lib/table.ts';

function synth(stage = 'dev') {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegistryStack(app, `Test-${stage}`, { stage, reviewBaseUrl: 'https://reviews.example.com' });
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const resources = (type: string) => Object.entries(template.findResources(type));

describe('functions', () => {
  it('one function per route row: arm64, Node.js 24, ESM bundle, JSON logs with retention', () => {
    expect(resources('AWS::Lambda::Function')).toHaveLength(routes.length);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    expect(resources('AWS::Logs::LogGroup').every(([, r]) => typeof r.Properties.RetentionInDays === 'number')).toBe(true);
  });

  it('each function gets only the configuration its row asks for', () => {
    for (const route of routes) {
      const fn = stack.functions.get(route.name)!;
      const variables = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables;
      const expected = ['TABLE_NAME', 'LOG_LEVEL', 'NODE_OPTIONS', ...(route.environment ?? [])].sort();
      expect(Object.keys(variables).sort(), route.name).toEqual(expected);
    }
  });
});

describe('API', () => {
  it('has exactly the routes of the route table, each integrated with its own function', () => {
    const routeKeys = resources('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey).sort();
    const expected = routes.map((r) => (r.path === '$default' ? '$default' : `${r.method} ${r.path}`)).sort();
    expect(routeKeys).toEqual(expected);
    expect(resources('AWS::ApiGatewayV2::Integration')).toHaveLength(routes.length);
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' });
  });

  it('writes JSON access logs with the request id', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });
});

describe('table', () => {
  it('is built from the table definition: keys, index, TTL, stream, on demand, point-in-time recovery', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: registryTable.partitionKey, KeyType: 'HASH' },
        { AttributeName: registryTable.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ],
      TimeToLiveSpecification: { AttributeName: registryTable.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: registryTable.streamViewType },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('is retained and deletion-protected in prod only', () => {
    const prod = synth('prod').template;
    prod.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });
});

describe('IAM', () => {
  const statements = resources('AWS::IAM::Policy').flatMap(([, r]) =>
    (r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]),
  );

  it('no statement allows every action or every resource', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
    }
  });

  it('each function may use exactly the table actions of its row, on this table', () => {
    const tableId = stack.getLogicalId(stack.table.node.defaultChild as never);
    for (const route of routes) {
      const fn = stack.functions.get(route.name)!;
      const roleId = stack.getLogicalId(fn.role!.node.defaultChild as never);
      const granted = resources('AWS::IAM::Policy')
        .filter(([, r]) => (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
        .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
      expect(granted.flatMap((s) => [s.Action].flat()).sort(), route.name).toEqual([...route.tableActions].sort());
      for (const statement of granted) expect(JSON.stringify(statement.Resource)).toContain(tableId);
    }
  });
});
