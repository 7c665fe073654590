// Lambda entry of the authorizer in front of every partner route (function Authorizer; authorizer.ts).
import { container } from '../runtime/container.ts';
import { createAuthorizer } from './authorizer.ts';

export const handler = createAuthorizer(container());
