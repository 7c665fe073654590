// Bare twin of GET /docs/{asset}: the row's files by name (read where import.meta.resolve finds
// them) and the initializer, gzip when accepted; 404 for any other name.
import { readFileSync } from 'node:fs';
import { docsAssetRow } from '../../contract/routes.ts';
import { INITIALIZER, INITIALIZER_NAME } from '../../functions/docs/swagger-ui.ts';
import { type FileRequest, fileAnswer } from './docs-files.ts';
import { logged } from './request-line.ts';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  png: 'image/png',
};
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

const files = new Map([
  ...(docsAssetRow.assets ?? []).map((specifier) => {
    const name = specifier.slice(specifier.lastIndexOf('/') + 1);
    return [name, fileAnswer(typeOf(name), () => readFileSync(new URL(import.meta.resolve(specifier))))] as const;
  }),
  [INITIALIZER_NAME, fileAnswer(typeOf(INITIALIZER_NAME), () => Buffer.from(INITIALIZER))] as const,
]);

export const handler = logged(async (event: FileRequest & { pathParameters?: Record<string, string> }) => {
  const answer = files.get(event.pathParameters?.asset ?? '');
  if (answer) return answer(event);
  return {
    statusCode: 404,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': event.requestContext.requestId },
    body: JSON.stringify({ type: '/problems/not-found', title: 'Not found', status: 404, detail: 'No such file.' }),
  };
});
