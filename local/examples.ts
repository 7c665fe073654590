// The example request of each route row (contract/routes.ts `example`), made concrete for one API
// key: what `npm start` prints as curl lines and what the tests send. A row whose example takes an
// access token names the token row; its request carries `$TOKEN` until the token is known.
import type { Route } from '../contract/routes.ts';

export interface ExampleRequest {
  readonly route: Route;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The row whose example answers the access token this request needs (`$TOKEN` in its headers). */
  readonly tokenFrom?: string;
}

/** `<key id>.<secret>`, as `npm run apikey` prints it. */
export function exampleRequests(table: readonly Route[], key: string): ExampleRequest[] {
  const [id = '', secret = ''] = key.split('.');
  return table.flatMap((route) => {
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
    return [
      {
        route,
        method: route.method,
        path: example.path,
        headers: { ...authorization, 'content-type': example.contentType ?? 'application/json', ...example.headers },
        body: JSON.stringify(body),
        ...(typeof credential === 'object' ? { tokenFrom: credential.tokenFrom } : {}),
      },
    ];
  });
}

/** Reads `access_token` from a token answer on standard input (Node is there wherever npm start is). */
const READ_TOKEN = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;

/** Ready-to-paste curl lines, each under a `# METHOD /path` comment; a token is fetched first where one is needed. */
export function curlLines(requests: readonly ExampleRequest[], baseUrl: string): string[] {
  const curl = (request: ExampleRequest) => {
    const headers = Object.entries(request.headers).map(([name, value]) =>
      value.includes('$TOKEN') ? `-H "${name}: ${value}"` : `-H '${name}: ${value}'`,
    );
    return `curl -sS -X ${request.method} ${baseUrl}${request.path} ${headers.join(' ')} -d '${request.body}'`;
  };
  return requests.flatMap((request) => {
    const token = request.tokenFrom && requests.find((other) => other.route.name === request.tokenFrom);
    return [
      `# ${request.method} ${request.route.path}`,
      ...(token ? [`TOKEN=$(${curl(token)} | ${READ_TOKEN})`] : []),
      curl(request),
      '',
    ];
  });
}
