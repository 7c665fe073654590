// What the API reference says of each route of the route table (by row name): the schemas its
// handler validates with (the same objects: functions/<resource>/schema.ts), the answers it gives
// (responses.ts) and what the table does not know (media types, Idempotency-Key, extra errors).
// document.ts builds the OpenAPI document from these and the route table; the integration tests
// hold every answer they receive to that document, so an answer this table does not list fails them.
import * as v from 'valibot';
import {
  customerListQuery as commerceLayerListQuery,
  customerPath as commerceLayerPath,
  customerDocument,
  customerPatchDocument,
  tokenRequest,
} from '../functions/commercelayer/schema.ts';
import {
  customerListQuery,
  customerPatch,
  customerPath,
  customerQuery,
  customerRequest,
} from '../functions/customers/schema.ts';
import {
  kohortPayCustomerPatch,
  kohortPayCustomerPath,
  kohortPayCustomerRequest,
  kohortPayListQuery,
} from '../functions/kohortpay/schema.ts';
import {
  purchaserEmailPath,
  purchaserPath,
  purchaserRequest,
  purchaserUpdate,
  purchasesQuery,
} from '../functions/purchasers/schema.ts';
import {
  accessTokenResponse,
  commerceLayerCustomer,
  commerceLayerCustomerList,
  customerListResponse,
  customerReadResponse,
  customerResponse,
  customerUpdateResponse,
  kohortPayCustomer,
  kohortPayCustomerList,
  kohortPayErasedCustomer,
  purchaserReadResponse,
  purchaserResponse,
  purchasesPageResponse,
} from './responses.ts';
import { examples } from './seeds.ts';

/** The contracts the API speaks: each its own section of the reference, and its own error shape. */
export type Contract = 'purchasers' | 'customers' | 'kohortpay' | 'commercelayer' | 'token' | 'reference';

/** A success answer: its status, body schema (none: no body) and media type (JSON unless said). */
export interface Answer {
  readonly description: string;
  readonly schema?: v.GenericSchema;
  /** Its media types: JSON unless said (the first is the example's). */
  readonly mediaTypes?: readonly string[];
  readonly example?: unknown;
}

export interface Operation {
  readonly contract: Contract;
  readonly summary: string;
  readonly description?: string;
  /** The path parameters' schema (an object schema: one member per `{name}`). */
  readonly path?: v.GenericSchema;
  /** The query string's schema. */
  readonly query?: v.GenericSchema;
  /** The body's schema and the media types it may come in (the first is the example's). */
  readonly body?: { readonly schema: v.GenericSchema; readonly mediaTypes: readonly string[] };
  /** Takes `Idempotency-Key`: a retry with the same key answers the first answer again. */
  readonly idempotent?: boolean;
  /** The organisation may be named by `X-Organisation-Id` (a key that acts for several must). */
  readonly organisationHeader?: boolean;
  readonly answers: Readonly<Record<number, Answer>>;
  /** Error statuses besides those every route of its kind has (document.ts `errorStatusesOf`). */
  readonly errors?: readonly number[];
}

const JSON_TYPE = 'application/json';
const JSON_API = 'application/vnd.api+json';
const MERGE_PATCH = 'application/merge-patch+json';

const erased = { description: 'Erased: the person’s data is gone; a tombstone keeps the id.' } as const;

const customerById = { path: customerPath, query: customerQuery, organisationHeader: true } as const;
const kohortPayById = { path: kohortPayCustomerPath, organisationHeader: true } as const;
const commerceLayerById = { path: commerceLayerPath, organisationHeader: true } as const;

export const operations: Readonly<Record<string, Operation>> = {
  CreatePurchaser: {
    contract: 'purchasers',
    summary: 'Create or update a purchaser and their purchases',
    description:
      'Creates the purchaser (201) or, when the organisation already has one with this email, updates it (200): fields sent replace, purchases are added (an `order_ref` and `sku` already known keeps its review state). Each purchase is answered with its review state and review link.',
    path: purchaserPath,
    body: { schema: purchaserRequest, mediaTypes: [JSON_TYPE] },
    idempotent: true,
    answers: {
      201: { description: 'Created.', schema: purchaserResponse, example: examples.purchaser },
      200: { description: 'Updated: the purchaser existed.', schema: purchaserResponse, example: examples.purchaser },
    },
  },
  GetPurchaser: {
    contract: 'purchasers',
    summary: 'Read a purchaser and all their purchases',
    path: purchaserEmailPath,
    answers: { 200: { description: 'The purchaser.', schema: purchaserReadResponse, example: examples.purchaser } },
  },
  UpdatePurchaser: {
    contract: 'purchasers',
    summary: 'Update a purchaser',
    description:
      'The create’s body; the path’s email wins. Absent fields are kept, `null` clears, purchases are added.',
    path: purchaserEmailPath,
    body: { schema: purchaserUpdate, mediaTypes: [JSON_TYPE] },
    idempotent: true,
    answers: { 200: { description: 'Updated.', schema: purchaserResponse, example: examples.purchaser } },
  },
  ListPurchases: {
    contract: 'purchasers',
    summary: 'List a purchaser’s purchases, newest first',
    path: purchaserEmailPath,
    query: purchasesQuery,
    answers: {
      200: {
        description: 'A page, and the cursor of the next (null on the last).',
        schema: purchasesPageResponse,
        example: examples.purchasesPage,
      },
    },
  },
  ErasePurchaser: {
    contract: 'purchasers',
    summary: 'Erase a purchaser',
    path: purchaserEmailPath,
    idempotent: true,
    answers: { 204: erased },
  },
  CreateCustomer: {
    contract: 'customers',
    summary: 'Create a customer',
    body: { schema: customerRequest, mediaTypes: [JSON_TYPE] },
    idempotent: true,
    answers: { 201: { description: 'Created.', schema: customerResponse, example: examples.customer } },
    errors: [409],
  },
  GetCustomer: {
    contract: 'customers',
    summary: 'Read a customer',
    ...customerById,
    answers: {
      200: {
        description: 'The customer.',
        schema: customerReadResponse,
        example: { ...examples.customer, message: 'Successfully retrieved customer.' },
      },
    },
  },
  ListCustomers: {
    contract: 'customers',
    summary: 'List customers, oldest first',
    query: customerListQuery,
    organisationHeader: true,
    answers: {
      200: {
        description: 'A page, and the cursor of the next (null on the last).',
        schema: customerListResponse,
        example: { data: [examples.customer.data], next_cursor: null, message: 'Successfully retrieved customers.' },
      },
    },
  },
  UpdateCustomer: {
    contract: 'customers',
    summary: 'Change a customer (JSON merge patch)',
    description:
      'A JSON merge patch (RFC 7396): absent members are kept, `null` clears, `shipping_address` merges member by member.',
    ...customerById,
    body: { schema: customerPatch, mediaTypes: [MERGE_PATCH, JSON_TYPE] },
    idempotent: true,
    answers: {
      200: {
        description: 'Updated.',
        schema: customerUpdateResponse,
        example: { ...examples.customer, message: 'Successfully updated customer.' },
      },
    },
    errors: [409],
  },
  EraseCustomer: {
    contract: 'customers',
    summary: 'Erase a customer',
    ...customerById,
    idempotent: true,
    answers: { 204: erased },
  },
  KohortPayCreateCustomer: {
    contract: 'kohortpay',
    summary: 'Create a customer (KohortPay)',
    organisationHeader: true,
    body: { schema: kohortPayCustomerRequest, mediaTypes: [JSON_TYPE] },
    idempotent: true,
    answers: { 201: { description: 'Created.', schema: kohortPayCustomer, example: examples.kohortPayCustomer } },
    errors: [409],
  },
  KohortPayGetCustomer: {
    contract: 'kohortpay',
    summary: 'Read a customer (KohortPay)',
    ...kohortPayById,
    answers: { 200: { description: 'The customer.', schema: kohortPayCustomer, example: examples.kohortPayCustomer } },
  },
  KohortPayListCustomers: {
    contract: 'kohortpay',
    summary: 'List customers (KohortPay)',
    query: kohortPayListQuery,
    organisationHeader: true,
    answers: {
      200: {
        description: 'A page, and how many customers match.',
        schema: kohortPayCustomerList,
        example: { data: [examples.kohortPayCustomer], count: 1 },
      },
    },
  },
  KohortPayUpdateCustomer: {
    contract: 'kohortpay',
    summary: 'Change a customer (KohortPay)',
    ...kohortPayById,
    body: { schema: kohortPayCustomerPatch, mediaTypes: [JSON_TYPE] },
    idempotent: true,
    answers: { 200: { description: 'Updated.', schema: kohortPayCustomer, example: examples.kohortPayCustomer } },
    errors: [409],
  },
  KohortPayDeleteCustomer: {
    contract: 'kohortpay',
    summary: 'Erase a customer (KohortPay)',
    ...kohortPayById,
    idempotent: true,
    answers: {
      200: {
        description: 'Erased: the customer’s document, holding no personal data.',
        schema: kohortPayErasedCustomer,
      },
    },
  },
  CommerceLayerToken: {
    contract: 'token',
    summary: 'Get an access token (client credentials)',
    description:
      'OAuth 2.0 client credentials: the API key’s id as `client_id` and its secret as `client_secret`, in the body or by HTTP Basic.',
    body: { schema: tokenRequest, mediaTypes: [JSON_TYPE, 'application/x-www-form-urlencoded'] },
    answers: { 200: { description: 'An access token for the Commerce Layer routes.', schema: accessTokenResponse } },
  },
  CommerceLayerCreateCustomer: {
    contract: 'commercelayer',
    summary: 'Create a customer (Commerce Layer)',
    organisationHeader: true,
    body: { schema: customerDocument, mediaTypes: [JSON_API] },
    idempotent: true,
    answers: {
      201: {
        description: 'Created.',
        schema: commerceLayerCustomer,
        mediaTypes: [JSON_API],
        example: examples.commerceLayerCustomer,
      },
    },
    errors: [409],
  },
  CommerceLayerGetCustomer: {
    contract: 'commercelayer',
    summary: 'Read a customer (Commerce Layer)',
    ...commerceLayerById,
    answers: {
      200: {
        description: 'The customer.',
        schema: commerceLayerCustomer,
        mediaTypes: [JSON_API],
        example: examples.commerceLayerCustomer,
      },
    },
  },
  CommerceLayerListCustomers: {
    contract: 'commercelayer',
    summary: 'List customers (Commerce Layer)',
    query: commerceLayerListQuery,
    organisationHeader: true,
    answers: {
      200: { description: 'A page of customers.', schema: commerceLayerCustomerList, mediaTypes: [JSON_API] },
    },
  },
  CommerceLayerUpdateCustomer: {
    contract: 'commercelayer',
    summary: 'Change a customer (Commerce Layer)',
    ...commerceLayerById,
    body: { schema: customerPatchDocument, mediaTypes: [JSON_API] },
    idempotent: true,
    answers: {
      200: {
        description: 'Updated.',
        schema: commerceLayerCustomer,
        mediaTypes: [JSON_API],
        example: examples.commerceLayerCustomer,
      },
    },
    errors: [409],
  },
  CommerceLayerDeleteCustomer: {
    contract: 'commercelayer',
    summary: 'Erase a customer (Commerce Layer)',
    ...commerceLayerById,
    idempotent: true,
    answers: { 204: erased },
  },
  OpenApiDocument: {
    contract: 'reference',
    summary: 'This API reference, as OpenAPI 3.1',
    answers: { 200: { description: 'The OpenAPI document.', schema: v.looseObject({ openapi: v.string() }) } },
  },
  DocsPage: {
    contract: 'reference',
    summary: 'This API reference, as a page',
    answers: { 200: { description: 'The page.', schema: v.string(), mediaTypes: ['text/html'] } },
  },
  DocsAsset: {
    contract: 'reference',
    summary: 'A file the reference page loads',
    description:
      'Only the files the page loads; any other name is 404. Under the URL the page gives (`?v=` its release) a file is kept for a year.',
    path: v.object({ asset: v.string() }),
    query: v.object({ v: v.optional(v.string()) }),
    answers: {
      200: {
        description: 'The file (gzip-compressed when the client accepts it).',
        schema: v.string(),
        mediaTypes: ['text/javascript', 'text/css', 'image/png'],
      },
    },
    errors: [404],
  },
};
