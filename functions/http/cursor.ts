// Paging cursors: opaque to the client, and bound to what they page through. A cursor carries a
// position (where the next page starts, in the store's own terms), the scope it was issued for
// (organisation, route and filters) and an expiry, signed with HMAC-SHA256. A cursor that was
// altered, issued for another organisation or query, or has expired is a 400, never a page of
// someone else's data: the position is only used once the signature and the scope match. The
// current key signs; every key still accepted verifies (functions/runtime/keys.ts), so a key
// rotation sends nobody back to the first page.
import { createHmac } from 'node:crypto';
import { type Keys, keyList, signedByAny } from '../runtime/keys.ts';
import { containerKeys } from '../runtime/secrets.ts';
import { invalidCursor } from './problem.ts';

/** How long a cursor may be used: a day is room for a slow export, and bounds a leaked one. */
export const CURSOR_LIFETIME_SECONDS = 24 * 60 * 60;

export interface CursorSigner {
  /** A cursor for `position`, usable only with the same `scope`. */
  seal(scope: string, position: string): string;
  /** The position a cursor holds, or a 400 Problem when it is not valid for `scope`. */
  open(cursor: string, scope: string): string;
}

/** `secret` is CURSOR_SECRET's key or keys (the first signs); `now` is the clock (milliseconds), for tests of expiry. */
export function createCursorSigner(
  secret: Keys,
  { lifetimeSeconds = CURSOR_LIFETIME_SECONDS, now = Date.now } = {},
): CursorSigner {
  const keys = keyList('CURSOR_SECRET', secret);
  const sign = (key: string, payload: string, scope: string) =>
    createHmac('sha256', key).update(`${scope}\n${payload}`).digest('base64url');
  return {
    seal(scope, position) {
      const payload = Buffer.from(
        JSON.stringify({ p: position, e: Math.floor(now() / 1000) + lifetimeSeconds }),
      ).toString('base64url');
      return `${payload}.${sign(keys()[0], payload, scope)}`;
    },
    open(cursor, scope) {
      const [payload = '', signature = '', ...rest] = cursor.split('.');
      if (rest.length > 0 || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) throw invalidCursor();
      if (!signedByAny(keys(), signature, (key) => sign(key, payload, scope))) throw invalidCursor();
      const { p, e } = parsed(payload);
      if (typeof p !== 'string' || typeof e !== 'number' || e * 1000 <= now()) throw invalidCursor();
      return p;
    },
  };
}

function parsed(payload: string): { p?: unknown; e?: unknown } {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

let signer: CursorSigner | undefined;

/** The container's signer, under CURSOR_SECRET's keys (functions/runtime/secrets.ts). */
export function containerCursorSigner(): CursorSigner {
  signer ??= createCursorSigner(containerKeys('CURSOR_SECRET'));
  return signer;
}

/** The scope a cursor is bound to: the organisation, the route, and each filter by name. */
export const cursorScope = (organisation: string, route: string, filters: Readonly<Record<string, unknown>> = {}) =>
  JSON.stringify([
    organisation,
    route,
    Object.entries(filters)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  ]);
