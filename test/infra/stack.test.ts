// CDK assertions on the synthesised template. Bundling is skipped here (it is tested once, in
// synth.test.ts), which keeps a synth at a fraction of a second.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { incomingEventTypes, ingestRow, publisherRow } from '../../contract/events.ts';
import { checksCredentials, type FunctionRow, routes, tableAccessOf } from '../../contract/routes.ts';
import { itemKinds, registryTable } from '../../contract/table.ts';
import { configOf, synth, testStack } from '../support/stack.ts';

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
      const expected = ['TABLE_NAME', 'SERVICE_NAME', ...(route.environment ?? [])].sort();
      expect(Object.keys(variables).sort(), route.name).toEqual(expected);
    }
  });

  it('passes the AWS Solutions and Serverless checks in every stage (acknowledgements are justified in the stack)', () => {
    expect(() => synth('prod')).not.toThrow();
    // The checks do bite: an unencrypted, unlogged extra resource fails them.
    const { stack } = testStack('dev', {}, 'Nagged');
    new Queue(stack, 'Unchecked');
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
  });

  it('throttles the stage, with limits configurable', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    synth('dev', { throttle: { rate: 7, burst: 9 } }).template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
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

  it('no statement allows every action, nor every resource but X-Ray trace writes (they take no resource)', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      if ([statement.Action].flat().every((action) => /^xray:Put(TraceSegments|TelemetryRecords)$/.test(action)))
        continue;
      for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
    }
  });

  type Statement = {
    Action: string | string[];
    Resource: unknown;
    Condition?: Record<string, Record<string, string[]>>;
  };
  /** The statements of `fn`'s role, in the dev stack or in `synthesised`. */
  const statementsOf = (fn: { role?: { node: { defaultChild?: unknown } } }, synthesised = { stack, template }) => {
    const roleId = synthesised.stack.getLogicalId(fn.role!.node.defaultChild as never);
    return Object.values(synthesised.template.findResources('AWS::IAM::Policy'))
      .filter((r) => (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  };
  describe('IAM by item kind', () => {
    // Each stage as synthesised, and whether it sets a per-key rate limit (counting calls is granted then).
    const stages = (['dev', 'prod'] as const).map((stage) => ({
      stage,
      synthesised: stage === 'dev' ? { stack, template } : synth(stage),
      rateLimited: Boolean(configOf(stage).rateLimit),
    }));
    type Stage = (typeof stages)[number];
    const functionsOf = ({ synthesised: { stack: built } }: Stage) => [
      ...routes.map((route) => ({ row: route as FunctionRow, fn: built.functions.get(route.name)! })),
      { row: ingestRow as FunctionRow, fn: built.ingestFunction },
      { row: publisherRow as FunctionRow, fn: built.publisherFunction },
    ];
    /**
     * What `fn`'s role may do on the table, one line per action and place (`table`, or `index <name>`):
     * `<action> on <place> for <LeadingKeys patterns>`. Lines, not statements: the same whatever
     * statements IAM policy minimisation merges.
     */
    const allowedTo = (fn: ReturnType<typeof functionsOf>[number]['fn'], { synthesised }: Stage) => {
      const arn = JSON.stringify({
        'Fn::GetAtt': [synthesised.stack.getLogicalId(synthesised.stack.table.node.defaultChild as never), 'Arn'],
      });
      const placeOf = (resource: unknown) => {
        if (JSON.stringify(resource) === arn) return 'table';
        const [separator, [base, suffix] = []] = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'] ?? [];
        return separator === '' && JSON.stringify(base) === arn && typeof suffix === 'string'
          ? `index ${suffix.replace(/^\/index\//, '')}`
          : JSON.stringify(resource);
      };
      return statementsOf(fn, synthesised)
        .filter((s) => JSON.stringify(s.Resource).includes(arn))
        .flatMap((s) => {
          const patterns = [...(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? ['(any key)'])];
          return [s.Action]
            .flat()
            .flatMap((action) =>
              [s.Resource]
                .flat()
                .map((resource) => `${action} on ${placeOf(resource)} for ${patterns.sort().join(' ')}`),
            );
        })
        .sort();
    };
    /** The same lines for a row's grants (contract/routes.ts tableAccessOf). */
    const granted = (row: FunctionRow, { rateLimited }: Stage) =>
      tableAccessOf(row, { rateLimited })
        .flatMap((grant) => {
          const kinds = grant.items.map((item) => itemKinds[item]);
          const places = [...new Set(kinds.map((kind) => ('index' in kind ? `index ${kind.index}` : 'table')))];
          const patterns = kinds.map((kind) => kind.partition).sort();
          return grant.tableActions.flatMap((action) =>
            places.map((place) => `${action} on ${place} for ${patterns.join(' ')}`),
          );
        })
        .sort();
    const patternsIn = (line: string) => line.split(' for ')[1]!.split(' ');
    const writes = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem) /;

    it.each(stages)('$stage: each function may do on the table exactly what its row grants', (stage) => {
      for (const { row, fn } of functionsOf(stage)) expect(allowedTo(fn, stage), row.name).toEqual(granted(row, stage));
    });

    it('every key condition names kinds of items (contract/table.ts itemKinds), never a whole prefix such as ORG#*', () => {
      const kinds = new Set<string>(Object.values(itemKinds).map((kind) => kind.partition));
      expect(kinds).not.toContain(`${registryTable.prefixes.organisation}*`);
      for (const stage of stages) {
        for (const { row, fn } of functionsOf(stage)) {
          for (const line of allowedTo(fn, stage)) {
            for (const pattern of patternsIn(line)) expect(kinds, `${row.name}: ${line}`).toContain(pattern);
          }
        }
      }
    });

    it('the create functions may delete only stored answers (IDEMPOTENCY#*), and put only their own kinds', () => {
      const creates = functionsOf(stages[0]!).filter(({ row }) => /Create(Customer|Purchaser)$/.test(row.name));
      expect(creates).toHaveLength(4);
      for (const { row, fn } of creates) {
        const lines = allowedTo(fn, stages[0]!);
        expect(
          lines.filter((line) => /^dynamodb:(DeleteItem|BatchWriteItem) /.test(line)),
          row.name,
        ).toEqual(['dynamodb:DeleteItem on table for IDEMPOTENCY#*']);
      }
      const customer = creates.find(({ row }) => row.name === 'CreateCustomer')!;
      expect(allowedTo(customer.fn, stages[0]!).filter((line) => line.startsWith('dynamodb:PutItem '))).toEqual([
        'dynamodb:PutItem on table for IDEMPOTENCY#*',
        'dynamodb:PutItem on table for ORG#*#CUSTOMER#* ORG#*#EMAIL#*',
      ]);
    });

    it.each(stages)(
      '$stage: no function writes API keys; those that check credentials read them with GetItem alone',
      (stage) => {
        for (const { row, fn } of functionsOf(stage)) {
          const keyLines = allowedTo(fn, stage).filter((line) => line.includes('APIKEY'));
          expect(keyLines, row.name).toEqual(checksCredentials(row) ? ['dynamodb:GetItem on table for APIKEY#*'] : []);
        }
      },
    );

    it.each(stages)('$stage: calls are counted (UpdateItem on RATELIMIT#*) only where RATE_LIMIT is set', (stage) => {
      const limitedSomewhere = stages.some(({ rateLimited }) => rateLimited);
      expect(limitedSomewhere, 'a stage in cdk.json sets a rate limit').toBe(true);
      for (const { row, fn } of functionsOf(stage)) {
        const counting = allowedTo(fn, stage).filter((line) => line.includes('RATELIMIT'));
        const variables =
          stage.synthesised.template.toJSON().Resources[
            stage.synthesised.stack.getLogicalId(fn.node.defaultChild as never)
          ].Properties.Environment.Variables;
        const limited = stage.rateLimited && checksCredentials(row);
        expect(counting, row.name).toEqual(limited ? ['dynamodb:UpdateItem on table for RATELIMIT#*'] : []);
        expect(variables.RATE_LIMIT !== undefined, `${row.name}: RATE_LIMIT`).toBe(limited);
      }
    });

    it('index partitions are reached only by a Query of the index, and the index only for them', () => {
      const indexPatterns = Object.values(itemKinds).flatMap((kind) => ('index' in kind ? [kind.partition] : []));
      const lines = stages.flatMap((stage) => functionsOf(stage).flatMap(({ fn }) => allowedTo(fn, stage)));
      const onIndex = lines.filter((line) => line.includes(' on index '));
      expect(onIndex.length).toBeGreaterThan(0);
      for (const line of onIndex) {
        expect(line).toMatch(/^dynamodb:Query on index gsi1 for /);
        for (const pattern of patternsIn(line)) expect(indexPatterns, line).toContain(pattern);
      }
      for (const line of lines.filter((l) => l.includes(' on table '))) {
        for (const pattern of indexPatterns) expect(patternsIn(line), line).not.toContain(pattern);
      }
    });

    it.each(stages)(
      '$stage: the reading routes write nothing (but the rate-limit counter where it is set)',
      (stage) => {
        const reads = functionsOf(stage).filter(({ row }) => 'method' in row && row.method === 'GET');
        expect(reads.length).toBeGreaterThan(0);
        for (const { row, fn } of reads) {
          expect(
            allowedTo(fn, stage).filter((line) => writes.test(line)),
            row.name,
          ).toEqual(
            stage.rateLimited && checksCredentials(row) ? ['dynamodb:UpdateItem on table for RATELIMIT#*'] : [],
          );
        }
      },
    );
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

  it('reads the table stream from its start, bisecting and reporting failures, into a failure bucket under alarm', () => {
    const props = mapping();
    expect(props).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [ref(stack.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(props.DestinationConfig.OnFailure.Destination).toEqual({
      'Fn::GetAtt': [ref(stack.publishFailures), 'Arn'],
    });
    // Every record delivered there raises the alarm.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'OnFailureDestinationDeliveredEventCount',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: ref(stack.alarms) }],
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
      // The failure bucket (lib/event-publisher.ts): adding objects, nothing else.
      's3:ListBucket',
      's3:PutObject',
      // Active tracing (lib/registry-function.ts): the trace, on "*" as X-Ray takes no resource.
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const variables = template.toJSON().Resources[ref(stack.publisherFunction)].Properties.Environment.Variables;
    expect(variables.EVENT_BUS_NAME).toEqual({ Ref: ref(stack.bus) });
  });
});
