// Lambda entry of GET /customers (route ListCustomers; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { containerCursorSigner } from '../http/cursor.ts';
import { container } from '../runtime/container.ts';
import { listCustomersRoute } from './api.ts';

export const handler = listCustomersRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  cursors: containerCursorSigner(),
});
