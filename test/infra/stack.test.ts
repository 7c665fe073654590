// CDK assertions on the synthesised template. Bundling is skipped here (it is tested once, in
// synth.test.ts), which keeps a synth at a fraction of a second.
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { incomingEventTypes, ingestRow, publisherRow } from '../../contract/events.ts';
import { routes, tableAccessOf } from '../../contract/routes.ts';
import { registryTable } from '../../contract/table.ts';
import { RegistryStack, type RegistryStackProps } from '../../lib/registry-stack.ts';

/** Synthesises with the AWS Solutions checks on: Template.fromStack throws on any unacknowledged finding. */
function synth(stage = 'dev', props: Partial<RegistryStackProps> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegistryStack(app, `Test-${stage}`, {
    stage,
    reviewBaseUrl: 'https://reviews.example.com',
    ...props,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const resources = (type: string) => Object.entries(template.findResources(type));

describe('functions', () => {
  it('one function per route row and the two event consumers: arm64, Node.js 24, JSON logs with retention', () => {
    expect(resources('AWS::Lambda::Function')).toHaveLength(routes.length + 2);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      // Source maps are read only when a stack is logged (functions/runtime/stack-trace.ts), not
      // parsed at every cold start.
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: Match.absent() }) },
    });
    expect(resources('AWS::Logs::LogGroup').every(([, r]) => typeof r.Properties.RetentionInDays === 'number')).toBe(
      true,
    );
  });

  it('each function gets only the configuration its row asks for', () => {
    for (const route of routes) {
      const fn = stack.functions.get(route.name)!;
      const variables =
        template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables;
      const expected = ['TABLE_NAME', 'LOG_LEVEL', ...(route.environment ?? [])].sort();
      expect(Object.keys(variables).sort(), route.name).toEqual(expected);
    }
  });

  it('passes the AWS Solutions checks in every stage (acknowledgements are justified in the stack)', () => {
    expect(() => synth('prod')).not.toThrow();
    // The checks do bite: an unencrypted, unlogged extra resource fails them.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new RegistryStack(app, 'Nagged', { stage: 'dev', reviewBaseUrl: 'https://reviews.example.com' });
    new Queue(stack, 'Unchecked');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-SQS/);
  });
});

describe('API', () => {
  it('has exactly the routes of the route table, each integrated with its own function', () => {
    const routeKeys = resources('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    const expected = routes.map((r) => (r.path === '$default' ? '$default' : `${r.method} ${r.path}`)).sort();
    expect(routeKeys).toEqual(expected);
    expect(resources('AWS::ApiGatewayV2::Integration')).toHaveLength(routes.length);
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' });
  });

  it('has no API Gateway authorizer: partner routes authenticate in the handler, with a key cache of at most 60 s', () => {
    // An authorizer would answer some requests itself (no key: a bare 401; a failure: a bare 500).
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    for (const [, route] of resources('AWS::ApiGatewayV2::Route')) {
      expect(route.Properties.AuthorizationType ?? 'NONE', route.Properties.RouteKey).toBe('NONE');
    }
    const partnerFunctions = routes
      .filter((route) => route.auth === 'partner')
      .map((r) => stack.functions.get(r.name)!);
    expect(partnerFunctions.length).toBeGreaterThan(0);
    for (const fn of partnerFunctions) {
      const resource = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)];
      expect(resource.Properties.Environment.Variables.API_KEY_CACHE_SECONDS).toBe('60');
    }
    expect(() => synth('dev', { apiKeyCacheSeconds: 61 })).toThrow(/0 to 60/);
  });

  it('throttles the stage, with limits configurable', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    synth('dev', { throttleRate: 7, throttleBurst: 9 }).template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
  });

  it('writes JSON access logs with the request id', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
  });

  it('access logs name the route by its template, never the path (it may hold an email)', () => {
    const [stage] = resources('AWS::ApiGatewayV2::Stage').map(([, r]) => r.Properties);
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format.routeKey).toBe('$context.routeKey');
    // Every variable that carries the requested path or its parameters.
    for (const value of Object.values(format)) {
      expect(value).not.toMatch(/\$context\.(path|resourcePath|http\.path|requestOverride)|\$input\.params/);
    }
    expect(Object.keys(format)).not.toContain('path');
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
  const statements = resources('AWS::IAM::Policy').flatMap(
    ([, r]) => r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
  );

  it('no statement allows every action or every resource', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
    }
  });

  type Statement = {
    Action: string | string[];
    Resource: unknown;
    Condition?: Record<string, Record<string, string[]>>;
  };
  const statementsOf = (fn: { role?: { node: { defaultChild?: unknown } } }) => {
    const roleId = stack.getLogicalId(fn.role!.node.defaultChild as never);
    return resources('AWS::IAM::Policy')
      .filter(([, r]) => (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Statement[]);
  };
  const tableId = stack.getLogicalId(stack.table.node.defaultChild as never);

  it('each function may use exactly the table actions of its row, on this table, for its kinds of keys only', () => {
    const rows = [
      ...routes.map((route) => ({ row: route, fn: stack.functions.get(route.name)! })),
      { row: ingestRow, fn: stack.ingestFunction },
      { row: publisherRow, fn: stack.publisherFunction },
    ];
    for (const { row, fn } of rows) {
      // Statements on the table's items (the stream is a separate resource, see "events out").
      const table = statementsOf(fn).filter((s) => JSON.stringify(s.Resource).includes(`["${tableId}","Arn"]`));
      const granted = table.map((s) => ({
        actions: [s.Action].flat().sort(),
        prefixes: s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
      }));
      expect(granted, row.name).toEqual(
        tableAccessOf(row).map((access) => ({
          actions: [...access.tableActions].sort(),
          prefixes: access.keyPrefixes.map((p) => `${registryTable.prefixes[p]}*`),
        })),
      );
    }
    // API keys: routes that check credentials may only read them (GetItem, in a grant of its own); no row writes them.
    for (const route of routes) {
      expect((route.keyPrefixes as readonly string[]).includes('apiKey'), route.name).toBe(false);
      const keyGrants = tableAccessOf(route).filter((access) =>
        (access.keyPrefixes as readonly string[]).includes('apiKey'),
      );
      expect(keyGrants, route.name).toEqual(
        route.auth === 'none' ? [] : [{ tableActions: ['dynamodb:GetItem'], keyPrefixes: ['apiKey'] }],
      );
    }
  });

  it('functions may write only to their own log group (no managed policies)', () => {
    for (const fn of [...stack.functions.values(), stack.ingestFunction, stack.publisherFunction]) {
      const logs = statementsOf(fn).filter((s) => [s.Action].flat().some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(JSON.stringify(logs[0]!.Resource)).toContain(stack.getLogicalId(fn.logGroup.node.defaultChild as never));
    }
    for (const [, role] of resources('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('events in', () => {
  const ref = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);

  it('has a bus, named by context', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'purchaser-registry-dev' });
    synth('dev', { eventBusName: 'orders' }).template.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'orders',
    });
  });

  it('has one rule per incoming event type on the bus, each delivering to the ingest queue', () => {
    const rules = resources('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules.map((r) => r.EventPattern['detail-type']).sort()).toEqual(incomingEventTypes.map((t) => [t]).sort());
    for (const rule of rules) {
      expect(rule.EventBusName).toEqual({ Ref: ref(stack.bus) });
      expect(rule.Targets).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [ref(stack.ingestQueue), 'Arn'] } }),
      ]);
    }
  });

  it('sends what fails 5 times to a dead-letter queue whose depth raises an alarm', () => {
    const queue = template.toJSON().Resources[ref(stack.ingestQueue)].Properties;
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(5);
    const deadLetterId = queue.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: ref(stack.alarms) }],
    });
  });

  it('feeds the ingest function from the queue with partial batch failure reporting', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [ref(stack.ingestQueue), 'Arn'] },
      FunctionName: { Ref: ref(stack.ingestFunction) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('events out', () => {
  const ref = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  const mapping = () =>
    resources('AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties)
      .find((p) => JSON.stringify(p.FunctionName).includes(ref(stack.publisherFunction)))!;

  it('reads the table stream from its start, bisecting and reporting failures, with a failure queue under alarm', () => {
    const props = mapping();
    expect(props).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [ref(stack.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const failureQueue = props.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failureQueue, 'QueueName'] } }],
    });
  });

  it('is woken only by changes to customers, purchasers and purchases, and by their erasure tombstones', () => {
    expect(JSON.parse(mapping().FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: {
        NewImage: { entity: { S: ['customer', 'customer-erased', 'purchaser', 'purchase', 'purchaser-erased'] } },
      },
    });
  });

  it('may put events on its bus and read the stream, nothing more', () => {
    const roleId = stack.getLogicalId(stack.publisherFunction.role!.node.defaultChild as never);
    const statements = resources('AWS::IAM::Policy')
      .filter(([, r]) => (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const byAction = Object.fromEntries(
      statements.flatMap((s) => [s.Action].flat().map((a) => [a, JSON.stringify(s.Resource)])),
    );
    expect(byAction['events:PutEvents']).toBe(JSON.stringify({ 'Fn::GetAtt': [ref(stack.bus), 'Arn'] }));
    for (const action of [
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]) {
      expect(byAction[action], action).toBe(JSON.stringify({ 'Fn::GetAtt': [ref(stack.table), 'StreamArn'] }));
    }
    expect(
      Object.keys(byAction)
        .filter((a) => !a.startsWith('logs:'))
        .sort(),
    ).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'events:PutEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    const variables = template.toJSON().Resources[ref(stack.publisherFunction)].Properties.Environment.Variables;
    expect(variables.EVENT_BUS_NAME).toEqual({ Ref: ref(stack.bus) });
  });
});
