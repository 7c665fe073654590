// Lambda entry of the stream publisher (function Publisher; publisher.ts): domain events onto the
// bus EVENT_BUS_NAME. Its calls are bounded like the table's, so a stalled bus fails the batch
// (retried from its first unpublished record) instead of holding the stream until the timeout.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { requireEnv } from '../runtime/env.ts';
import { defaultLogger } from '../runtime/logger.ts';
import { boundedCalls } from '../store/bounds.ts';
import { createPublisher, eventBridgeSink } from './publisher.ts';

export const handler = createPublisher({
  sink: eventBridgeSink(new EventBridgeClient({ ...boundedCalls }), requireEnv('EVENT_BUS_NAME')),
  log: defaultLogger(),
});
