// Structured logs: one JSON object per line on stdout, which CloudWatch (and the local server's
// terminal) shows as is. Personal data (emails, names, addresses) and request bodies are never
// logged; log fields are identifiers, routes, statuses and error names.
//
// Lines are written to stdout directly, not through `console`: with Lambda's JSON log format the
// runtime wraps console output in an object of its own, which would hide a line's fields (and the
// embedded metrics some lines carry, functions/runtime/metrics.ts) one level down. Lambda still
// reads each line's `level` and drops the lines below the function's application log level.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Lambda's level names (AWS_LAMBDA_LOG_LEVEL) that are not ours, as ours. */
const lambdaLevels: Readonly<Record<string, LogLevel>> = { trace: 'debug', fatal: 'error' };

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

/**
 * Standard output, written synchronously to its descriptor rather than through `process.stdout`:
 * building that stream is 2 to 3 ms of a cold start (measured here, in a fresh process: 0.1 ms
 * for the descriptor), paid by every function on its first line. Should the descriptor refuse a
 * line or take only part of it (closed; or made non-blocking by a stream, and full), the rest and
 * every later line go through the stream.
 */
let direct = true;
const stdout: LogSink = (line) => {
  const bytes = Buffer.from(`${line}\n`);
  let written = 0;
  if (direct) {
    try {
      written = process.getBuiltinModule('node:fs').writeSync(1, bytes);
    } catch {
      // Nothing was written.
    }
    if (written === bytes.length) return;
    direct = false;
  }
  process.stdout.write(bytes.subarray(written));
};

/** A level by name, ours or Lambda's (`DEBUG`, `TRACE`, `FATAL`, any case); `info` when absent or unknown. */
export function parseLogLevel(value: string | undefined): LogLevel {
  const level = (value ?? 'info').toLowerCase();
  if (level in lambdaLevels) return lambdaLevels[level]!;
  return level in rank ? (level as LogLevel) : 'info';
}

/**
 * The one log-level switch: the function's application log level, which Lambda hands the function
 * as AWS_LAMBDA_LOG_LEVEL (JSON log format). LOG_LEVEL stands in for it where no Lambda sets it
 * (`npm start`, the tests, the ops tools).
 */
export const logLevelOf = (env: NodeJS.ProcessEnv = process.env): LogLevel =>
  parseLogLevel(env.AWS_LAMBDA_LOG_LEVEL || env.LOG_LEVEL);

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

/** The process's logger, at the application log level (logLevelOf). */
export function defaultLogger(): Logger {
  processLogger ??= createLogger({ level: logLevelOf() });
  return processLogger;
}

/** What every line of one invocation carries, whichever handler logs it (a type: it is a LogFields). */
export type InvocationFields = {
  /** Lambda's id of the invocation (`context.awsRequestId`): what its REPORT line names. */
  readonly function_request_id: string | undefined;
  /** The first invocation of this process: the one that paid for the container's start. */
  readonly cold_start: boolean;
  /** The X-Ray trace of the invocation (its root id), when Lambda traces it. */
  readonly xray_trace_id?: string;
};

let invocations = 0;

/** The invocation's fields; call once per invocation, as it starts (it counts them for cold_start). */
export function invocationFields(context: { readonly awsRequestId?: string } | undefined): InvocationFields {
  // Lambda sets the trace header in the environment for each invocation: `Root=1-…;Parent=…;Sampled=1`.
  const trace = process.env._X_AMZN_TRACE_ID;
  const root = trace?.split(';', 1)[0];
  return {
    function_request_id: context?.awsRequestId,
    cold_start: invocations++ === 0,
    ...(root?.startsWith('Root=') ? { xray_trace_id: root.slice(5) } : {}),
  };
}
