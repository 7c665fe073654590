import { describe, expect, it } from 'vitest';
import { createReviewLinks, newReviewToken } from '../../functions/purchasers/review-links.ts';

const links = createReviewLinks({ baseUrl: 'https://reviews.example.com/', secret: 's'.repeat(32) });

describe('review links', () => {
  it('puts a signed token under the questionnaire path of the base URL', () => {
    const token = newReviewToken();
    const url = links.questionnaireUrl('ACME', token);
    expect(url).toMatch(
      new RegExp(`^https://reviews\\.example\\.com/questionnaire/ACME/${token}\\.[A-Za-z0-9_-]{32}$`),
    );
    expect(links.verify('ACME', url.split('/').at(-1)!)).toBe(true);
  });

  it('tokens are random and 128 bits long', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newReviewToken));
    expect(tokens.size).toBe(1000);
    expect(Buffer.from([...tokens][0]!, 'base64url')).toHaveLength(16);
  });

  it('rejects a forged, altered or transplanted token', () => {
    const signed = links.questionnaireUrl('ACME', newReviewToken()).split('/').at(-1)!;
    const [token, signature] = signed.split('.') as [string, string];
    expect(links.verify('ACME', `${newReviewToken()}.${signature}`)).toBe(false);
    const altered = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    expect(links.verify('ACME', `${token}.${altered}`)).toBe(false);
    expect(links.verify('OTHER', signed)).toBe(false);
    expect(links.verify('ACME', token)).toBe(false);
    expect(links.verify('ACME', `${signed}.x`)).toBe(false);
    const otherSecret = createReviewLinks({ baseUrl: 'https://reviews.example.com', secret: 't'.repeat(32) });
    expect(otherSecret.verify('ACME', signed)).toBe(false);
  });

  it('refuses a short secret or a base URL that is not http(s)', () => {
    expect(() => createReviewLinks({ baseUrl: 'https://x.test', secret: 'short' })).toThrow(/32 characters/);
    expect(() => createReviewLinks({ baseUrl: 'ftp://x.test', secret: 's'.repeat(32) })).toThrow(/http/);
  });
});

describe('review links across a key rotation', () => {
  const [previous, current, pending, stranger] = ['p', 'c', 'n', 'x'].map((c) => c.repeat(32)) as [
    string,
    string,
    string,
    string,
  ];
  const signedUnder = (key: string) =>
    createReviewLinks({ baseUrl: 'https://reviews.example.com', secret: key })
      .questionnaireUrl('ACME', newReviewToken())
      .split('/')
      .at(-1)!;

  it('signs with the first key and verifies under each of the keys still accepted', () => {
    const rolling = createReviewLinks({ baseUrl: 'https://reviews.example.com', secret: [current, previous, pending] });
    const link = rolling.questionnaireUrl('ACME', newReviewToken()).split('/').at(-1)!;
    expect(createReviewLinks({ baseUrl: 'https://x.test', secret: current }).verify('ACME', link)).toBe(true);
    expect(createReviewLinks({ baseUrl: 'https://x.test', secret: previous }).verify('ACME', link)).toBe(false);
    for (const key of [current, previous, pending]) expect(rolling.verify('ACME', signedUnder(key)), key).toBe(true);
    expect(rolling.verify('ACME', signedUnder(stranger))).toBe(false);
    expect(rolling.verify('OTHER', signedUnder(previous))).toBe(false);
  });

  it('follows keys that change: a refreshed list applies from the next link on', () => {
    let keys: [string, ...string[]] = [previous];
    const rolling = createReviewLinks({ baseUrl: 'https://reviews.example.com', secret: () => keys });
    const before = rolling.questionnaireUrl('ACME', newReviewToken()).split('/').at(-1)!;
    expect(rolling.verify('ACME', signedUnder(current))).toBe(false);
    keys = [current, previous];
    expect(rolling.verify('ACME', before)).toBe(true);
    expect(rolling.verify('ACME', signedUnder(current))).toBe(true);
    const after = rolling.questionnaireUrl('ACME', newReviewToken()).split('/').at(-1)!;
    expect(createReviewLinks({ baseUrl: 'https://x.test', secret: current }).verify('ACME', after)).toBe(true);
    keys = [current];
    expect(rolling.verify('ACME', before)).toBe(false);
  });

  it('refuses a list with a short key in it', () => {
    expect(() => createReviewLinks({ baseUrl: 'https://x.test', secret: [current, 'short'] })).toThrow(/32 characters/);
  });
});
