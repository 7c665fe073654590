// Lambda entry of the stream publisher (publisher.ts): domain events onto the bus EVENT_BUS_NAME.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { defaultLogger } from '../shared/logger.ts';
import { requireEnv } from '../shared/env.ts';
import { createPublisher, eventBridgeSink } from './publisher.ts';

export const handler = createPublisher({
  sink: eventBridgeSink(new EventBridgeClient({}), requireEnv('EVENT_BUS_NAME')),
  log: defaultLogger(),
});
