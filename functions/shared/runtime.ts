// What a handler module needs from its environment, read once per container (at module load),
// with the AWS SDK client created once outside the handler.
import { requireEnv } from './env.ts';
import { defaultLogger, type Logger } from './logger.ts';
import { createDocumentClient, type Store } from './store.ts';

export interface Runtime {
  readonly store: Store;
  readonly log: Logger;
}

let store: Store | undefined;

/** The container's store (TABLE_NAME) and logger (LOG_LEVEL). */
export function runtime(): Runtime {
  store ??= { doc: createDocumentClient(), tableName: requireEnv('TABLE_NAME') };
  return { store, log: defaultLogger() };
}
