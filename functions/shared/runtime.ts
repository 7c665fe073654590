// What a handler module needs from its environment, read once per container (at module load),
// with the AWS SDK client created once outside the handler.
import { defaultLogger, type Logger } from './logger.ts';
import { createDocumentClient, type Store } from './store.ts';

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is required`);
  return value;
}

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
