// Events in: a rule per incoming type (contract/events.ts) on the bus, all into one queue; one
// consumer, the ingest function, with partial batch failures; what fails 5 times lands in the
// dead-letter queue, whose depth raises an alarm (lib/monitoring.ts).
//
// The edges are closed: each rule matches its type only from the sources the stage allows, other
// accounts may put events on the bus only if the stage lists them and only with those sources, an
// event the bus cannot deliver to the queue (after retries for a day) waits in a dead-letter queue
// of its own, and the archive keeps every incoming event for replay.
//
// Built in the stack's scope, not in a child construct, so the queues keep their logical ids: a
// replaced queue loses the events waiting in it.
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type Archive, type EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, CompositePrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type IncomingEventType, incomingEventTypes, ingestRow } from '../contract/events.ts';
import { failureQueue, type WatchedQueue } from './monitoring.ts';
import { type FunctionSettings, registryFunction, timeoutOf } from './registry-function.ts';

export interface OrderPipelineProps {
  /** Where orders and reviews arrive. */
  readonly bus: EventBus;
  readonly functions: FunctionSettings;
  /** The sources each incoming type is accepted from (stage config `eventSources`). */
  readonly eventSources: Readonly<Record<IncomingEventType, readonly string[]>>;
  /** Other accounts that may put those events on the bus (stage config `producerAccounts`). */
  readonly producerAccounts: readonly string[];
  /** Days the archive keeps incoming events. */
  readonly archiveRetentionDays: number;
  /** Whether the dead-letter queues and the archive outlive the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/** A part of the stack, not a child construct: it builds in the scope it is given, so logical ids stay stable. */
export class OrderPipeline {
  readonly queue: Queue;
  readonly deadLetters: WatchedQueue;
  /** Events the bus could not deliver to the ingest queue. */
  readonly undelivered: WatchedQueue;
  /** One per incoming type. */
  readonly rules: readonly Rule[];
  /** Every incoming event, kept for replay. */
  readonly archive: Archive;
  readonly function: NodejsFunction;

  constructor(scope: Construct, props: OrderPipelineProps) {
    const maxReceiveCount = 5;
    this.deadLetters = failureQueue(scope, 'IngestDeadLetterQueue', {
      role: 'This is the dead-letter queue of the ingest queue',
      alarmId: 'IngestDeadLettersAlarm',
      description: `Events that could not be ingested after ${maxReceiveCount} attempts are waiting in the dead-letter queue.`,
      removalPolicy: props.removalPolicy,
    });
    this.undelivered = failureQueue(scope, 'IngestUndeliveredQueue', {
      role: 'This is the dead-letter queue of the bus rules that feed the ingest queue',
      alarmId: 'IngestUndeliveredAlarm',
      description:
        'Events the bus could not deliver to the ingest queue, after retrying for a day, are waiting in the undelivered queue.',
      removalPolicy: props.removalPolicy,
    });
    this.queue = new Queue(scope, 'IngestQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the consumer's timeout, as Lambda recommends for SQS event sources.
      visibilityTimeout: Duration.seconds(timeoutOf(ingestRow).toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount },
      // Events waiting to be ingested are data too.
      removalPolicy: props.removalPolicy,
    });
    const target = new SqsQueue(this.queue, {
      deadLetterQueue: this.undelivered.queue,
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
    });
    this.rules = incomingEventTypes.map(
      (type) =>
        new Rule(scope, `${type.replace(/[^A-Za-z0-9]/g, '')}Rule`, {
          eventBus: props.bus,
          description: `${type} events from ${props.eventSources[type].join(', ')} into the ingest queue`,
          eventPattern: { detailType: [type], source: [...props.eventSources[type]] },
          targets: [target],
        }),
    );
    const sources = [...new Set(incomingEventTypes.flatMap((type) => props.eventSources[type]))].sort();
    this.archive = props.bus.archive('Archive', {
      description: 'Every incoming order and review event, for replay',
      eventPattern: { detailType: [...incomingEventTypes], source: sources },
      retention: Duration.days(props.archiveRetentionDays),
    });
    this.archive.applyRemovalPolicy(props.removalPolicy);
    if (props.producerAccounts.length > 0) {
      // Producers may put incoming types only, under the sources the rules accept: nothing they
      // send can pass for a domain event of the registry.
      props.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'ProducerAccountsPutIncomingEvents',
          principals: [new CompositePrincipal(...props.producerAccounts.map((id) => new AccountPrincipal(id)))],
          actions: ['events:PutEvents'],
          resources: [props.bus.eventBusArn],
          conditions: {
            StringEquals: { 'events:source': sources, 'events:detail-type': [...incomingEventTypes] },
          },
        }),
      );
    }
    this.function = registryFunction(scope, ingestRow, props.functions);
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'An SQS event source has no on-failure destination: a message that keeps failing goes to the ' +
        "queue's own dead-letter queue after its receives, which is watched.",
    });
  }
}
