// The HMAC keys that sign review links, access tokens and cursors, read from Secrets Manager once per
// container, at cold start (this module's top-level await: Lambda finishes it before the first
// request), and kept fresh in the background.
//
// The stack gives a function `<NAME>_ARN` for each secret its row lists, never the value, and lets
// its role read exactly those secrets. Where the key itself is in `<NAME>` (npm start, the tests,
// the benchmark) it is used as is, with no network call.
//
// A secret's keys are its versions by staging label: AWSCURRENT signs, and AWSCURRENT, AWSPREVIOUS
// and AWSPENDING verify (keys.ts), so a key rotates in two phases without breaking anything already
// signed: a new value is accepted everywhere (AWSPENDING) before anything is signed with it
// (AWSCURRENT), and the value it replaces is still accepted (AWSPREVIOUS) until the next rotation.
// A container reads the labels again at most every REFRESH_INTERVAL_MS, in the background: requests
// go on with the keys it has, and a failed read keeps them (with a warning), never failing a request.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { boundedCalls } from '../store/bounds.ts';
import { checkKey, type KeyList, type Keys, MIN_KEY_LENGTH } from './keys.ts';
import { defaultLogger, describeError, type Logger } from './logger.ts';

/** The secrets a function may be given (by ARN: `<NAME>_ARN`, as a row of contract/routes.ts names them). */
export const SECRET_NAMES = ['REVIEW_URL_SECRET', 'TOKEN_SIGNING_SECRET', 'CURSOR_SECRET'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** How old a container's keys may grow before it reads them again; the runbook waits longer than this. */
export const REFRESH_INTERVAL_MS = 5 * 60 * 1000;

/** The labels whose versions verify, in the order tried: the first signs. */
const STAGES = ['AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING'] as const;

export interface KeyRingOptions {
  readonly client: SecretsManagerClient;
  /** The setting the secret is for, in errors and log lines. */
  readonly name: string;
  readonly log?: Logger;
  /** The clock, in milliseconds. */
  readonly now?: () => number;
  readonly refreshIntervalMs?: number;
}

/**
 * The keys of the secret `arn`, read now (this fails when AWSCURRENT cannot be read or is no usable
 * key). The function it resolves to answers at once with the keys it has, and reads them again in
 * the background once they are older than the refresh interval.
 */
export async function readKeyRing(arn: string, options: KeyRingOptions): Promise<() => KeyList> {
  const { now = Date.now, refreshIntervalMs = REFRESH_INTERVAL_MS, name } = options;
  const log = options.log ?? defaultLogger();
  let versions = await readVersions(arn, options.client, name, log);
  let readAt = now();
  let refreshing = false;
  return () => {
    if (!refreshing && now() - readAt >= refreshIntervalMs) {
      // Counted from the attempt, failed or not: a Secrets Manager outage costs one call per interval.
      readAt = now();
      refreshing = true;
      void readVersions(arn, options.client, name, log)
        .then(
          (fresh) => {
            if (fresh.ids.join() !== versions.ids.join())
              log.info('secret keys changed', { secret: name, versions: fresh.ids });
            versions = fresh;
          },
          (error: unknown) =>
            log.warn('secret keys not refreshed; the keys read before stay in use', {
              secret: name,
              ...describeError(error),
            }),
        )
        .finally(() => {
          refreshing = false;
        });
    }
    return versions.keys;
  };
}

/** The usable keys of the secret's labelled versions, AWSCURRENT first, each version once, and their ids. */
async function readVersions(
  arn: string,
  client: SecretsManagerClient,
  name: string,
  log: Logger,
): Promise<{ keys: KeyList; ids: string[] }> {
  const [current, ...others] = await Promise.all(
    STAGES.map((stage) =>
      client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage })).catch((error: unknown) => {
        // A label no version carries (no rotation yet, or none under way) is simply not there.
        if (stage !== 'AWSCURRENT' && (error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }),
    ),
  );
  if (!current?.SecretString) throw new Error(`${name}: the secret's AWSCURRENT version holds no text`);
  const keys: [string, ...string[]] = [checkKey(name, current.SecretString)];
  const ids = [current.VersionId ?? 'AWSCURRENT'];
  for (const version of others) {
    // A promoted version may still carry AWSPENDING: it is AWSCURRENT's key already.
    if (!version || version.VersionId === current.VersionId || ids.includes(version.VersionId ?? '')) continue;
    // A bad value put up for the next rotation must not stop the function: it is left out, and said.
    if (version.SecretString === undefined || version.SecretString.length < MIN_KEY_LENGTH) {
      log.warn('secret version left out: not a usable key', { secret: name, version: version.VersionId });
      continue;
    }
    keys.push(version.SecretString);
    ids.push(version.VersionId ?? '');
  }
  return { keys, ids };
}

/** Every secret this function was given by ARN (and not as a key), read in parallel. */
async function readConfiguredKeys(env: NodeJS.ProcessEnv): Promise<ReadonlyMap<SecretName, () => KeyList>> {
  const given = SECRET_NAMES.filter((name) => !env[name] && env[`${name}_ARN`]);
  if (given.length === 0) return new Map();
  // The endpoint comes from the standard AWS_ENDPOINT_URL_SECRETS_MANAGER when set.
  const client = new SecretsManagerClient(boundedCalls);
  return new Map(
    await Promise.all(
      given.map(async (name) => [name, await readKeyRing(env[`${name}_ARN`] ?? '', { client, name })] as const),
    ),
  );
}

const configured = await readConfiguredKeys(process.env);

/**
 * The container's keys for `name`: read from Secrets Manager (`<NAME>_ARN`, at cold start), or the
 * key itself when `<NAME>` holds it.
 */
export function containerKeys(name: SecretName, env: NodeJS.ProcessEnv = process.env): Keys {
  const key = env[name];
  if (key) return key;
  const ring = configured.get(name);
  if (!ring) throw new Error(`Environment variable ${name}_ARN (or ${name}) is required`);
  return ring;
}
