// The API reference: an OpenAPI 3.1 document built from the route table (contract/routes.ts), the
// schemas the handlers validate with and the answers they give (operations.ts). `npm run openapi`
// writes it to docs/openapi.json, which the OpenApiDocument route serves and the docs page renders.
// Deterministic: the same code gives the same bytes (a test fails when the committed file is stale).
import type { JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { type Example, type Route, routes } from '../contract/routes.ts';
import { customerDocument, customerPatchDocument, tokenRequest } from '../functions/commercelayer/schema.ts';
import { customerPatch, customerRequest } from '../functions/customers/schema.ts';
import { kohortPayCustomerPatch, kohortPayCustomerRequest } from '../functions/kohortpay/schema.ts';
import { purchaserRequest, purchaserUpdate } from '../functions/purchasers/schema.ts';
import { converter } from './json-schema.ts';
import { type Contract, type Operation, operations } from './operations.ts';
import {
  accessTokenResponse,
  commerceLayerCustomer,
  commerceLayerCustomerList,
  commerceLayerErrors,
  customerData,
  kohortPayCustomer,
  kohortPayError,
  problemResponse,
  purchaseResponse,
  purchaserResponse,
} from './responses.ts';

/** Schemas named in components.schemas: wherever one occurs, the document refers to it. */
const named = {
  PurchaserRequest: purchaserRequest,
  PurchaserUpdate: purchaserUpdate,
  CustomerRequest: customerRequest,
  CustomerPatch: customerPatch,
  KohortPayCustomerRequest: kohortPayCustomerRequest,
  KohortPayCustomerPatch: kohortPayCustomerPatch,
  CommerceLayerCustomerDocument: customerDocument,
  CommerceLayerCustomerPatchDocument: customerPatchDocument,
  AccessTokenRequest: tokenRequest,
  Purchaser: purchaserResponse,
  Purchase: purchaseResponse,
  Customer: customerData,
  KohortPayCustomer: kohortPayCustomer,
  CommerceLayerCustomer: commerceLayerCustomer,
  CommerceLayerCustomerList: commerceLayerCustomerList,
  AccessToken: accessTokenResponse,
  Problem: problemResponse,
  KohortPayError: kohortPayError,
  CommerceLayerErrors: commerceLayerErrors,
} satisfies Record<string, v.GenericSchema>;

const schemas = converter(named);

const TAGS: Record<Contract, { name: string; description: string }> = {
  purchasers: {
    name: 'Purchasers (Reevoo v4)',
    description:
      'Reevoo Platform API v4: the people who bought, each with their purchases, review state and review link. Errors are `application/problem+json` with `message`.',
  },
  customers: {
    name: 'Customers',
    description: 'Customers of a corporation, answered as `{ data, message }`. Errors are `application/problem+json`.',
  },
  kohortpay: {
    name: 'KohortPay',
    description:
      'KohortPay’s customer API, on the same customer records: its clients switch by base URL (`/compat/kohortpay`). Errors are KohortPay’s `{ error: { type, code, message } }`.',
  },
  commercelayer: {
    name: 'Commerce Layer',
    description:
      'Commerce Layer’s customers (JSON:API), on the same customer records, with its client-credentials token endpoint: its SDKs work with `/compat/commercelayer` as their base URL.',
  },
  token: { name: 'Commerce Layer', description: '' },
  reference: { name: 'Reference', description: 'This reference, open to all.' },
};

/** The error body of each contract, and its media type. */
const ERROR_SHAPES: Record<Contract, { readonly prefix: string; readonly mediaType: string; readonly schema: string }> =
  {
    purchasers: { prefix: 'Problem', mediaType: 'application/problem+json', schema: 'Problem' },
    customers: { prefix: 'Problem', mediaType: 'application/problem+json', schema: 'Problem' },
    reference: { prefix: 'Problem', mediaType: 'application/problem+json', schema: 'Problem' },
    kohortpay: { prefix: 'KohortPay', mediaType: 'application/json', schema: 'KohortPayError' },
    commercelayer: { prefix: 'JsonApi', mediaType: 'application/vnd.api+json', schema: 'CommerceLayerErrors' },
    token: { prefix: 'Token', mediaType: 'application/json', schema: 'CommerceLayerErrors' },
  };

/** What each error status means, in every contract (the problem types are in the README). */
const ERRORS: Record<number, string> = {
  400: 'The request cannot be read: a malformed body, a query parameter outside its rules (`invalid-query`), an altered or expired cursor (`invalid-cursor`), a malformed `Idempotency-Key`, no organisation named for a key that acts for several (`organisation-required`), or (token) a grant other than `client_credentials`.',
  401: 'No valid credential: missing, malformed, unknown or revoked (Commerce Layer: an expired or altered token). `WWW-Authenticate` says how to authenticate.',
  403: 'The credential may not act for this organisation.',
  404: 'No such record in the organisation (erased ones included), a path parameter outside its alphabet, or no such path.',
  405: 'A known path with another method: `Allow` lists its methods.',
  406: '`Accept` excludes `application/vnd.api+json`.',
  409: 'A conflict: the email is another customer’s in the organisation (`customer_id` names it), a request with this `Idempotency-Key` is still running, or (Commerce Layer) `data.id` is not the id in the path.',
  413: 'The body is over 256 KB.',
  415: 'The body is not in a media type the route takes, not UTF-8, or compressed (`Content-Encoding`).',
  422: 'The body breaks the schema (every bad field is listed with a JSON pointer), or the `Idempotency-Key` was used for a different request.',
  429: 'The API key has made its calls for this window; `Retry-After` says when the next one starts.',
  500: 'A fault of ours; nothing a client sends causes one.',
  503: 'The table is throttling, slow or unreachable: not done, or not known to be done. `Retry-After` says when to retry; retrying is safe.',
};

const RETRY_AFTER = { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } };
const HEADERS: Record<number, Record<string, unknown>> = {
  401: { 'WWW-Authenticate': { description: 'How to authenticate.', schema: { type: 'string' } } },
  405: { Allow: { description: 'The methods the path takes.', schema: { type: 'string' } } },
  429: { 'Retry-After': RETRY_AFTER },
  503: { 'Retry-After': RETRY_AFTER },
};

/** The error statuses a route can answer, from what it takes (operations.ts adds the rest). */
export function errorStatusesOf(route: Route, operation: Operation): number[] {
  const statuses = new Set<number>([500, ...(operation.errors ?? [])]);
  const add = (...more: number[]) => {
    for (const status of more) statuses.add(status);
  };
  if (route.auth === 'partner' || route.auth === 'token') add(401, 403, 429, 503);
  if (route.auth === 'client-credentials') add(400, 401, 429, 503);
  if (operation.body) add(400, 413, 415, 422);
  if (operation.path && route.auth !== 'none') add(404);
  if ((operation.query && route.auth !== 'none') || operation.organisationHeader) add(400);
  if (operation.idempotent) add(400, 409, 422);
  if (operation.contract === 'commercelayer') add(406);
  return [...statuses].sort((a, b) => a - b);
}

const ref = (to: string) => ({ $ref: to });
const errorRef = (contract: Contract, status: number) => ref(`#/components/responses/${errorName(contract, status)}`);
const errorName = (contract: Contract, status: number) => `${ERROR_SHAPES[contract].prefix}${status}`;

/** The members of an object schema (`object()` of schema/fields.ts and checked objects are pipes). */
function entriesOf(schema: v.GenericSchema): Record<string, v.GenericSchema> {
  if ('entries' in schema) return schema.entries as Record<string, v.GenericSchema>;
  const inner = 'pipe' in schema ? (schema.pipe as v.GenericSchema[]).find((item) => 'entries' in item) : undefined;
  if (!inner) throw new Error(`not an object schema: ${schema.type}`);
  return inner.entries as Record<string, v.GenericSchema>;
}

const isOptional = (schema: v.GenericSchema) => schema.type === 'optional';
const refused = (schema: v.GenericSchema) =>
  isOptional(schema) && (schema as unknown as { wrapped: v.GenericSchema }).wrapped.type === 'never';

/** A parameter's schema; a whole number's default is a number, as the reader reads it. */
function parameterSchema(schema: v.GenericSchema): JsonSchema {
  const converted = schemas.schema(schema);
  return converted.type === 'integer' && typeof converted.default === 'string'
    ? { ...converted, default: Number(converted.default) }
    : converted;
}

/** Values the route's example request gives each parameter (`{id}` comes from another answer). */
function exampleValues(route: Route, example: Example | undefined): Record<string, string> {
  if (!example) return {};
  const [path = '', query = ''] = example.path.split('?');
  const values: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
  const sent = path.split('/');
  route.path.split('/').forEach((part, index) => {
    const value = sent[index];
    if (part.startsWith('{') && value !== undefined && value !== '{id}') {
      values[part.slice(1, -1)] = decodeURIComponent(value);
    }
  });
  return values;
}

function parametersOf(route: Route, operation: Operation) {
  const examples = exampleValues(route, route.example);
  const from = (where: 'path' | 'query', schema: v.GenericSchema | undefined) =>
    Object.entries(schema ? entriesOf(schema) : {})
      .filter(([, entry]) => !refused(entry))
      .map(([name, entry]) => {
        const schema = parameterSchema(entry);
        const example = examples[name];
        return {
          name,
          in: where,
          required: where === 'path' || !isOptional(entry),
          schema,
          ...(example === undefined ? {} : { example: schema.type === 'integer' ? Number(example) : example }),
        };
      });
  return [
    ...from('path', operation.path),
    ...from('query', operation.query),
    ...(operation.organisationHeader ? [ref('#/components/parameters/OrganisationId')] : []),
    ...(operation.idempotent ? [ref('#/components/parameters/IdempotencyKey')] : []),
  ];
}

function requestBodyOf(route: Route, operation: Operation) {
  if (!operation.body) return undefined;
  const schema = schemas.schema(operation.body.schema);
  const example = route.example?.body;
  return {
    required: true,
    content: Object.fromEntries(
      operation.body.mediaTypes.map((mediaType, index) => [
        mediaType,
        { schema, ...(index === 0 && example !== undefined ? { example } : {}) },
      ]),
    ),
  };
}

function responsesOf(route: Route, operation: Operation) {
  const answers = Object.entries(operation.answers).map(([status, answer]) => [
    status,
    {
      description: answer.description,
      ...(answer.schema
        ? {
            content: Object.fromEntries(
              (answer.mediaTypes ?? ['application/json']).map((mediaType, index) => [
                mediaType,
                {
                  schema: schemas.schema(answer.schema!),
                  ...(index === 0 && answer.example !== undefined ? { example: answer.example } : {}),
                },
              ]),
            ),
          }
        : {}),
    },
  ]);
  const errors = errorStatusesOf(route, operation).map((status) => [
    String(status),
    errorRef(operation.contract, status),
  ]);
  return Object.fromEntries([...answers, ...errors]);
}

const SECURITY: Record<Route['auth'], unknown[]> = {
  partner: [{ apiKey: [] }, { apiKeyBasic: [] }],
  token: [{ commerceLayer: [] }],
  // The key's id and secret in the body, or by HTTP Basic.
  'client-credentials': [{ apiKeyBasic: [] }, {}],
  none: [],
};

function operationOf(route: Route) {
  const operation = operations[route.name];
  if (!operation) throw new Error(`the route ${route.name} has no entry in openapi/operations.ts`);
  const parameters = parametersOf(route, operation);
  const requestBody = requestBodyOf(route, operation);
  return {
    operationId: route.name,
    tags: [TAGS[operation.contract].name],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(route, operation),
    security: SECURITY[route.auth],
  };
}

/**
 * Every error response the operations refer to, once per error shape and status, and the
 * catch-all's: a path no route has is 404, a known path with another method 405, each in the shape
 * of the contract whose base path it is under (problem+json elsewhere).
 */
function errorResponses(served: readonly Route[]) {
  const responses: Record<string, unknown> = {};
  const add = (contract: Contract, status: number) => {
    const shape = ERROR_SHAPES[contract];
    responses[errorName(contract, status)] = {
      description: ERRORS[status] ?? 'An error.',
      ...(HEADERS[status] ? { headers: HEADERS[status] } : {}),
      content: { [shape.mediaType]: { schema: ref(`#/components/schemas/${shape.schema}`) } },
    };
  };
  for (const route of served) {
    const operation = operations[route.name]!;
    for (const status of errorStatusesOf(route, operation)) add(operation.contract, status);
  }
  for (const contract of ['customers', 'kohortpay', 'commercelayer', 'token'] as const) {
    add(contract, 404);
    add(contract, 405);
  }
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

export interface OpenApiOptions {
  readonly version: string;
  readonly table?: readonly Route[];
}

/** The OpenAPI 3.1 document of every route in `table` but the catch-all. */
export function openApiDocument({ version, table = routes }: OpenApiOptions) {
  const served = table.filter((route) => route.path !== '$default');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of served) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationOf(route);
  }
  const tags = [...new Map(Object.values(TAGS).map((tag) => [tag.name, tag])).values()].filter(
    (tag) => tag.description,
  );
  return {
    openapi: '3.1.1',
    info: {
      title: 'Customer and purchaser registry API',
      version,
      description:
        'Registers the people who buy from an organisation: purchasers (Reevoo Platform API v4) and customers, also through the KohortPay and Commerce Layer customer APIs on the same records. Authenticate with an API key as a Bearer token (or HTTP Basic with its id and secret); the Commerce Layer routes take an access token from their token endpoint. Every request may send `Idempotency-Key` where listed; every answer carries `X-Request-Id`.',
    },
    servers: [{ url: '/', description: 'This deployment' }],
    tags,
    paths,
    components: {
      schemas: schemas.definitions(),
      responses: errorResponses(served),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'A key of your choosing (1 to 255 printable ASCII characters): a retry with the same key and body within 24 hours answers the first answer again instead of acting twice.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
        OrganisationId: {
          name: 'X-Organisation-Id',
          in: 'header',
          required: false,
          description:
            'The organisation to act for, when the key acts for several (otherwise its only one). The native customer routes also take `corporation_id`.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
        },
      },
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key, as `Authorization: Bearer <key>`.',
        },
        apiKeyBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'An API key’s id as the user name and its secret as the password.',
        },
        commerceLayer: {
          type: 'oauth2',
          description:
            'Commerce Layer’s client credentials: an API key’s id and secret, exchanged for an access token.',
          flows: { clientCredentials: { tokenUrl: '/compat/commercelayer/oauth/token', scopes: {} } },
        },
      },
    },
  };
}
