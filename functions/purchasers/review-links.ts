// Review links. A purchase that has no published review links to its questionnaire:
//
//   <REVIEW_BASE_URL>/questionnaire/<trkref>/<token>.<signature>
//
// `token` is a random 128-bit id stored on the purchase when it is first seen; `signature` is an
// HMAC-SHA256 of trkref and token under REVIEW_URL_SECRET, so a questionnaire service holding the
// secret rejects forged or altered links before looking anything up. Nothing in the URL is derived
// from the email, in clear or encoded. Links are signed with the current key and verify under every
// key still accepted (functions/runtime/keys.ts), so a link keeps working across a key rotation.
import { createHmac, randomBytes } from 'node:crypto';
import { type Keys, keyList, signedByAny } from '../runtime/keys.ts';

export interface ReviewLinks {
  questionnaireUrl(trkref: string, token: string): string;
  /** True when `signedToken` (`<token>.<signature>`) was issued for `trkref` under one of the keys. */
  verify(trkref: string, signedToken: string): boolean;
}

export const newReviewToken = () => randomBytes(16).toString('base64url');

/** `secret` is REVIEW_URL_SECRET's key or keys: the first signs, every one verifies. */
export function createReviewLinks(options: { baseUrl: string; secret: Keys }): ReviewLinks {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new Error('REVIEW_BASE_URL must be an http(s) URL');
  }
  const keys = keyList('REVIEW_URL_SECRET', options.secret);
  const prefix = base.href.replace(/\/+$/, '');
  const sign = (key: string, trkref: string, token: string) =>
    createHmac('sha256', key).update(`${trkref}\n${token}`).digest('base64url').slice(0, 32);

  return {
    questionnaireUrl: (trkref, token) =>
      `${prefix}/questionnaire/${encodeURIComponent(trkref)}/${token}.${sign(keys()[0], trkref, token)}`,
    verify(trkref, signedToken) {
      const [token, signature, ...rest] = signedToken.split('.');
      if (!token || !signature || rest.length > 0) return false;
      return signedByAny(keys(), signature, (key) => sign(key, trkref, token));
    },
  };
}
