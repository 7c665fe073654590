// The stream's failed batches, as Lambda writes them to the failure bucket (lib/event-publisher.ts):
// one JSON object per batch, Lambda's invocation record, whose `payload` is the event the publisher
// was invoked with: the stream records themselves. Read back by `npm run replay`.
import type { DynamoDBStreamEvent } from 'aws-lambda';

/** The stream event inside one failure object; throws if the object holds none. */
export function failedBatchOf(object: unknown): DynamoDBStreamEvent {
  const record = object as { payload?: unknown; DDBStreamBatchInfo?: unknown } | null;
  // The payload arrives as the event itself or as its JSON text; both are read.
  const payload = typeof record?.payload === 'string' ? JSON.parse(record.payload) : record?.payload;
  const records = (payload as { Records?: unknown } | undefined)?.Records;
  if (!Array.isArray(records)) {
    throw new Error('not a failed stream batch: no payload.Records (is this an object from the failure bucket?)');
  }
  return { Records: records };
}
