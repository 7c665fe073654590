// Lambda entry of the catch-all route (route Fallback; fallback.ts): 404, or 405 for a known path.
import { defaultLogger } from '../runtime/logger.ts';
import { fallbackRoute } from './fallback.ts';

export const handler = fallbackRoute({ log: defaultLogger() });
