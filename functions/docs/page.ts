// Lambda entry of GET /docs (route DocsPage; api.ts): the API reference's page.
import { defaultLogger } from '../runtime/logger.ts';
import { createDocsPageRoute } from './api.ts';

export const handler = createDocsPageRoute({ log: defaultLogger() });
