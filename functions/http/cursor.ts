// Paging cursors: opaque to the client, and bound to what they page through. A cursor carries a
// position (where the next page starts, in the store's own terms), the scope it was issued for
// (organisation, route and filters) and an expiry, signed with HMAC-SHA256. A cursor that was
// altered, issued for another organisation or query, or has expired is a 400, never a page of
// someone else's data: the position is only used once the signature and the scope match.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requireEnv } from '../runtime/env.ts';
import { invalidCursor } from './problem.ts';

/** How long a cursor may be used: a day is room for a slow export, and bounds a leaked one. */
export const CURSOR_LIFETIME_SECONDS = 24 * 60 * 60;

export interface CursorSigner {
  /** A cursor for `position`, usable only with the same `scope`. */
  seal(scope: string, position: string): string;
  /** The position a cursor holds, or a 400 Problem when it is not valid for `scope`. */
  open(cursor: string, scope: string): string;
}

/** `secret` signs; `now` is the clock (milliseconds), for tests of expiry. */
export function createCursorSigner(
  secret: string,
  { lifetimeSeconds = CURSOR_LIFETIME_SECONDS, now = Date.now } = {},
): CursorSigner {
  const sign = (payload: string, scope: string) => createHmac('sha256', secret).update(`${scope}\n${payload}`).digest();
  return {
    seal(scope, position) {
      const payload = Buffer.from(
        JSON.stringify({ p: position, e: Math.floor(now() / 1000) + lifetimeSeconds }),
      ).toString('base64url');
      return `${payload}.${sign(payload, scope).toString('base64url')}`;
    },
    open(cursor, scope) {
      const [payload = '', signature = '', ...rest] = cursor.split('.');
      if (rest.length > 0 || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) throw invalidCursor();
      const expected = sign(payload, scope);
      const given = Buffer.from(signature, 'base64url');
      // Compared as text too: base64url has several spellings of the same bytes in its last character.
      if (
        given.length !== expected.length ||
        !timingSafeEqual(given, expected) ||
        signature !== expected.toString('base64url')
      ) {
        throw invalidCursor();
      }
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

/** The container's signer, from CURSOR_SECRET. */
export function containerCursorSigner(): CursorSigner {
  signer ??= createCursorSigner(requireEnv('CURSOR_SECRET'));
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
