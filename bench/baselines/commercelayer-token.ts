// Bare twin of CommerceLayerToken: the client credentials checked as an API key (the cached key
// item, the secret's hash), an access token signed for it, Commerce Layer's token answer.
import { TOKEN_LIFETIME_SECONDS, TOKEN_SCOPE } from '../../functions/auth/tokens.ts';
import { type BareHttpEvent, checkKeyBare, issueTokenBare, json, logged } from './shared.ts';

export const handler = logged(async (event: BareHttpEvent) => {
  const body = JSON.parse(event.body ?? '{}');
  if (body.grant_type !== 'client_credentials') return json(400, { errors: [{ code: 'BAD_REQUEST' }] });
  const principal = await checkKeyBare(String(body.client_id), String(body.client_secret));
  if (!principal) return json(401, { errors: [{ code: 'UNAUTHORIZED' }] });
  const { token, issuedAt } = issueTokenBare(principal, Date.now());
  return json(200, {
    access_token: token,
    token_type: 'bearer',
    expires_in: TOKEN_LIFETIME_SECONDS,
    scope: TOKEN_SCOPE,
    created_at: issuedAt,
  });
});
