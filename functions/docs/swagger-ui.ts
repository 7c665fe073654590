// The reference's page, as Swagger UI renders it: the HTML, the script that starts Swagger UI, and
// the release their URLs name. Plain data: the routes (api.ts) serve it, and the benchmark's twins
// serve the same bytes.
import swaggerUi from 'swagger-ui-dist/package.json' with { type: 'json' };

/** The script that starts Swagger UI, by the name the page loads it under. */
export const INITIALIZER_NAME = 'swagger-initializer.js';

/**
 * Starts Swagger UI on the document beside the page (`/docs` -> `/openapi.json`). "Try it out" is
 * on from the start; a key entered in Authorize lasts as long as the page (not kept in the browser).
 * No validator badge: it would send the document's URL to swagger.io.
 */
export const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: false,
  validatorUrl: null,
});
`;

/** 32 bits of FNV-1a, in base 36: enough to tell one initializer from the next. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

/** The release of the page's files, in their URLs (`?v=`): Swagger UI's version and the initializer's. */
export const RELEASE = `${swaggerUi.version}-${fingerprint(INITIALIZER)}`;

/** Where a file of the page is, relative to the page (`/docs` -> `/docs/<name>`), in this release. */
const asset = (name: string) => `docs/${name}?v=${RELEASE}`;

export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Purchaser registry API</title>
<link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}">
<link rel="stylesheet" href="${asset('swagger-ui.css')}">
<style>body { margin: 0 }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="${asset('swagger-ui-bundle.js')}"></script>
<script src="${asset(INITIALIZER_NAME)}"></script>
</body>
</html>
`;

/**
 * The page's Content-Security-Policy: this API's own files and requests only (Swagger UI's icons
 * are data: URLs, and it sets inline styles); no page may frame this one (the Authorize dialog
 * takes a key).
 */
export const PAGE_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
