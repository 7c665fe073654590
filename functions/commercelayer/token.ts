// Lambda entry of POST /compat/commercelayer/oauth/token (route CommerceLayerToken; api.ts).
import { containerKeyChecker, containerTokenSigner } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { commerceLayerTokenRoute } from './api.ts';

export const handler = commerceLayerTokenRoute({
  log: container().log,
  checkKey: containerKeyChecker(),
  signer: containerTokenSigner(),
  now: () => new Date(),
});
