// Lambda entry of the catch-all route (route Fallback; api.ts): 404, or 405 for a known path.
import { defaultLogger } from '../runtime/logger.ts';
import { createFallbackRoute } from './api.ts';

export const handler = createFallbackRoute({ log: defaultLogger() });
