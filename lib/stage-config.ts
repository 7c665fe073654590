// What differs between deployments, in one place: `cdk.json` → `context.stages.<name>`, picked by
// `-c stage=<name>` (dev when absent). Every setting of a stage is written there, none has a
// default here: a stage that forgets a setting fails synth with the setting's name, instead of
// silently deploying a default, and no other `-c` flag changes what is deployed.
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { type IncomingEventType, incomingEventTypes } from '../contract/events.ts';

/**
 * The context cdk.json gives the app (the stages, and the feature flags that decide how constructs
 * synthesise): the tests and the benchmark build their stacks with it too, so what they check is
 * what deploys.
 */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context;
}

const positiveInteger = v.pipe(v.number(), v.integer(), v.minValue(1));
const hostName = v.pipe(
  v.string(),
  v.regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a host name'),
);
const account = v.pipe(v.string(), v.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));
/** Retention periods CloudWatch Logs accepts (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const stageSchema = v.strictObject({
  /** Base of the questionnaire links in purchase responses. */
  reviewBaseUrl: v.pipe(v.string(), v.url(), v.startsWith('https://', 'must be an https URL')),
  /** Hosts a `review.published` event's `review_url` may point to (`*.` allows subdomains); https only. */
  reviewUrlHosts: v.pipe(v.array(hostName), v.minLength(1)),
  /**
   * The `source` each incoming detail-type is accepted from: the bus rules match these only, and
   * producer accounts may put events with these sources only.
   */
  eventSources: v.strictObject(
    Object.fromEntries(
      incomingEventTypes.map((type) => [type, v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1))]),
    ) as unknown as Record<IncomingEventType, v.GenericSchema<string[]>>,
  ),
  /** Other AWS accounts allowed to put those events on the bus. */
  producerAccounts: v.array(account),
  /** Days the bus archive keeps incoming events for replay. */
  archiveRetentionDays: positiveInteger,
  /** Whole-API throttle: steady requests per second, and requests at once above it. */
  throttle: v.strictObject({ rate: positiveInteger, burst: positiveInteger }),
  /** Per API key: at most `requests` in each window of `perSeconds`; null for none. */
  rateLimit: v.nullable(v.strictObject({ requests: positiveInteger, perSeconds: positiveInteger })),
  /** Days the function and access logs are kept. */
  logRetentionDays: v.picklist(LOG_RETENTION_DAYS, 'must be a retention CloudWatch Logs accepts'),
  /**
   * Whether the table, secrets, dead-letter queues, stream failures, archive and logs outlive the
   * stack (and the table has deletion protection, the stack termination protection).
   */
  retainData: v.boolean(),
  /** MB, for every function. */
  memorySize: v.pipe(positiveInteger, v.minValue(128), v.maxValue(10240)),
  /** Seconds a function reuses an API key it read (a revoked key stops within it): 0 to 60. */
  apiKeyCacheSeconds: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60)),
  /** Where alarms and their recoveries are e-mailed. */
  alarmEmails: v.array(v.pipe(v.string(), v.email())),
  /** The account's Lambda concurrency limit: the headroom alarm fires at 80 % of it. */
  accountConcurrency: positiveInteger,
  /** A custom domain for the API (its certificate, in the stack's region, by ARN); null for none. */
  domain: v.nullable(
    v.strictObject({
      name: hostName,
      certificateArn: v.pipe(v.string(), v.regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/)),
    }),
  ),
});

export type StageConfig = v.InferOutput<typeof stageSchema>;

export const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** `stages[name]` of the context, checked whole; throws naming every wrong or missing setting. */
export function stageConfig(stages: unknown, name: string): StageConfig {
  if (!STAGE_NAME.test(name)) {
    throw new Error(`stage must be 1 to 20 lower-case letters, digits or "-", starting with a letter: ${name}`);
  }
  const all = (stages ?? {}) as Record<string, unknown>;
  if (typeof all !== 'object' || !Object.hasOwn(all, name)) {
    throw new Error(`no stage "${name}" in cdk.json (context.stages has: ${Object.keys(all).join(', ') || 'none'})`);
  }
  const parsed = v.safeParse(stageSchema, all[name]);
  if (!parsed.success) {
    const problems = parsed.issues.map((issue) => `${v.getDotPath(issue) ?? '(stage)'}: ${issue.message}`);
    throw new Error(`stage "${name}" in cdk.json is not valid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.output;
}
