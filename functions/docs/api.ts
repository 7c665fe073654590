// The API reference's routes: the OpenAPI document (GET /openapi.json), a page rendering it with
// Swagger UI (GET /docs, swagger-ui.ts), and the page's files (GET /docs/{asset}). Every URL the
// page holds is relative, so it works wherever the API is served (behind a custom domain's base
// path too), and every file it loads comes from the API itself: nothing from another host.
import { readFileSync } from 'node:fs';
import { docsAssetRow, docsPageRow, openApiDocumentRow } from '../../contract/routes.ts';
import type { HttpEvent } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import { contentTypeOf, fileRoute, type ServedFile, servedFile } from './files.ts';
import { INITIALIZER, INITIALIZER_NAME, PAGE, PAGE_POLICY, RELEASE } from './swagger-ui.ts';

/** What may change with any deployment: a client asks again each time (it is small, or compressed). */
const REVALIDATE = 'no-cache';
/** A file under a URL naming its release: the same URL is always the same bytes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const revalidate = () => REVALIDATE;

/** GET /openapi.json: `document`, as JSON; readable from any origin, as other tools load it from their own pages. */
export function createOpenApiRoute(deps: { readonly log: Logger; readonly document: object }) {
  const file = servedFile('application/json', () => JSON.stringify(deps.document), {
    'access-control-allow-origin': '*',
  });
  return fileRoute(openApiDocumentRow, { log: deps.log, fileOf: () => file, cacheControl: revalidate });
}

/** GET /docs: the page. */
export function createDocsPageRoute(deps: { readonly log: Logger }) {
  const file = servedFile(contentTypeOf('page.html')!, () => PAGE, { 'content-security-policy': PAGE_POLICY });
  return fileRoute(docsPageRow, { log: deps.log, fileOf: () => file, cacheControl: revalidate });
}

/**
 * GET /docs/{asset}: the files the row ships (by their names: `swagger-ui.css`), read where
 * `import.meta.resolve` finds them (the repository's node_modules, or the bundle's), and the
 * initializer. Anything else is 404.
 */
export function createDocsAssetRoute(deps: { readonly log: Logger }) {
  const files = new Map<string, ServedFile>([
    ...(docsAssetRow.assets ?? []).map((specifier): [string, ServedFile] => {
      const name = specifier.slice(specifier.lastIndexOf('/') + 1);
      const type = contentTypeOf(name);
      if (!type) throw new Error(`${docsAssetRow.name} cannot serve ${name}: no media type for it`);
      return [name, servedFile(type, () => readFileSync(new URL(import.meta.resolve(specifier))))];
    }),
    [INITIALIZER_NAME, servedFile(contentTypeOf(INITIALIZER_NAME)!, () => INITIALIZER)],
  ]);
  return fileRoute(docsAssetRow, {
    log: deps.log,
    fileOf: (event) => files.get(event.pathParameters?.asset ?? ''),
    // Kept for good only under the URL the page gives it: a request naming another release (or
    // none) may be for a file that has changed since.
    cacheControl: (event: HttpEvent) => (event.queryStringParameters?.v === RELEASE ? IMMUTABLE : REVALIDATE),
  });
}
