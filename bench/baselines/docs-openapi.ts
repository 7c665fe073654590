// Bare twin of GET /openapi.json: the committed document, as JSON (gzip when accepted).
import document from '../../docs/openapi.json' with { type: 'json' };
import { type FileRequest, fileAnswer } from './docs-files.ts';
import { logged } from './request-line.ts';

const answer = fileAnswer('application/json', () => Buffer.from(JSON.stringify(document)));

export const handler = logged(async (event: FileRequest) => answer(event));
