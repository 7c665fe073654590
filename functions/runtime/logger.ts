// Structured logs: one JSON object per line on stdout, which CloudWatch (and the local server's
// terminal) shows as is. Personal data (emails, names, addresses) and request bodies are never
// logged; log fields are identifiers, routes, statuses and error names.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /** Whether lines at `level` are written (to skip building fields nobody reads). */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

export type LogSink = (line: string) => void;

const stdout: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function parseLogLevel(value: string | undefined): LogLevel {
  const level = (value ?? 'info').toLowerCase();
  return level in rank ? (level as LogLevel) : 'info';
}

export function createLogger(options: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {}): Logger {
  const threshold = rank[options.level ?? 'info'];
  const sink = options.sink ?? stdout;
  const base = options.fields ?? {};
  const write = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (rank[level] < threshold) return;
    sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...base, ...fields }));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ level: options.level, sink, fields: { ...base, ...fields } }),
    enabled: (level) => rank[level] >= threshold,
  };
}

/** The error's class and message, without stack or data it may carry. */
export function describeError(error: unknown): LogFields {
  if (error instanceof Error) return { error: error.name, error_message: error.message };
  return { error: typeof error };
}

let processLogger: Logger | undefined;

/** The process's logger, at LOG_LEVEL (default info). */
export function defaultLogger(): Logger {
  processLogger ??= createLogger({ level: parseLogLevel(process.env.LOG_LEVEL) });
  return processLogger;
}
