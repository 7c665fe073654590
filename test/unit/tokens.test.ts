// Access tokens (functions/auth/tokens.ts): what issue() writes, and that verify() gives back the
// caller only for a token issued under the same secret, unchanged and unexpired. Tokens are made
// by issue() or signed here with node:crypto, as an attacker holding (or lacking) the secret would.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenSigner, TOKEN_LIFETIME_SECONDS, TOKEN_SCOPE } from '../../functions/auth/tokens.ts';
import type { Principal } from '../../functions/http/principal.ts';

const SECRET = 'unit-test-token-secret-0123456789abcdef';
const OTHER_SECRET = 'another-token-secret-0123456789abcdefgh';
const NOW = new Date('2026-03-01T12:00:00.250Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const oneOrg: Principal = { keyId: `key_${'a1'.repeat(12)}`, orgs: ['ACME'], platform: null, mode: 'live' };
const manyOrgs: Principal = {
  keyId: `key_${'b2'.repeat(12)}`,
  orgs: ['ACME', 'corp_123'],
  platform: 'shopify',
  mode: 'test',
};

const signer = createTokenSigner(SECRET);
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
const claimsOf = (token: string) => decode(token.split('.')[1]!);
/** A JWT of this header and payload, signed with HMAC-SHA256 under `secret`. */
const signed = (header: unknown, payload: unknown, secret = SECRET) => {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${createHmac('sha256', secret).update(data).digest('base64url')}`;
};
const HS256 = { alg: 'HS256', typ: 'JWT' };
const claimsFor = (principal: Principal) => ({
  iss: 'purchaser-registry',
  sub: principal.keyId,
  iat: NOW_S,
  exp: NOW_S + 60,
  scope: TOKEN_SCOPE,
  orgs: principal.orgs,
  mode: principal.mode,
  platform: principal.platform,
});
/** Every token that differs from `token` by one base64url character at `index`. */
const oneCharacterChanges = (token: string, index: number) =>
  [...ALPHABET].filter((c) => c !== token[index]).map((c) => token.slice(0, index) + c + token.slice(index + 1));

describe('issue and verify', () => {
  it('gives back the principal a token was issued for', () => {
    for (const principal of [oneOrg, manyOrgs]) {
      const { token } = signer.issue(principal, NOW);
      expect(signer.verify(token, NOW.getTime()), principal.keyId).toEqual(principal);
    }
  });

  it('lasts the lifetime given (two hours by default): exp - iat, expiresIn, issuedAt', () => {
    const issued = signer.issue(oneOrg, NOW);
    expect(issued.issuedAt).toBe(NOW_S);
    expect(issued.expiresIn).toBe(TOKEN_LIFETIME_SECONDS);
    expect(TOKEN_LIFETIME_SECONDS).toBe(7200);
    const claims = claimsOf(issued.token);
    expect(claims.iat).toBe(NOW_S);
    expect(claims.exp - claims.iat).toBe(7200);

    const short = createTokenSigner(SECRET, 60).issue(oneOrg, NOW);
    expect(short.expiresIn).toBe(60);
    expect(claimsOf(short.token).exp - claimsOf(short.token).iat).toBe(60);
  });

  it('writes the HS256 header and the claims a client may read', () => {
    const { token } = signer.issue(manyOrgs, NOW);
    expect(decode(token.split('.')[0]!)).toEqual(HS256);
    expect(claimsOf(token)).toEqual({
      iss: 'purchaser-registry',
      sub: manyOrgs.keyId,
      iat: NOW_S,
      exp: NOW_S + 7200,
      scope: 'market:all',
      orgs: ['ACME', 'corp_123'],
      mode: 'test',
      platform: 'shopify',
      test: true,
      application: { kind: 'integration', public: false },
    });
  });

  it('names the organization only for a one-organisation key', () => {
    expect(claimsOf(signer.issue(oneOrg, NOW).token).organization).toEqual({ id: 'org_ACME', slug: 'ACME' });
    expect(claimsOf(signer.issue(manyOrgs, NOW).token)).not.toHaveProperty('organization');
  });

  it('sets the test claim from the key mode', () => {
    expect(claimsOf(signer.issue({ ...oneOrg, mode: 'live' }, NOW).token).test).toBe(false);
    expect(claimsOf(signer.issue({ ...oneOrg, mode: 'test' }, NOW).token).test).toBe(true);
    expect(signer.verify(signer.issue({ ...oneOrg, mode: 'test' }, NOW).token, NOW.getTime())).toMatchObject({
      mode: 'test',
    });
  });
});

describe('verify refuses', () => {
  it('a token issued under another secret: unknown', () => {
    const { token } = createTokenSigner(OTHER_SECRET).issue(oneOrg, NOW);
    expect(signer.verify(token, NOW.getTime())).toBe('unknown');
    expect(signer.verify(signed(HS256, claimsFor(oneOrg), OTHER_SECRET), NOW.getTime())).toBe('unknown');
  });

  it('a token with any base64url character of its header or payload changed: unknown', () => {
    const { token } = signer.issue(oneOrg, NOW);
    const signatureAt = token.lastIndexOf('.') + 1;
    for (let index = 0; index < signatureAt - 1; index++) {
      if (token[index] === '.') continue;
      for (const changed of oneCharacterChanges(token, index)) {
        expect(signer.verify(changed, NOW.getTime()), `character ${index}: ${changed}`).toBe('unknown');
      }
    }
  });

  it('a token with any of the first 42 characters of its signature changed: unknown', () => {
    const { token } = signer.issue(oneOrg, NOW);
    for (let index = token.lastIndexOf('.') + 1; index < token.length - 1; index++) {
      for (const changed of oneCharacterChanges(token, index)) {
        expect(signer.verify(changed, NOW.getTime()), `character ${index}: ${changed}`).toBe('unknown');
      }
    }
  });

  it('a token with the last character of its signature changed (one spelling per signature)', () => {
    // 43 base64url characters hold 258 bits: the last one's low 2 bits are not part of the 32-byte
    // HMAC, so 4 spellings decode to the same bytes. Only the one issue() wrote may be accepted.
    for (const principal of [oneOrg, manyOrgs]) {
      const { token } = signer.issue(principal, NOW);
      const accepted = oneCharacterChanges(token, token.length - 1)
        .filter((changed) => typeof signer.verify(changed, NOW.getTime()) !== 'string')
        .map((changed) => changed.at(-1));
      expect(accepted, `last characters accepted besides ${token.at(-1)}`).toEqual([]);
    }
  });

  it('a token with a character outside base64url put in: malformed', () => {
    const { token } = signer.issue(oneOrg, NOW);
    for (const index of [0, 10, token.indexOf('.') + 5, token.length - 1]) {
      for (const c of ['+', '/', '=', ' ', '.', 'é']) {
        const changed = token.slice(0, index) + c + token.slice(index + 1);
        expect(signer.verify(changed, NOW.getTime()), JSON.stringify(changed)).toBe('malformed');
      }
    }
  });

  it('an expired token: expired from exp on, valid until then', () => {
    const { token } = signer.issue(oneOrg, NOW);
    const exp = (NOW_S + TOKEN_LIFETIME_SECONDS) * 1000;
    expect(signer.verify(token, exp - 1)).toEqual(oneOrg);
    expect(signer.verify(token, exp)).toBe('expired');
    expect(signer.verify(token, exp + 365 * 24 * 3600 * 1000)).toBe('expired');
    const short = createTokenSigner(SECRET, 60).issue(oneOrg, NOW).token;
    expect(signer.verify(short, NOW.getTime() + 59_000)).toEqual(oneOrg);
    expect(signer.verify(short, NOW.getTime() + 61_000)).toBe('expired');
  });

  it('another tokens signer with the same secret reads the same tokens (secret, not instance)', () => {
    const { token } = signer.issue(manyOrgs, NOW);
    expect(createTokenSigner(SECRET).verify(token, NOW.getTime())).toEqual(manyOrgs);
  });

  it('alg none, with or without a signature: not a principal', () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsFor(oneOrg))}`;
    for (const token of [`${none}.`, none, `${none}.${'A'.repeat(43)}`]) {
      expect(['malformed', 'unknown'], token).toContain(signer.verify(token, NOW.getTime()));
    }
  });

  it('a correctly signed token with any other header: unknown', () => {
    for (const header of [
      { alg: 'none', typ: 'JWT' },
      { alg: 'HS256' },
      { typ: 'JWT', alg: 'HS256' },
      { alg: 'HS512', typ: 'JWT' },
      { alg: 'HS256', typ: 'JWT', kid: 'x' },
    ]) {
      expect(signer.verify(signed(header, claimsFor(oneOrg)), NOW.getTime()), JSON.stringify(header)).toBe('unknown');
    }
    // The same claims under the header issue() writes are accepted: the header is what was refused.
    expect(signer.verify(signed(HS256, claimsFor(oneOrg)), NOW.getTime())).toEqual(oneOrg);
  });

  it('a token longer than 8192 characters, even correctly signed: malformed', () => {
    const padded = (length: number) => ({ ...claimsFor(oneOrg), pad: 'x'.repeat(length) });
    const fits = signed(HS256, padded(5000));
    expect(fits.length).toBeLessThanOrEqual(8192);
    expect(signer.verify(fits, NOW.getTime())).toEqual(oneOrg);
    const tooLong = signed(HS256, padded(7000));
    expect(tooLong.length).toBeGreaterThan(8192);
    expect(signer.verify(tooLong, NOW.getTime())).toBe('malformed');
  });

  it('garbage: malformed', () => {
    const { token } = signer.issue(oneOrg, NOW);
    for (const garbage of [
      '',
      ' ',
      'abc',
      'a.b',
      'a.b.c',
      '..',
      `${token}.`,
      `.${token}`,
      ` ${token}`,
      `${token} `,
      `Bearer ${token}`,
      `${token}=`,
      `${token}.${'A'.repeat(43)}`,
      token.slice(0, -1),
      `${token}A`,
      token.replace('.', ''),
      'key_0123456789abcdef01234567.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'x'.repeat(10_000),
    ]) {
      expect(signer.verify(garbage, NOW.getTime()), JSON.stringify(garbage.slice(0, 80))).toBe('malformed');
    }
  });
});

describe('createTokenSigner', () => {
  it('refuses a secret shorter than 32 characters', () => {
    for (const secret of ['', 'short', 'x'.repeat(31)]) {
      expect(() => createTokenSigner(secret), `${secret.length} characters`).toThrow(/at least 32 characters/);
    }
    expect(() => createTokenSigner('x'.repeat(32))).not.toThrow();
  });
});

describe('tokens across a key rotation', () => {
  const PREVIOUS = 'previous-token-secret-0123456789abcdefgh';
  const PENDING = 'pending-token-secret-0123456789abcdefghi';
  const issuedUnder = (key: string) => createTokenSigner(key).issue(oneOrg, NOW).token;

  it('are issued under the first key and verify under each of the keys still accepted', () => {
    const rolling = createTokenSigner([SECRET, PREVIOUS, PENDING]);
    for (const key of [SECRET, PREVIOUS, PENDING]) {
      expect(rolling.verify(issuedUnder(key), NOW.getTime()), key).toEqual(oneOrg);
    }
    const { token } = rolling.issue(oneOrg, NOW);
    expect(signer.verify(token, NOW.getTime())).toEqual(oneOrg);
    expect(createTokenSigner(PREVIOUS).verify(token, NOW.getTime())).toBe('unknown');
  });

  it('refuse a token under a key not accepted, and check expiry whatever the key', () => {
    const rolling = createTokenSigner([SECRET, PREVIOUS]);
    expect(rolling.verify(issuedUnder(PENDING), NOW.getTime())).toBe('unknown');
    expect(rolling.verify(issuedUnder(OTHER_SECRET), NOW.getTime())).toBe('unknown');
    expect(rolling.verify(signed(HS256, claimsFor(oneOrg), 'guessed'), NOW.getTime())).toBe('unknown');
    const expired = createTokenSigner(PREVIOUS, 60).issue(oneOrg, NOW).token;
    expect(rolling.verify(expired, NOW.getTime() + 60_000)).toBe('expired');
  });

  it('follow keys that change: a refreshed list applies from the next token on', () => {
    let keys: [string, ...string[]] = [PREVIOUS, PENDING];
    const rolling = createTokenSigner(() => keys);
    const before = rolling.issue(oneOrg, NOW).token;
    keys = [PENDING, PREVIOUS];
    expect(rolling.verify(before, NOW.getTime())).toEqual(oneOrg);
    expect(createTokenSigner(PENDING).verify(rolling.issue(oneOrg, NOW).token, NOW.getTime())).toEqual(oneOrg);
    keys = [SECRET, PENDING];
    expect(rolling.verify(before, NOW.getTime())).toBe('unknown');
  });

  it('refuse a list with a short key in it', () => {
    expect(() => createTokenSigner([SECRET, 'x'.repeat(31)])).toThrow(/at least 32 characters/);
  });
});
