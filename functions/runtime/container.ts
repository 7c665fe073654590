// What a Lambda entry needs from its container, read once (at module load): configuration from
// environment variables, the logger, and the AWS SDK client, created once outside the handler.
import { createDocumentClient, type Store } from '../store/client.ts';
import { requireEnv } from './env.ts';
import { defaultLogger, type Logger } from './logger.ts';

export interface Container {
  readonly store: Store;
  readonly log: Logger;
}

let store: Store | undefined;

/** The container's store (TABLE_NAME) and logger (at the application log level: logger.ts logLevelOf). */
export function container(): Container {
  store ??= { doc: createDocumentClient(), tableName: requireEnv('TABLE_NAME') };
  return { store, log: defaultLogger() };
}
