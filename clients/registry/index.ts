// The registry's typed client: openapi-fetch over the types generated from the API reference
// (schema.ts, written by `npm run openapi`), so paths, parameters, bodies and answers type-check
// against docs/openapi.json. Every request carries the key as `Authorization: Bearer <key>`.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.ts';

export type * from './schema.ts';

export type RegistryClient = Client<paths>;

export interface RegistryOptions {
  /** Where the API is, e.g. `http://localhost:3000` (paths start at the root: `/customers`). */
  baseUrl: string;
  /** An API key's token; on Commerce Layer's routes, the access token its token endpoint gave. */
  apiKey: string;
}

export function createRegistryClient({ baseUrl, apiKey }: RegistryOptions): RegistryClient {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` } });
}

/** An answer outside 2xx: its status and its body as the document types it for the route. */
export class RegistryError<Body> extends Error {
  readonly status: number;
  readonly body: Body;

  constructor(response: Response, body: Body) {
    super(`${response.status} ${response.statusText}: ${detailOf(body)}`);
    this.name = 'RegistryError';
    this.status = response.status;
    this.body = body;
  }
}

/** openapi-fetch's answer: `data` on 2xx, `error` (the route's error body) otherwise. */
type Answer = { data?: unknown; error?: unknown; response: Response };
/** The 2xx member of an answer's union, whose `data` the route's success schema types. */
type Success<A extends Answer> = Extract<A, { error?: undefined }>['data'];

/**
 * The body of a 2xx answer, typed by its route; any other answer throws a RegistryError carrying
 * the route's error body (problem+json, KohortPay's or JSON:API's). For `await` chains where
 * failure is exceptional: `const { data } = await unwrap(registry.GET('/customers/{id}', …))`.
 */
export async function unwrap<A extends Answer>(pending: Promise<A>): Promise<Success<A>> {
  const answer = await pending;
  if (answer.error !== undefined || !answer.response.ok) throw new RegistryError(answer.response, answer.error);
  // openapi-fetch answers `data` exactly when the status is 2xx, so this is the success member.
  return answer.data as Success<A>;
}

/** The human-readable part of any of the three error shapes, for the error's message. */
function detailOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return String(body ?? '');
  const fields = body as { detail?: unknown; error?: { message?: unknown }; errors?: { detail?: unknown }[] };
  const detail = fields.detail ?? fields.error?.message ?? fields.errors?.[0]?.detail;
  return typeof detail === 'string' ? detail : JSON.stringify(body);
}
