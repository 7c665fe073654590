// Events in: a rule per incoming type (contract/events.ts) on the bus, all into one queue; one
// consumer, the ingest function, with partial batch failures; what fails 5 times lands in the
// dead-letter queue, whose depth raises an alarm (lib/monitoring.ts).
//
// Built in the stack's scope, not in a child construct, so the queues keep their logical ids: a
// replaced queue loses the events waiting in it.
import { Duration } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { incomingEventTypes, ingestRow } from '../contract/events.ts';
import { failureQueue, type WatchedQueue } from './monitoring.ts';
import { type FunctionSettings, registryFunction, timeoutOf } from './registry-function.ts';

export interface OrderPipelineProps {
  /** Where orders and reviews arrive. */
  readonly bus: IEventBus;
  readonly functions: FunctionSettings;
}

/** A part of the stack, not a child construct: it builds in the scope it is given, so logical ids stay stable. */
export class OrderPipeline {
  readonly queue: Queue;
  readonly deadLetters: WatchedQueue;
  readonly function: NodejsFunction;

  constructor(scope: Construct, props: OrderPipelineProps) {
    const maxReceiveCount = 5;
    this.deadLetters = failureQueue(scope, 'IngestDeadLetterQueue', {
      role: 'This is the dead-letter queue of the ingest queue',
      alarmId: 'IngestDeadLettersAlarm',
      description: `Events that could not be ingested after ${maxReceiveCount} attempts are waiting in the dead-letter queue.`,
    });
    this.queue = new Queue(scope, 'IngestQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the consumer's timeout, as Lambda recommends for SQS event sources.
      visibilityTimeout: Duration.seconds(timeoutOf(ingestRow).toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount },
    });
    for (const type of incomingEventTypes) {
      new Rule(scope, `${type.replace(/[^A-Za-z0-9]/g, '')}Rule`, {
        eventBus: props.bus,
        description: `${type} events into the ingest queue`,
        eventPattern: { detailType: [type] },
        targets: [new SqsQueue(this.queue)],
      });
    }
    this.function = registryFunction(scope, ingestRow, props.functions);
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
  }
}
