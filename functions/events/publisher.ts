// The table stream's consumer: turns the registry's own changes into domain events
// (domain-events.ts) and puts them on the event bus. Because the events come from the stream,
// there is no dual write: a change that was stored is announced, even if the request that made it
// failed afterwards. A batch whose events cannot all be published is reported from its first
// unpublished record, so Lambda retries from there (and, after its retries, sends the records to
// the stream's failure queue).
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DOMAIN_EVENT_SOURCE } from '../../contract/events.ts';
import { describeError, type Logger } from '../runtime/logger.ts';
import { type DomainEvent, toDomainEvents } from './domain-events.ts';

export interface EventSink {
  /** Publishes the events; returns those that were not accepted. */
  publish(events: readonly DomainEvent[]): Promise<readonly DomainEvent[]>;
}

export function createPublisher(deps: { readonly sink: EventSink; readonly log: Logger }) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const events = toDomainEvents(event.Records);
    let failed: readonly DomainEvent[];
    try {
      failed = await deps.sink.publish(events);
    } catch (error) {
      deps.log.error('publish failed', { ...describeError(error), events: events.length });
      failed = events;
    }
    deps.log.info('published', {
      records: event.Records.length,
      events: events.length - failed.length,
      failed: failed.length,
      types: [...new Set(events.map((e) => e.type))],
    });
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
