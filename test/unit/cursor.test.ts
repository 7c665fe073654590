// Paging cursors (functions/http/cursor.ts): open() gives back the position only for a cursor this
// signer sealed, unchanged, for the same scope (organisation, route, filters) and unexpired; every
// other cursor is the 400 invalid-cursor problem.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CURSOR_LIFETIME_SECONDS, createCursorSigner, cursorScope } from '../../functions/http/cursor.ts';
import { Problem } from '../../functions/http/problem.ts';

const SECRET = 'unit-test-cursor-secret-0123456789abcdef';
const OTHER_SECRET = 'another-cursor-secret-0123456789abcdefgh';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const POSITION = '2026-03-01T12:00:00.250Z#cust_0123456789abcdef0123456789abcdef';

let clock = Date.parse('2026-03-01T12:00:00.250Z');
const signer = createCursorSigner(SECRET, { now: () => clock });
const scope = cursorScope('ACME', 'ListCustomers', { external_id: 'ext_1' });

/** The problem open() throws for `cursor` in `inScope`, or the position it gives. */
function opened(cursor: string, inScope = scope): string | Problem {
  try {
    return signer.open(cursor, inScope);
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
}

const expectRefused = (cursor: string, inScope = scope) => {
  const result = opened(cursor, inScope);
  expect(result).toBeInstanceOf(Problem);
  expect(result).toMatchObject({ status: 400, type: '/problems/invalid-cursor' });
};

describe('cursors', () => {
  it('round-trips: the position comes back in the same scope, from a cursor of URL-safe characters', () => {
    const cursor = signer.seal(scope, POSITION);
    expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(signer.open(cursor, scope)).toBe(POSITION);
    // The scope's filters are named, so their order does not matter.
    const reordered = cursorScope('ACME', 'ListCustomers', { source_platform: 'shopify', external_id: 'ext_1' });
    const same = cursorScope('ACME', 'ListCustomers', { external_id: 'ext_1', source_platform: 'shopify' });
    expect(signer.open(signer.seal(reordered, POSITION), same)).toBe(POSITION);
    // An absent filter is no filter.
    expect(cursorScope('ACME', 'ListCustomers', { email: undefined })).toBe(cursorScope('ACME', 'ListCustomers'));
  });

  it('refuses a cursor whose position was changed, keeping its signature', () => {
    const [, signature] = signer.seal(scope, POSITION).split('.');
    const exp = Math.floor(clock / 1000) + CURSOR_LIFETIME_SECONDS;
    const payload = Buffer.from(JSON.stringify({ p: '2020-01-01T00:00:00.000Z#cust_x', e: exp })).toString('base64url');
    expectRefused(`${payload}.${signature}`);
    // A later expiry, same position: refused too.
    const longer = Buffer.from(JSON.stringify({ p: POSITION, e: exp + 3600 })).toString('base64url');
    expectRefused(`${longer}.${signature}`);
  });

  it('refuses a cursor issued for another organisation', () => {
    const other = cursorScope('OTHER', 'ListCustomers', { external_id: 'ext_1' });
    expectRefused(signer.seal(other, POSITION));
    expectRefused(signer.seal(scope, POSITION), other);
  });

  it('refuses a cursor issued for other filters or another route', () => {
    const cursor = signer.seal(scope, POSITION);
    expectRefused(cursor, cursorScope('ACME', 'ListCustomers', { external_id: 'ext_2' }));
    expectRefused(cursor, cursorScope('ACME', 'ListCustomers'));
    expectRefused(cursor, cursorScope('ACME', 'ListCustomers', { external_id: 'ext_1', source_platform: 'shop' }));
    expectRefused(cursor, cursorScope('ACME', 'KohortPayListCustomers', { external_id: 'ext_1' }));
  });

  it('refuses a cursor signed under another secret, or unsigned', () => {
    const stranger = createCursorSigner(OTHER_SECRET, { now: () => clock });
    expectRefused(stranger.seal(scope, POSITION));
    // Signed as the signer does, with a guessed secret.
    const payload = signer.seal(scope, POSITION).split('.')[0]!;
    const guessed = createHmac('sha256', 'secret').update(`${scope}\n${payload}`).digest('base64url');
    expectRefused(`${payload}.${guessed}`);
    expectRefused(payload);
    expectRefused(`${payload}.`);
  });

  it('refuses every cursor with one character altered', () => {
    const cursor = signer.seal(scope, POSITION);
    let tried = 0;
    for (let i = 0; i < cursor.length; i++) {
      for (const replacement of [ALPHABET[(ALPHABET.indexOf(cursor[i]!) + 1) % ALPHABET.length]!, '.', '=', '~']) {
        if (replacement === cursor[i]) continue;
        expectRefused(cursor.slice(0, i) + replacement + cursor.slice(i + 1));
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(cursor.length * 3);
    // Dropped or added characters too.
    expectRefused(cursor.slice(0, -1));
    expectRefused(`${cursor}A`);
    expectRefused(`A${cursor}`);
  });

  it('refuses malformed text', () => {
    for (const text of ['', '.', 'abc', 'a.b.c', 'a b.c', 'éé.éé', `${'A'.repeat(40)}.${'B'.repeat(43)}`]) {
      expectRefused(text);
    }
  });

  it('expires after its lifetime, by the injected clock', () => {
    const start = clock;
    try {
      const cursor = signer.seal(scope, POSITION);
      clock = start + (CURSOR_LIFETIME_SECONDS - 1) * 1000;
      expect(signer.open(cursor, scope)).toBe(POSITION);
      clock = start + CURSOR_LIFETIME_SECONDS * 1000;
      expectRefused(cursor);
      clock = start + 30 * 24 * 3600 * 1000;
      expectRefused(cursor);
    } finally {
      clock = start;
    }
  });

  it('honours a shorter lifetime', () => {
    const short = createCursorSigner(SECRET, { now: () => clock, lifetimeSeconds: 60 });
    const cursor = short.seal(scope, POSITION);
    const start = clock;
    try {
      clock = start + 59_000;
      expect(short.open(cursor, scope)).toBe(POSITION);
      clock = start + 61_000;
      expect(() => short.open(cursor, scope)).toThrow(Problem);
    } finally {
      clock = start;
    }
  });
});

describe('cursors across a key rotation', () => {
  const [PREVIOUS, PENDING] = ['previous-cursor-secret-0123456789abcdef', 'pending-cursor-secret-0123456789abcdef0'];
  const under = (key: string) => createCursorSigner(key, { now: () => clock });

  it('are sealed with the first key and open under each of the keys still accepted', () => {
    const rolling = createCursorSigner([SECRET, PREVIOUS, PENDING], { now: () => clock });
    for (const key of [SECRET, PREVIOUS, PENDING]) {
      expect(rolling.open(under(key).seal(scope, POSITION), scope), key).toBe(POSITION);
    }
    const sealed = rolling.seal(scope, POSITION);
    expect(under(SECRET).open(sealed, scope)).toBe(POSITION);
    expect(() => under(PREVIOUS).open(sealed, scope)).toThrow(Problem);
  });

  it('refuses a cursor under a key no longer (or never) accepted, and one for another scope', () => {
    const rolling = createCursorSigner([SECRET, PREVIOUS], { now: () => clock });
    expect(() => rolling.open(under(PENDING).seal(scope, POSITION), scope)).toThrow(Problem);
    expect(() => rolling.open(under(OTHER_SECRET).seal(scope, POSITION), scope)).toThrow(Problem);
    const other = cursorScope('OTHER', 'ListCustomers', { external_id: 'ext_1' });
    expect(() => rolling.open(under(PREVIOUS).seal(scope, POSITION), other)).toThrow(Problem);
  });

  it('follows keys that change: a refreshed list applies from the next cursor on', () => {
    let keys: [string, ...string[]] = [PREVIOUS, PENDING];
    const rolling = createCursorSigner(() => keys, { now: () => clock });
    const before = rolling.seal(scope, POSITION);
    keys = [PENDING, PREVIOUS];
    expect(rolling.open(before, scope)).toBe(POSITION);
    expect(under(PENDING).open(rolling.seal(scope, POSITION), scope)).toBe(POSITION);
    keys = [SECRET, PENDING];
    expect(() => rolling.open(before, scope)).toThrow(Problem);
  });

  it('refuses a key shorter than 32 characters', () => {
    expect(() => createCursorSigner('x'.repeat(31))).toThrow(/CURSOR_SECRET must be at least 32 characters/);
    expect(() => createCursorSigner([SECRET, 'short'])).toThrow(/at least 32 characters/);
  });
});
