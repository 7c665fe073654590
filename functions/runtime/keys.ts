// HMAC keys with a rollover: a list whose first key signs and whose every key verifies. A new key is
// accepted everywhere before anything is signed with it, and the key it replaces is still accepted
// after it stopped signing, so no link, token or cursor already handed out breaks when a key is
// rotated (the README's rotation runbook; secrets.ts reads the list from Secrets Manager).
//
// No SDK here: the signers that take these keys are bundled by functions that read no secret and by
// the benchmark's bare twins.
import { timingSafeEqual } from 'node:crypto';

/** The shortest key accepted, in characters: an HMAC-SHA256 key should hold at least the hash's 256 bits. */
export const MIN_KEY_LENGTH = 32;

/** At least one key; the first signs. */
export type KeyList = readonly [string, ...string[]];

/**
 * A signer's keys: one key, a list (the first signs), or a function asked on every use, so that a
 * container's refreshed keys (secrets.ts) apply from the next signature on.
 */
export type Keys = string | KeyList | (() => KeyList);

/** `key`, unless it is too short to sign with; `name` is the setting it came from. */
export function checkKey(name: string, key: string): string {
  if (key.length < MIN_KEY_LENGTH) throw new Error(`${name} must be at least ${MIN_KEY_LENGTH} characters`);
  return key;
}

/** `keys` as a function. Fixed keys are checked here; a function's keys where they are read (secrets.ts). */
export function keyList(name: string, keys: Keys): () => KeyList {
  if (typeof keys === 'function') return keys;
  const [first, ...rest] = typeof keys === 'string' ? [keys] : keys;
  const fixed: KeyList = [checkKey(name, first), ...rest.map((key) => checkKey(name, key))];
  return () => fixed;
}

/**
 * Whether `presented` is the signature `sign` makes under one of `keys`, compared as text in
 * constant time (base64url has several spellings of one signature's last bits: only the one issued
 * verifies). The signing key is tried first, so a signature of the current key costs one HMAC.
 */
export function signedByAny(keys: KeyList, presented: string, sign: (key: string) => string): boolean {
  const given = Buffer.from(presented);
  return keys.some((key) => {
    const expected = Buffer.from(sign(key));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
