// The table stream's consumer: turns the registry's own changes into domain events
// (domain-events.ts) and puts them on the event bus. Because the events come from the stream,
// there is no dual write: a change that was stored is announced, even if the request that made it
// failed afterwards. A batch whose events cannot all be published is reported from its first
// unpublished record, so Lambda retries from there (and, after its retries, sends the records to
// the stream's failure queue).
//
// Each batch logs a line per domain event type it holds, which counts the type's events
// `published` and `failed` (not accepted by the bus; retried) as metrics (embedded metric format,
// functions/runtime/metrics.ts).
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DOMAIN_EVENT_SOURCE } from '../../contract/events.ts';
import { describeError, invocationFields, type Logger } from '../runtime/logger.ts';
import { metricFields } from '../runtime/metrics.ts';
import { type DomainEvent, toDomainEvents } from './domain-events.ts';

export interface EventSink {
  /** Publishes the events; returns those that were not accepted. */
  publish(events: readonly DomainEvent[]): Promise<readonly DomainEvent[]>;
}

export function createPublisher(deps: { readonly sink: EventSink; readonly log: Logger }) {
  return async (
    event: DynamoDBStreamEvent,
    context?: Pick<Context, 'awsRequestId'>,
  ): Promise<DynamoDBBatchResponse> => {
    const log = deps.log.child(invocationFields(context));
    const events = toDomainEvents(event.Records);
    let failed: readonly DomainEvent[];
    try {
      failed = await deps.sink.publish(events);
    } catch (error) {
      log.error('publish failed', { ...describeError(error), events: events.length });
      failed = events;
    }
    // Writes that announce nothing (stored answers, counters) make batches of no event: not worth an info line.
    if (events.length === 0) log.debug('nothing to publish', { records: event.Records.length });
    for (const type of new Set(events.map((e) => e.type))) {
      const ofType = (list: readonly DomainEvent[]) => list.filter((e) => e.type === type).length;
      log.info('published', {
        records: event.Records.length,
        ...metricFields({ detail_type: type }, { published: ofType(events) - ofType(failed), failed: ofType(failed) }),
      });
    }
    if (failed.length === 0) return { batchItemFailures: [] };
    const first = failed
      .flatMap((e) => e.records)
      .reduce((lowest, sequence) => (BigInt(sequence) < BigInt(lowest) ? sequence : lowest));
    return { batchItemFailures: [{ itemIdentifier: first }] };
  };
}

/** PutEvents, 10 entries a call (its limit), on the bus named EVENT_BUS_NAME. */
export function eventBridgeSink(client: EventBridgeClient, busName: string): EventSink {
  return {
    async publish(events) {
      const failed: DomainEvent[] = [];
      for (let i = 0; i < events.length; i += 10) {
        const chunk = events.slice(i, i + 10);
        const output = await client.send(
          new PutEventsCommand({
            Entries: chunk.map((e) => ({
              EventBusName: busName,
              Source: DOMAIN_EVENT_SOURCE,
              DetailType: e.type,
              Detail: JSON.stringify(e.detail),
            })),
          }),
        );
        output.Entries?.forEach((entry, index) => {
          if (entry.ErrorCode) failed.push(chunk[index]!);
        });
      }
      return failed;
    },
  };
}

/** Prints each event as one JSON line: what `npm start` shows instead of publishing. */
export function printingSink(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): EventSink {
  return {
    async publish(events) {
      for (const e of events)
        write(JSON.stringify({ 'detail-type': e.type, source: DOMAIN_EVENT_SOURCE, detail: e.detail }));
      return [];
    },
  };
}
