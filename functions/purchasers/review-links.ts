// Review links. A purchase that has no published review links to its questionnaire:
//
//   <REVIEW_BASE_URL>/questionnaire/<trkref>/<token>.<signature>
//
// `token` is a random 128-bit id stored on the purchase when it is first seen; `signature` is an
// HMAC-SHA256 of trkref and token under REVIEW_URL_SECRET, so a questionnaire service holding the
// secret rejects forged or altered links before looking anything up. Nothing in the URL is derived
// from the email, in clear or encoded.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ReviewLinks {
  questionnaireUrl(trkref: string, token: string): string;
  /** True when `signedToken` (`<token>.<signature>`) was issued for `trkref` under this secret. */
  verify(trkref: string, signedToken: string): boolean;
}

export const newReviewToken = () => randomBytes(16).toString('base64url');

export function createReviewLinks(options: { baseUrl: string; secret: string }): ReviewLinks {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new Error('REVIEW_BASE_URL must be an http(s) URL');
  }
  if (options.secret.length < 32) throw new Error('REVIEW_URL_SECRET must be at least 32 characters');
  const prefix = base.href.replace(/\/+$/, '');
  const sign = (trkref: string, token: string) =>
    createHmac('sha256', options.secret).update(`${trkref}\n${token}`).digest('base64url').slice(0, 32);

  return {
    questionnaireUrl: (trkref, token) =>
      `${prefix}/questionnaire/${encodeURIComponent(trkref)}/${token}.${sign(trkref, token)}`,
    verify(trkref, signedToken) {
      const [token, signature, ...rest] = signedToken.split('.');
      if (!token || !signature || rest.length > 0) return false;
      const expected = Buffer.from(sign(trkref, token));
      const actual = Buffer.from(signature);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}
