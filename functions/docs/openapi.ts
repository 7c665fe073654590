// Lambda entry of GET /openapi.json (route OpenApiDocument; api.ts): the committed API reference
// (`npm run openapi` writes it), bundled into the function.
import document from '../../docs/openapi.json' with { type: 'json' };
import { defaultLogger } from '../runtime/logger.ts';
import { createOpenApiRoute } from './api.ts';

export const handler = createOpenApiRoute({ log: defaultLogger(), document });
