// The example request of each route row (contract/routes.ts `example`), made concrete for one API
// key: what `npm start` prints as curl lines and what the tests send. A row whose example takes an
// access token names the token row; its request carries `$TOKEN` until the token is known. A row
// whose path holds a customer's id names the row whose answer holds it; its path carries `$ID`
// until the id is known.
import type { Route } from '../contract/routes.ts';

export interface ExampleRequest {
  readonly route: Route;
  readonly method: string;
  /** The path and query string; `$ID` where the id `idFrom` captures goes. */
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The body as sent (`$ID` where the id goes); undefined for a request without one. */
  readonly body?: string;
  /** The status it is answered with. */
  readonly status: number;
  /** The row whose example answers the access token this request needs (`$TOKEN` in its headers). */
  readonly tokenFrom?: string;
  /** The row whose example's answer holds the id this request needs, at `pointer` (`$ID` in its path). */
  readonly idFrom?: { readonly row: string; readonly pointer: string };
}

/**
 * `<key id>.<secret>`, as `npm run apikey` prints it. In an order that works when run one after
 * another: each after the requests it takes a token or an id from, erasures last.
 */
export function exampleRequests(table: readonly Route[], key: string): ExampleRequest[] {
  const [id = '', secret = ''] = key.split('.');
  const requests = table.flatMap((route): ExampleRequest[] => {
    const example = route.example;
    if (!example) return [];
    const credential = example.credential;
    const body =
      credential === 'client-credentials'
        ? { ...(example.body as object), client_id: id, client_secret: secret }
        : example.body;
    const authorization: Record<string, string> =
      credential === 'client-credentials'
        ? {}
        : { authorization: `Bearer ${typeof credential === 'object' ? '$TOKEN' : key}` };
    const contentType: Record<string, string> =
      body === undefined ? {} : { 'content-type': example.contentType ?? 'application/json' };
    return [
      {
        route,
        method: route.method,
        path: example.path.replace('{id}', '$ID'),
        headers: { ...authorization, ...contentType, ...example.headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body).replaceAll('"{id}"', '"$ID"') }),
        status: example.status ?? 201,
        ...(typeof credential === 'object' ? { tokenFrom: credential.tokenFrom } : {}),
        ...(example.idFrom ? { idFrom: example.idFrom } : {}),
      },
    ];
  });
  const ordered: ExampleRequest[] = [];
  const add = (request: ExampleRequest | undefined) => {
    if (!request || ordered.includes(request)) return;
    for (const row of [request.tokenFrom, request.idFrom?.row]) add(requests.find((other) => other.route.name === row));
    ordered.push(request);
  };
  for (const request of requests) if (request.method !== 'DELETE') add(request);
  for (const request of requests) add(request);
  return ordered;
}

/**
 * A shell command reading the value at JSON pointer `pointer` from a JSON answer on standard input
 * (Node is there wherever npm start is).
 */
function readJson(pointer: string): string {
  const path = pointer
    .split('/')
    .slice(1)
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((name) =>
      /^\d+$/.test(name) ? `?.[${name}]` : /^[A-Za-z_]\w*$/.test(name) ? `?.${name}` : `?.[${JSON.stringify(name)}]`,
    )
    .join('');
  // Optional chaining: an answer without the value (an error) prints `undefined`, not a stack trace.
  return `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8"))${path}'`;
}

/** A word for the shell: as it is when nothing in it is special, else quoted (double quotes where a variable is meant). */
function shellWord(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return text.includes('$') ? `"${text}"` : `'${text}'`;
}

/**
 * Ready-to-paste curl lines, each under a `# METHOD /path` comment. Each block stands alone: a
 * token it needs is fetched first, and an id it needs is read from the answer of the request that
 * gives it (run again: the examples that give ids are reads).
 */
export function curlLines(requests: readonly ExampleRequest[], baseUrl: string): string[] {
  const curl = (request: ExampleRequest) => {
    const url = `${baseUrl}${request.path}`;
    const headers = Object.entries(request.headers).map(([name, value]) => `-H ${shellWord(`${name}: ${value}`)}`);
    return [
      'curl -sS',
      // Brackets in a query string (`page[size]`) are not curl's URL globbing.
      ...(/[[\]]/.test(url) ? ['-g'] : []),
      `-X ${request.method}`,
      shellWord(url),
      ...headers,
      // The id spliced into the body's single quotes as a double-quoted variable.
      ...(request.body === undefined ? [] : [`-d '${request.body.replaceAll('$ID', `'"$ID"'`)}'`]),
    ].join(' ');
  };
  const named = (row: string | undefined) => requests.find((other) => other.route.name === row);
  /** The lines that set the variables `request` uses, once each. */
  const prelude = (request: ExampleRequest, set: Set<string>): string[] => {
    const lines: string[] = [];
    const token = named(request.tokenFrom);
    if (token && !set.has('TOKEN')) {
      set.add('TOKEN');
      lines.push(`TOKEN=$(${curl(token)} | ${readJson('/access_token')})`);
    }
    const source = request.idFrom && named(request.idFrom.row);
    if (source && request.idFrom && !set.has('ID')) {
      lines.push(...prelude(source, set));
      set.add('ID');
      lines.push(`ID=$(${curl(source)} | ${readJson(request.idFrom.pointer)})`);
    }
    return lines;
  };
  return requests.flatMap((request) => [
    `# ${request.method} ${request.route.path}`,
    ...prelude(request, new Set()),
    curl(request),
    '',
  ]);
}

/** The value at JSON pointer `pointer` (RFC 6901) in `document`: where an example's id is in an answer. */
export const valueAt = (document: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((value, name) => (value as Record<string, unknown> | undefined)?.[name], document);
