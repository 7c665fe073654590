// Lambda entry of the stream publisher (function Publisher; publisher.ts): domain events onto the
// bus EVENT_BUS_NAME.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { requireEnv } from '../runtime/env.ts';
import { defaultLogger } from '../runtime/logger.ts';
import { createPublisher, eventBridgeSink } from './publisher.ts';

export const handler = createPublisher({
  sink: eventBridgeSink(new EventBridgeClient({}), requireEnv('EVENT_BUS_NAME')),
  log: defaultLogger(),
});
