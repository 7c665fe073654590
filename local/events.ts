// The local stand-in for EventBridge -> SQS -> Lambda: wraps an event's detail as EventBridge does
// and puts message bodies into an SQS event as Lambda's event source mapping delivers them. Used by
// `npm run event` and the tests.
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';

/**
 * Where published reviews may link when run locally (`npm run event`, the tests): REVIEW_URL_HOSTS
 * (comma-separated, as the stack sets it) or the example review site.
 */
export const localReviewHosts = (env: NodeJS.ProcessEnv = process.env): string[] =>
  (env.REVIEW_URL_HOSTS ?? 'reviews.example.com').split(',');

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export function eventBridgeEvent(
  detailType: string,
  detail: unknown,
  options: { id?: string; source?: string } = {},
): EventBridgeEvent {
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': detailType,
    source: options.source ?? 'local',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'local',
    resources: [],
    detail,
  };
}

/** An SQS batch of these message bodies (objects are sent as JSON), each with its own message id. */
export function sqsBatch(bodies: readonly unknown[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((value) => {
      const body = typeof value === 'string' ? value : JSON.stringify(value);
      const now = String(Date.now());
      return {
        messageId: randomUUID(),
        receiptHandle: 'local',
        body,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: now,
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:ingest',
        awsRegion: 'local',
      };
    }),
  };
}
