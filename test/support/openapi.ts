// Holds answers to the API reference (docs/openapi.json): the status must be one the operation
// lists, the media type one that response lists, and the body must fit that response's schema.
// The local server in tests and `invoke` (handlers called directly) check every answer, so the
// reference cannot drift from what the routes answer.

import { gunzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { matchRoute, type Route, routes } from '../../contract/routes.ts';
import document from '../../docs/openapi.json' with { type: 'json' };
import type { ObservedAnswer } from '../../local/server.ts';

// ajv-formats is CommonJS: its default export is the module object under Node's ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, 'openapi.json');

/** The validator of the schema at `pointer` (`#/paths/…`) in the reference. */
export function schemaAt(pointer: string) {
  const validate = ajv.getSchema(`openapi.json${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  return validate;
}

/** One answer as a client saw it. */
export interface Exchange {
  readonly method: string;
  /** The path as sent (percent-encoded), without the query string. */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text ('' for none). */
  readonly body: string;
}

interface ResponseObject {
  readonly content?: Record<string, { schema?: unknown }>;
}

/** The JSON pointer of `segments` (each escaped: `/customers` is `~1customers`), without `#/`. */
export const pointer = (...segments: string[]) =>
  segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** The response object at `#/…`, following a `$ref` into components.responses. */
function responseAt(path: string): { response: ResponseObject | undefined; at: string } {
  const at = path;
  let node: unknown = document;
  for (const segment of at.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  const ref = (node as { $ref?: string } | undefined)?.$ref;
  return ref ? responseAt(ref) : { response: node as ResponseObject | undefined, at };
}

/** The error answers of the catch-all (no route): in the shape of the contract whose base path the request is under. */
function catchAllResponse(path: string, status: number): string {
  const prefix = path.startsWith('/compat/commercelayer/oauth/')
    ? 'Token'
    : path.startsWith('/compat/commercelayer/')
      ? 'JsonApi'
      : path.startsWith('/compat/kohortpay/')
        ? 'KohortPay'
        : 'Problem';
  return `#/components/responses/${prefix}${status}`;
}

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

/** What is wrong with `exchange` by the reference; none when it fits. */
export function breachesOf(exchange: Exchange, table: readonly Route[] = routes): string[] {
  const method = exchange.method.toLowerCase();
  const match = matchRoute(exchange.method, exchange.path, table);
  const route = match.kind === 'route' && match.route.path !== '$default' ? match.route : undefined;
  const name = route ? `${exchange.method} ${route.path}` : `${exchange.method} ${exchange.path} (no route)`;
  let responsePath: string;
  if (route) {
    const operation = (document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[
      route.path
    ]?.[method];
    if (!operation) return [`${name}: not in the reference`];
    if (!(String(exchange.status) in operation.responses)) {
      return [`${name}: status ${exchange.status} is not among its responses`];
    }
    responsePath = `#/${pointer('paths', route.path, method, 'responses', String(exchange.status))}`;
  } else {
    if (exchange.status !== 404 && exchange.status !== 405) return [`${name}: status ${exchange.status}`];
    responsePath = catchAllResponse(exchange.path, exchange.status);
  }
  const { response, at } = responseAt(responsePath);
  if (!response) return [`${name} ${exchange.status}: no response at ${responsePath}`];
  const mediaType = (exchange.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!response.content) {
    return exchange.body === '' ? [] : [`${name} ${exchange.status}: a body where the reference has none`];
  }
  const content = response.content[mediaType];
  if (!content) {
    return [
      `${name} ${exchange.status}: media type "${mediaType}", not one of ${Object.keys(response.content).join(', ')}`,
    ];
  }
  if (!isJson(mediaType)) return [];
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return [`${name} ${exchange.status}: the body is not JSON`];
  }
  const validate = schemaAt(`${at}/content/${pointer(mediaType)}/schema`);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (error) => `${name} ${exchange.status}: ${error.instancePath || '(body)'} ${error.message} ${JSON.stringify(body)}`,
  );
}

/**
 * Checks each answer a local server gives (its `observe` option) and keeps what breaks the
 * reference; `verify()` throws with every breach (the test server calls it when it closes).
 */
export function referenceCheck(table: readonly Route[] = routes) {
  const breaches: string[] = [];
  return {
    breaches,
    observe(answer: ObservedAnswer) {
      const body = answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.body) : answer.body;
      breaches.push(...breachesOf({ ...answer, body: body.toString('utf8') }, table));
    },
    verify() {
      if (breaches.length) throw new Error(`answers outside the API reference:\n${breaches.join('\n')}`);
    },
  };
}
