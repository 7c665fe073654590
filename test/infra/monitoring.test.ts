// CDK assertions on the alarms, their topic and the dashboard (lib/monitoring.ts, lib/dashboard.ts).
// Bundling is skipped and cdk-nag watches, as in stack.test.ts (test/support/stack.ts).
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { tableOperations } from '../../lib/monitoring.ts';
import { synth } from '../support/stack.ts';

/** A template's JSON, as the assertions library types it. */
type Json = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: Json };
type Synthesised = ReturnType<typeof synth>;
const synthesised = synth();
const { stack, template } = synthesised;
const all = template.toJSON().Resources as Record<string, Resource>;
const resources = (type: string) => Object.entries(all).filter(([, r]) => r.Type === type);
const ref = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
/** The properties of what the stack built under construct id `id` in its own scope. */
const built = ({ stack, template }: Synthesised, id: string) =>
  template.toJSON().Resources[stack.getLogicalId(stack.node.findChild(id).node.defaultChild as CfnElement)]
    .Properties as Json;
const alarm = (id: string) => built(synthesised, id);
const topic = { Ref: ref(stack.alarms) };
const functions = resources('AWS::Lambda::Function');
const alarms = resources('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
/** Alarms on a Lambda metric of one function, by metric name. */
const alarmsOf = (functionId: string, metricName: string) =>
  alarms.filter(
    (a) =>
      a.MetricName === metricName &&
      JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionId } }]),
  );

describe('alarms', () => {
  it('every alarm notifies the topic when it fires and when it recovers, treats no data as healthy, and says where to look', () => {
    expect(alarms.length).toBeGreaterThan(functions.length * 3);
    for (const props of alarms) {
      expect(props.AlarmActions, props.AlarmDescription).toEqual([topic]);
      expect(props.OKActions, props.AlarmDescription).toEqual([topic]);
      expect(props.TreatMissingData).toBe('notBreaching');
      expect(props.AlarmDescription).toMatch(/Runbook: README "Alarms", [A-Za-z0-9 ]+\.$/);
    }
  });

  it('each function has one errors, one throttles and one duration alarm; duration fires at 80 % of its own timeout', () => {
    expect(functions).toHaveLength(stack.functions.size + 2);
    const timeouts = new Set<number>();
    for (const [id, fn] of functions) {
      const errors = alarmsOf(id, 'Errors');
      const throttles = alarmsOf(id, 'Throttles');
      const duration = alarmsOf(id, 'Duration');
      expect([errors.length, throttles.length, duration.length], id).toEqual([1, 1, 1]);
      expect(errors[0]).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
      expect(throttles[0]).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
      expect(duration[0]).toMatchObject({
        ExtendedStatistic: 'p99',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: fn.Properties.Timeout * 1000 * 0.8,
      });
      timeouts.add(fn.Properties.Timeout);
    }
    // Not one threshold for all: the HTTP functions and the event consumers have different timeouts.
    expect(timeouts.size).toBeGreaterThan(1);
  });

  it('API: 5xx as a share of requests (judged from 20 requests on) and p99 latency, on the $default stage', () => {
    const stage = [
      { Name: 'ApiId', Value: { Ref: ref(stack.api) } },
      { Name: 'Stage', Value: '$default' },
    ];
    const rate = alarm('Api5xxRateAlarm');
    expect(rate).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
    const queries = rate.Metrics as { Id: string; Expression?: string; MetricStat?: Json }[];
    expect(queries.find((q) => q.Expression)!.Expression).toBe(
      'IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)',
    );
    const byId = Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id, q.MetricStat!]));
    expect(byId.errors).toMatchObject({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: stage },
    });
    expect(byId.requests).toMatchObject({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: stage },
      Stat: 'Sum',
    });
    expect(alarm('ApiLatencyAlarm')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: stage,
      ExtendedStatistic: 'p99',
    });
  });

  it('events: ingest backlog age, every queue of failed work, stream failures and lag, and each rule’s failed deliveries', () => {
    expect(alarm('IngestQueueAgeAlarm')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ref(stack.ingestQueue), 'QueueName'] } }],
    });
    for (const id of ['IngestDeadLettersAlarm', 'IngestUndeliveredAlarm']) {
      expect(alarm(id), id).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    }
    expect(alarm('PublishFailuresAlarm')).toMatchObject({ MetricName: 'OnFailureDestinationDeliveredEventCount' });
    expect(alarm('StreamIteratorAgeAlarm')).toMatchObject({
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ref(stack.publisherFunction) } }],
    });
    const rules = resources('AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [id] of rules) {
      // A rule on a custom bus is `<bus>|<rule>` by Ref; the metric names it by both parts.
      const part = (index: number) => ({ 'Fn::Select': [index, { 'Fn::Split': ['|', { Ref: id }] }] });
      const failed = alarms.filter(
        (a) =>
          a.MetricName === 'FailedInvocations' &&
          JSON.stringify(a.Dimensions) ===
            JSON.stringify([
              { Name: 'EventBusName', Value: part(0) },
              { Name: 'RuleName', Value: part(1) },
            ]),
      );
      expect(failed, id).toHaveLength(1);
      expect(failed[0]!.Namespace).toBe('AWS/Events');
    }
  });

  it('keeps the logical ids of the topic and of the alarms that existed before', () => {
    expect(topic.Ref).toMatch(/^Alarms[0-9A-F]{8}$/);
    for (const id of ['IngestDeadLettersAlarm', 'PublishFailuresAlarm']) {
      expect(ref(stack.node.findChild(id))).toMatch(new RegExp(`^${id}[0-9A-F]{8}$`));
    }
  });

  it('table: throttles and system errors summed over every operation the functions are granted, and the stream', () => {
    const granted = new Set(
      resources('AWS::IAM::Policy')
        .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
        .flatMap((s) => [s.Action].flat())
        .filter((action) => action.startsWith('dynamodb:') && !/Stream|Shard/.test(action))
        .map((action) => action.slice('dynamodb:'.length)),
    );
    expect(granted.size).toBeGreaterThan(3);
    for (const [id, metricName] of [
      ['TableThrottlesAlarm', 'ThrottledRequests'],
      ['TableSystemErrorsAlarm', 'SystemErrors'],
    ] as const) {
      const queries = alarm(id).Metrics as { Expression?: string; MetricStat?: Json }[];
      const operations = queries
        .filter((q) => q.MetricStat)
        .map((q) => {
          expect(q.MetricStat!.Metric).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: metricName });
          const dimensions = q.MetricStat!.Metric.Dimensions as { Name: string; Value: unknown }[];
          expect(dimensions.find((d) => d.Name === 'TableName')!.Value).toEqual({ Ref: ref(stack.table) });
          return dimensions.find((d) => d.Name === 'Operation')!.Value as string;
        });
      for (const operation of [...granted, 'TransactWriteItems', 'GetRecords']) expect(operations).toContain(operation);
      expect([...operations].sort()).toEqual([...tableOperations].sort());
      // Alarms read at most 10 metrics; an operation without data counts 0 instead of blanking the sum.
      expect(operations.length).toBeLessThanOrEqual(10);
      expect(queries.find((q) => q.Expression)!.Expression).toBe(
        operations.map((o) => `FILL(${o.toLowerCase()}, 0)`).join(' + '),
      );
    }
  });

  it('account concurrency alarms at 80 % of the stage’s limit, account-wide', () => {
    expect(alarm('AccountConcurrencyAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'ConcurrentExecutions',
      Statistic: 'Maximum',
      Threshold: 800,
    });
    expect(alarm('AccountConcurrencyAlarm').Dimensions).toBeUndefined();
    expect(built(synth('dev', { accountConcurrency: 3000 }), 'AccountConcurrencyAlarm').Threshold).toBe(2400);
  });
});

describe('alarm topic', () => {
  it('lets this account’s CloudWatch alarms publish, over TLS only', () => {
    const [[, policy]] = resources('AWS::SNS::TopicPolicy') as [[string, Resource]];
    expect(policy.Properties.Topics).toEqual([topic]);
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('e-mails the stage’s addresses, and nobody when it lists none', () => {
    expect(resources('AWS::SNS::Subscription')).toHaveLength(0);
    const emails = ['oncall@example.com', 'lead@example.com'];
    const other = synth('dev', { alarmEmails: emails }).template;
    const subscriptions = Object.values(other.findResources('AWS::SNS::Subscription')).map((r) => r.Properties);
    expect(subscriptions.map((s) => s.Endpoint).sort()).toEqual([...emails].sort());
    for (const subscription of subscriptions) {
      expect(subscription).toMatchObject({ Protocol: 'email', TopicArn: topic });
    }
  });
});

describe('dashboard', () => {
  const [[, dashboard]] = resources('AWS::CloudWatch::Dashboard') as [[string, Resource]];
  const body = JSON.stringify(dashboard.Properties.DashboardBody);

  it('is named after the stage, with a section per part of the system', () => {
    expect(dashboard.Properties.DashboardName).toBe('purchaser-registry-dev');
    for (const title of ['API', 'Functions', 'Events', 'Table']) expect(body).toContain(`## ${title}`);
  });

  it('graphs every function and shows every alarm', () => {
    for (const [id] of functions) expect(body, id).toContain(`{"Ref":"${id}"}`);
    for (const [id] of resources('AWS::CloudWatch::Alarm'))
      expect(body, id).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
  });
});
