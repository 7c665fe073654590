// Lambda entry of GET /docs/{asset} (route DocsAsset; api.ts): the files the reference's page loads.
import { defaultLogger } from '../runtime/logger.ts';
import { createDocsAssetRoute } from './api.ts';

export const handler = createDocsAssetRoute({ log: defaultLogger() });
