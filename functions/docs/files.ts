// Routes that answer a file: the API reference (its document, its page and the page's files). A
// file is made or read once per container, on first use, and sent gzip-compressed when the client
// accepts it: API Gateway's HTTP APIs compress nothing themselves, and Swagger UI's script is
// 1.7 MB (460 KB gzipped, which takes 45 ms once per container; measured here).
//
// route.ts writes a route's body as JSON; a file goes out as it is, so fileRoute puts the bytes on
// the answer once the route has answered 200. The request id, the request line and the errors
// (404 for a file that is not there) are route.ts's, as on every other route.
import type { Route } from '../../contract/routes.ts';
import { notFound } from '../http/problem.ts';
import { type HttpEvent, type HttpHandler, plainRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';

/** What a file's answer carries besides the headers every route's answers carry. */
export interface FileAnswer {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** A file: its answer, with or without gzip. */
export interface ServedFile {
  answer(gzip: boolean): FileAnswer;
}

/** Below this size a text file is sent as it is: compressing it would save less than the headers weigh. */
const MIN_GZIP_BYTES = 1024;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
};

/** The media type of a file by its name's extension; undefined for a kind this API does not serve. */
export const contentTypeOf = (name: string): string | undefined => CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)];

/**
 * A file of `contentType` whose content `load` makes (text or bytes), sent with `headers` besides
 * its type. Text (and JSON) is compressed when large enough; images are not.
 */
export function servedFile(
  contentType: string,
  load: () => string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): ServedFile {
  const text = contentType.startsWith('text/') || contentType.endsWith('json');
  const answers: { identity?: FileAnswer; gzip?: FileAnswer | null } = {};
  let loaded: Buffer | undefined;
  const bytes = () => {
    if (loaded) return loaded;
    const content = load();
    loaded = typeof content === 'string' ? Buffer.from(content) : content;
    return loaded;
  };
  const base = {
    'content-type': contentType,
    'x-content-type-options': 'nosniff',
    ...(text ? { vary: 'accept-encoding' } : {}),
    ...headers,
  };
  const identity = () => {
    answers.identity ??= text
      ? { headers: base, body: bytes().toString('utf8'), isBase64Encoded: false }
      : { headers: base, body: bytes().toString('base64'), isBase64Encoded: true };
    return answers.identity;
  };
  const gzipped = () => {
    if (answers.gzip === undefined) {
      const content = bytes();
      answers.gzip =
        text && content.length >= MIN_GZIP_BYTES
          ? {
              headers: { ...base, 'content-encoding': 'gzip' },
              // Loaded on first use: a function whose files are all small (the page) never loads it.
              body: process.getBuiltinModule('node:zlib').gzipSync(content).toString('base64'),
              isBase64Encoded: true,
            }
          : null;
    }
    return answers.gzip;
  };
  return { answer: (gzip) => (gzip ? (gzipped() ?? identity()) : identity()) };
}

/**
 * Whether an Accept-Encoding header (RFC 9110 12.5.3) admits gzip: named (or `x-gzip`), or else
 * `*`, with a weight above 0. Absent, a client gets the file as it is.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let any = false;
  for (const member of header.split(',')) {
    const [coding = '', ...parameters] = member.split(';').map((part) => part.trim().toLowerCase());
    const weight = parameters.find((parameter) => parameter.startsWith('q='));
    const admitted = weight === undefined || Number(weight.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return admitted;
    if (coding === '*') any = admitted;
  }
  return any;
}

export interface FileRouteOptions {
  readonly log: Logger;
  /** The file a request asks for; undefined for none (404). */
  readonly fileOf: (event: HttpEvent) => ServedFile | undefined;
  /** How long a client may keep what it is sent. */
  readonly cacheControl: (event: HttpEvent) => string;
}

/** A route answering the file `fileOf` finds for a request: no credential, no body, no table. */
export function fileRoute(row: Route, options: FileRouteOptions): HttpHandler {
  /** The answer chosen for each request, from the route's handle() to the bytes put on below. */
  const chosen = new WeakMap<HttpEvent, FileAnswer>();
  const route = plainRoute(row, {
    log: options.log,
    async handle({ event }) {
      const file = options.fileOf(event);
      if (!file) throw notFound();
      const answer = file.answer(acceptsGzip(event.headers['accept-encoding']));
      chosen.set(event, answer);
      return { statusCode: 200, headers: { ...answer.headers, 'cache-control': options.cacheControl(event) } };
    },
  });
  return async (event, context) => {
    const response = await route(event, context);
    const answer = chosen.get(event);
    if (response.statusCode !== 200 || !answer) return response;
    return { ...response, body: answer.body, isBase64Encoded: answer.isBase64Encoded };
  };
}
