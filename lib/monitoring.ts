// Ops alarms and the dashboard. One SNS topic that every alarm notifies when it fires and again
// when it recovers, e-mailed to the stage's `alarmEmails`; an alarm on each way the registry can
// fail (the API's errors and latency, each function's errors, throttles and duration, the account's
// concurrency, the ingest queue's backlog, each queue where failed work waits, stream failures and
// lag, undelivered bus events, the table's throttles and errors); and the `purchaser-registry-<stage>`
// dashboard (lib/dashboard.ts) with the same metrics. Each alarm's description says what it means
// and names its entry in the README's "Alarms", which says what to check first.
//
// Hand-written rather than cdk-monitoring-constructs: one dependency fewer to keep in step with
// aws-cdk-lib, construct ids (so logical ids) that we choose and that never move under us, and
// each alarm we need is a dozen lines of aws-cloudwatch.
//
// `failureQueue` makes the queues where failed work waits, all alike and each with the description
// of its alarm. They should stay empty: one message raises it.
//
// Built in the stack's scope, not in a child construct, so the topic, the queues and the alarms
// keep their logical ids: a new topic would drop every subscription made to the old one, a new
// queue the messages waiting in the old one.
import { ArnFormat, Duration, Fn, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type ITableV2, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TableAction } from '../contract/routes.ts';
import type { Api } from './api.ts';
import { type DashboardSection, graph, registryDashboard } from './dashboard.ts';

/** A queue that should stay empty, and the alarm that says it is not. */
export interface WatchedQueue {
  /** Construct id of the alarm. */
  readonly alarmId: string;
  readonly queue: IQueue;
  /** What is waiting in the queue when the alarm fires, for whoever receives it. */
  readonly description: string;
}

export interface FailureQueueProps extends Omit<WatchedQueue, 'queue'> {
  /** Whose failures it holds: tells the AWS Solutions checks why it has no dead-letter queue itself. */
  readonly role: string;
  /** Whether the queue, and what waits in it, outlives the stack (stage config `retainData`). */
  readonly removalPolicy: RemovalPolicy;
}

/** A queue where failed work waits for a person, kept 14 days (the most SQS allows), to be watched. */
export function failureQueue(
  scope: Construct,
  id: string,
  { role, removalPolicy, ...watch }: FailureQueueProps,
): WatchedQueue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy,
  });
  Validations.of(queue).acknowledge(
    { id: 'AwsSolutions-SQS3', reason: `${role}; its depth raises an alarm.` },
    { id: 'Serverless-SQSRedrivePolicy', reason: `${role}: the end of the line, watched by a person.` },
  );
  return { ...watch, queue };
}

export interface MonitoringProps {
  /** Names the topic and the dashboard (`purchaser-registry-<stage>`). */
  readonly stage: string;
  /** E-mailed every alarm and every recovery (stage config `alarmEmails`); none when absent. */
  readonly alarmEmails?: readonly string[];
  /** The account's Lambda concurrency limit (stage config `accountConcurrency`); 1000, Lambda's default, when absent. */
  readonly accountConcurrency?: number;
  /** The HTTP API's `$default` stage: its metrics cover every route. */
  readonly api: Pick<Api, 'stage'>;
  /** Every function of the stack; the duration alarm of each sits below its own timeout. */
  readonly functions: readonly LambdaFunction[];
  /** Where incoming events wait for the ingest function. */
  readonly ingestQueue: IQueue;
  /** Queues where failed work waits for a person; each keeps its alarm's construct id. */
  readonly queues: readonly WatchedQueue[];
  /** Reads the table's stream (the publisher). */
  readonly streamConsumer: LambdaFunction;
  /** Stream records the consumer gave up on, per minute (delivered to its failure destination). */
  readonly streamFailures: IMetric;
  /** The bus rules whose deliveries may fail (each on a custom bus). */
  readonly rules: readonly Rule[];
  readonly table: ITableV2;
}

const FIVE_MINUTES = Duration.minutes(5);
/** Requests in five minutes below which the 5xx rate is not judged: a few errors among a handful of requests are no outage. */
const MIN_REQUESTS = 20;
/** API p99 latency that alarms: under half the 4.5 s a request may take (functions/runtime/budget.ts). */
const LATENCY_MS = 2_000;
/** A function's p99 duration, as a share of its timeout, that alarms. */
const DURATION_SHARE = 0.8;
/** Account concurrency, as a share of the limit, that alarms. */
const CONCURRENCY_SHARE = 0.8;
/**
 * Age of the ingest queue's oldest event that alarms. An event that keeps failing is received 5
 * times, 3 minutes apart (lib/order-pipeline.ts), before it moves to the dead-letter queue; one
 * older than that means the consumer is not keeping up or not running.
 */
const INGEST_AGE = Duration.minutes(15);
/** Stream lag that alarms, well before DynamoDB drops records (24 hours). */
const ITERATOR_AGE = Duration.minutes(10);

/**
 * Every table operation the functions issue, as DynamoDB's per-operation metrics name them: the
 * actions a row may be granted (`satisfies` fails to compile when TableAction grows and this does
 * not), the transactions functions/store/write.ts makes of them (authorized by the same actions, so
 * no row names them), and the stream consumer's reads. Summed in one expression: an alarm may not
 * use SEARCH, and may read at most 10 metrics.
 */
const grantedOperations = {
  'dynamodb:GetItem': Operation.GET_ITEM,
  'dynamodb:PutItem': Operation.PUT_ITEM,
  'dynamodb:UpdateItem': Operation.UPDATE_ITEM,
  'dynamodb:DeleteItem': Operation.DELETE_ITEM,
  'dynamodb:BatchGetItem': Operation.BATCH_GET_ITEM,
  'dynamodb:BatchWriteItem': Operation.BATCH_WRITE_ITEM,
  'dynamodb:Query': Operation.QUERY,
} as const satisfies Record<TableAction, Operation>;
export const tableOperations: readonly Operation[] = [
  ...Object.values(grantedOperations),
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.GET_RECORDS,
];

/** Where the description sends the on-call person: an entry of the README's "Alarms". */
const see = (entry: string) => ` Runbook: README "Alarms", ${entry}.`;

/** What an alarm watches; the rest is the same for all. */
interface Watch {
  readonly metric: IMetric;
  readonly threshold: number;
  /** At or above the threshold unless said. */
  readonly comparisonOperator?: ComparisonOperator;
  /** Consecutive periods over the threshold before it fires; 1 when absent. */
  readonly evaluationPeriods?: number;
  readonly description: string;
}

/** A part of the stack, not a child construct: it builds in the scope it is given, so logical ids stay stable. */
export class Monitoring {
  /** Ops alarms publish here; subscribe to it (e-mail, chat, paging). */
  readonly topic: Topic;
  /** Every alarm, each with alarm and OK actions to the topic. */
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  private readonly scope: Construct;
  private readonly action: SnsAction;
  private readonly built: Alarm[] = [];

  constructor(scope: Construct, props: MonitoringProps) {
    this.scope = scope;
    this.topic = new Topic(scope, 'Alarms', {
      displayName: `Purchaser registry ${props.stage} alarms`,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one, and with it
    // the statement that let the account's alarms publish: without this one, every alarm would fire
    // into "not authorized" and notify nobody.
    const stack = Stack.of(scope);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AlarmsOfThisAccountPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    for (const email of props.alarmEmails ?? []) {
      Validations.of(this.topic.addSubscription(new EmailSubscription(email))).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An alarm e-mail that cannot be delivered has nobody to be redriven to; the alarm itself, its state ' +
          'and its history stay in CloudWatch and on the dashboard.',
      });
    }
    this.action = new SnsAction(this.topic);

    const sections = [
      this.apiSection(props),
      this.functionSection(props),
      this.eventSection(props),
      this.tableSection(props),
    ];
    this.alarms = this.built;
    this.dashboard = registryDashboard(scope, `purchaser-registry-${props.stage}`, sections);
  }

  private alarm(id: string, watch: Watch): Alarm {
    const alarm = new Alarm(this.scope, id, {
      metric: watch.metric,
      threshold: watch.threshold,
      comparisonOperator: watch.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: watch.evaluationPeriods ?? 1,
      // Everything watched here is absent when all is well: no requests, no errors, no throttles, a
      // queue nobody writes to, a stream with no changes.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: watch.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.built.push(alarm);
    return alarm;
  }

  private apiSection({ api: { stage } }: MonitoringProps): DashboardSection {
    const requests = stage.metricCount({ statistic: 'Sum', period: FIVE_MINUTES, label: 'requests' });
    const serverErrors = stage.metricServerError({ period: FIVE_MINUTES, label: '5xx' });
    const errorRate = this.alarm('Api5xxRateAlarm', {
      metric: new MathExpression({
        // 5xx is absent, not 0, in a period without one; a period with too few requests counts as 0 %.
        expression: `IF(requests >= ${MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
        usingMetrics: { requests, errors: serverErrors },
        period: FIVE_MINUTES,
        label: '5xx, % of requests',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `More than 1 % of the API's answers in 5 minutes were 5xx (with at least ${MIN_REQUESTS} requests). ` +
        'Partners are getting 500 or 503 answers: the table is unreachable or slow (503), or a function crashed ' +
        '(see the function errors alarms).' +
        see('API 5xx rate'),
    });
    const p99 = stage.metricLatency({ statistic: 'p99', period: FIVE_MINUTES });
    const latency = this.alarm('ApiLatencyAlarm', {
      metric: p99,
      threshold: LATENCY_MS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      description:
        `The API's p99 latency has been over ${LATENCY_MS / 1000} s for 15 minutes (a request may take 4.5 s ` +
        'before it is answered 503). The table is slow or throttling, or functions are cold-starting more than usual.' +
        see('API latency'),
    });
    return {
      title: 'API',
      alarms: [errorRate, latency],
      graphs: [
        graph(
          'Requests and errors (5 min)',
          [requests, stage.metricClientError({ period: FIVE_MINUTES, label: '4xx' })],
          {
            right: [serverErrors],
          },
        ),
        graph('5xx rate (%)', [errorRate.metric], { thresholds: [errorRate.toAnnotation()] }),
        graph(
          'Latency (ms)',
          [
            stage.metricLatency({ statistic: 'p50', period: FIVE_MINUTES, label: 'p50' }),
            p99.with({ label: 'p99' }),
            stage.metricIntegrationLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'function p99' }),
          ],
          { thresholds: [latency.toAnnotation()] },
        ),
      ],
    };
  }

  private functionSection({ functions, accountConcurrency = 1000 }: MonitoringProps): DashboardSection {
    // A line per function on each graph, named like its alarms.
    const errorLines: IMetric[] = [];
    const throttleLines: IMetric[] = [];
    const durationLines: IMetric[] = [];
    const alarms: Alarm[] = [];
    for (const fn of functions) {
      // The construct id (`<row name>Function`, lib/registry-function.ts) names its alarms: stable.
      const name = fn.node.id;
      const errors = fn.metricErrors({ period: FIVE_MINUTES });
      const throttles = fn.metricThrottles({ period: FIVE_MINUTES });
      const duration = fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' });
      errorLines.push(errors.with({ label: name }));
      throttleLines.push(throttles.with({ label: name }));
      durationLines.push(duration.with({ label: name }));
      // Lambda's default when a function sets none.
      const timeout = fn.timeout ?? Duration.seconds(3);
      const slow = Math.round(timeout.toMilliseconds() * DURATION_SHARE);
      alarms.push(
        this.alarm(`${name}ErrorsAlarm`, {
          metric: errors,
          threshold: 1,
          description:
            `${name} failed in Lambda itself at least once in 5 minutes: an unhandled error, a timeout or running ` +
            'out of memory (handlers answer every fault they catch themselves, so each one is a bug).' +
            see('Function errors'),
        }),
        this.alarm(`${name}ThrottlesAlarm`, {
          metric: throttles,
          threshold: 1,
          description:
            `Lambda refused to run ${name} for lack of concurrency at least once in 5 minutes: API callers got ` +
            'errors, or events wait to be retried.' +
            see('Function throttles'),
        }),
        this.alarm(`${name}DurationAlarm`, {
          metric: duration,
          threshold: slow,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 2,
          description:
            `${name}'s p99 duration has been over ${slow / 1000} s, ${DURATION_SHARE * 100} % of its ` +
            `${timeout.toSeconds()} s timeout, for 10 minutes: invocations are about to time out.` +
            see('Function duration'),
        }),
      );
    }
    const concurrency = this.alarm('AccountConcurrencyAlarm', {
      metric: LambdaFunction.metricAllConcurrentExecutions({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: Math.floor(accountConcurrency * CONCURRENCY_SHARE),
      description:
        `Lambda functions of this account and region ran ${CONCURRENCY_SHARE * 100} % of the account's ` +
        `${accountConcurrency} concurrent executions at once: beyond the limit, every function is throttled, ` +
        "this stack's and any other's." +
        see('Account concurrency'),
    });
    return {
      title: 'Functions',
      alarms: [...alarms, concurrency],
      graphs: [
        graph('Errors', errorLines),
        graph('Throttles', throttleLines),
        graph('Duration p99 (ms)', durationLines),
        graph('Account concurrency', [concurrency.metric], { thresholds: [concurrency.toAnnotation()] }),
      ],
    };
  }

  private eventSection(props: MonitoringProps): DashboardSection {
    const age = props.ingestQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES });
    const backlog = this.alarm('IngestQueueAgeAlarm', {
      metric: age,
      threshold: INGEST_AGE.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `An event has waited in the ingest queue for over ${INGEST_AGE.toMinutes()} minutes: longer than its ` +
        'retries take, so the ingest function is not keeping up, or not running.' +
        see('Ingest queue age'),
    });
    const waitingLines: IMetric[] = [];
    const waiting = props.queues.map(({ alarmId, queue, description }) => {
      const depth = queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      });
      waitingLines.push(depth.with({ label: alarmId.replace(/Alarm$/, '') }));
      return this.alarm(alarmId, { metric: depth, threshold: 1, description: description + see('Dead letters') });
    });
    // The id of the alarm on the former failure queue: the alarm (and its history) carries on.
    const streamFailures = this.alarm('PublishFailuresAlarm', {
      metric: props.streamFailures,
      threshold: 1,
      description:
        'Table changes the publisher could not publish as domain events after its retries were written to the ' +
        'stream failure bucket. The alarm clears by itself a minute later; the records stay there until replayed.' +
        see('Stream failures'),
    });
    const lag = this.alarm('StreamIteratorAgeAlarm', {
      metric: props.streamConsumer.metric('IteratorAge', {
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: ITERATOR_AGE.toMilliseconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      description:
        `The publisher has been over ${ITERATOR_AGE.toMinutes()} minutes behind the table's stream for 10 minutes: ` +
        'domain events leave late, and records older than 24 hours are lost.' +
        see('Stream iterator age'),
    });
    const failedLines: IMetric[] = [];
    const invocationLines: IMetric[] = [];
    const undelivered = props.rules.map((rule) => {
      const failed = ruleMetric(rule, 'FailedInvocations');
      failedLines.push(failed.with({ label: `${rule.node.id} failed` }));
      invocationLines.push(ruleMetric(rule, 'Invocations').with({ label: rule.node.id }));
      return this.alarm(`${rule.node.id}FailedInvocationsAlarm`, {
        metric: failed,
        threshold: 1,
        description:
          `The bus rule ${rule.node.id} gave up delivering events to its target at least once in 5 minutes, ` +
          "after retrying: they wait in the rule's dead-letter queue, or, if even that failed, only in the archive." +
          see('Rule failed invocations'),
      });
    });
    return {
      title: 'Events',
      alarms: [backlog, ...waiting, streamFailures, lag, ...undelivered],
      graphs: [
        graph('Ingest queue: events waiting', [
          props.ingestQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: 'waiting' }),
          props.ingestQueue.metricApproximateNumberOfMessagesNotVisible({ period: FIVE_MINUTES, label: 'in flight' }),
        ]),
        graph('Ingest queue: oldest event (s)', [age], { thresholds: [backlog.toAnnotation()] }),
        graph('Failed work waiting (messages)', waitingLines),
        graph('Stream records sent to the failure bucket', [props.streamFailures]),
        graph('Publisher iterator age (ms)', [lag.metric], { thresholds: [lag.toAnnotation()] }),
        graph('Bus rules: deliveries (left), failed (right)', invocationLines, { right: failedLines }),
      ],
    };
  }

  private tableSection({ table }: MonitoringProps): DashboardSection {
    const throttledRequests = sumOverOperations(table, 'ThrottledRequests');
    const internalErrors = sumOverOperations(table, 'SystemErrors');
    const throttled = this.alarm('TableThrottlesAlarm', {
      metric: throttledRequests,
      threshold: 1,
      evaluationPeriods: 2,
      description:
        'DynamoDB throttled requests to the table in each of the last two 5-minute periods (the SDK retries a ' +
        'throttle, so this is sustained): a hot partition, or traffic past what on-demand capacity had warmed to.' +
        see('Table throttles'),
    });
    const systemErrors = this.alarm('TableSystemErrorsAlarm', {
      metric: internalErrors,
      threshold: 1,
      evaluationPeriods: 2,
      description:
        'DynamoDB answered requests to the table with internal errors (HTTP 500) in each of the last two ' +
        '5-minute periods: a DynamoDB problem, not ours.' +
        see('Table system errors'),
    });
    // A line per operation: the alarm says how many, the graph which operation.
    return {
      title: 'Table',
      alarms: [throttled, systemErrors],
      graphs: [
        graph('Throttled requests by operation', Object.values(throttledRequests.usingMetrics)),
        graph('System errors by operation', Object.values(internalErrors.usingMetrics)),
        graph('Consumed capacity (5 min)', [
          tableMetric(table, 'ConsumedReadCapacityUnits', 'read units'),
          tableMetric(table, 'ConsumedWriteCapacityUnits', 'write units'),
        ]),
      ],
    };
  }
}

/**
 * A rule's own metric. AWS/Events names a rule on a custom bus by the bus and the rule, and the
 * rule's Ref (`rule.ruleName`) is `<bus name>|<rule name>` there, not the bare name.
 */
function ruleMetric(rule: Rule, metricName: string): Metric {
  const [bus, name] = [0, 1].map((index) => Fn.select(index, Fn.split('|', rule.ruleName)));
  return new Metric({
    namespace: 'AWS/Events',
    metricName,
    dimensionsMap: { EventBusName: bus!, RuleName: name! },
    statistic: 'Sum',
    period: FIVE_MINUTES,
  });
}

/** A table metric, summed over five minutes; `operation` for the per-operation ones. */
function tableMetric(table: ITableV2, metricName: string, label: string, operation?: Operation): Metric {
  return new Metric({
    namespace: 'AWS/DynamoDB',
    metricName,
    dimensionsMap: { TableName: table.tableName, ...(operation ? { Operation: operation } : {}) },
    statistic: 'Sum',
    period: FIVE_MINUTES,
    label,
  });
}

/** A per-operation table metric, summed over `tableOperations`; an operation without data counts 0. */
function sumOverOperations(table: ITableV2, metricName: string): MathExpression {
  const usingMetrics = Object.fromEntries(
    tableOperations.map((operation) => [operation.toLowerCase(), tableMetric(table, metricName, operation, operation)]),
  );
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    period: FIVE_MINUTES,
    label: metricName,
  });
}
