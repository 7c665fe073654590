// Events out: the table's stream, through the publisher function, onto the bus as domain events
// (contract/events.ts). Records it cannot publish after its retries go to a failure queue, whose
// depth raises an alarm (lib/monitoring.ts), never silently away.
//
// Built in the stack's scope, not in a child construct, so the failure queue keeps its logical id:
// a replaced queue loses the records waiting in it.
import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { announcedEntities, publisherRow } from '../contract/events.ts';
import { failureQueue, type WatchedQueue } from './monitoring.ts';
import { type FunctionSettings, registryFunction } from './registry-function.ts';

export interface EventPublisherProps {
  /** Where domain events go; its name reaches the function as EVENT_BUS_NAME (`functions.environment`). */
  readonly bus: IEventBus;
  /** Settings of the publisher function; the stream read is that of `functions.table`. */
  readonly functions: FunctionSettings;
}

/** A part of the stack, not a child construct: it builds in the scope it is given, so logical ids stay stable. */
export class EventPublisher {
  readonly failures: WatchedQueue;
  readonly function: NodejsFunction;

  constructor(scope: Construct, props: EventPublisherProps) {
    this.failures = failureQueue(scope, 'PublishFailureQueue', {
      role: 'This queue is the failure destination of the stream publisher',
      alarmId: 'PublishFailuresAlarm',
      description: 'Table changes that could not be published as domain events are waiting in the failure queue.',
    });
    this.function = registryFunction(scope, publisherRow, props.functions);
    props.bus.grantPutEventsTo(this.function);
    this.function.addEventSource(
      new DynamoEventSource(props.functions.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(this.failures.queue),
        // Only the items domain events are made of; API keys and retry records never wake it.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { NewImage: { entity: { S: FilterRule.or(...announcedEntities) } } },
          }),
        ],
      }),
    );
  }
}
