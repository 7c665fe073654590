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
