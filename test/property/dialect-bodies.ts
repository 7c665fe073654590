// Generators for the property tests of the dialect routes (dialects.test.ts): KohortPay's and
// Commerce Layer's create-customer bodies valid by construction, with what the API must store for
// them; the same bodies with a non-object where an object belongs; strings spoilt with invalid
// UTF-8 or half a surrogate pair; and bodies and headers from anything at all to nearly valid.
// Built on the native generators (bodies.ts): addresses, text and their stored forms are the same.
import fc from 'fast-check';
import {
  country,
  type GeneratedEmail,
  holdsReservedName,
  identifier,
  invalidUtf8,
  loneSurrogateEscape,
  nonObject,
  optionalText,
  unknownMembers,
  validEmail,
} from './bodies.ts';

const codePoints = (text: string) => [...text].length;
const surroundingSpace = fc.constantFrom('', '', '', ' ', '\t', ' \n ');
/** No valid body holds a name the parser refuses (that is a 400). */
const withoutReservedNames = (value: unknown) => !holdsReservedName(value);

/** A body as API Gateway hands it over. */
export interface Payload {
  readonly body: string | undefined;
  readonly isBase64Encoded?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Fields both dialects share

/** Metadata's limits (README): 50 members, names of 1 to 40 characters, 8 KB as JSON. */
export const METADATA = { keys: 50, keyChars: 40, bytes: 8 * 1024 } as const;

const metadataKey = (min = 1, max: number = METADATA.keyChars) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: max }) },
    fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((key) => codePoints(key) <= max),
  );

const astral = fc.integer({ min: 0x10000, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));

/** Metadata at its limits: 50 members, names of exactly 40 characters (astral ones too), exactly 8 KB. */
const metadataAtLimits = fc.oneof(
  fc
    .uniqueArray(
      fc.oneof(
        fc.string({ unit: 'binary', minLength: 40, maxLength: 40 }),
        fc.string({ unit: astral, minLength: 40, maxLength: 40 }),
      ),
      {
        minLength: METADATA.keys,
        maxLength: METADATA.keys,
      },
    )
    .map((keys) => Object.fromEntries(keys.map((key, i) => [key, i]))),
  fc.constantFrom('x', 'é', '€', '😀').map((char) => {
    const room = METADATA.bytes - Buffer.byteLength('{"pad":""}');
    const width = Buffer.byteLength(char);
    return { pad: char.repeat(Math.floor(room / width)) + 'x'.repeat(room % width) };
  }),
  // Names that are JavaScript's own: kept as any other.
  fc.constant({ prototype: { a: 1 }, constructor: 'x', toString: null, hasOwnProperty: [], valueOf: {} }),
  // Nesting deeper than a DynamoDB map takes (32 levels): metadata is kept as JSON text.
  fc.integer({ min: 30, max: 200 }).map((depth) => ({ deep: JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) })),
);

/** Valid metadata: a JSON object of any JSON values, within its limits. */
export const metadata: fc.Arbitrary<Record<string, unknown>> = fc
  .oneof(
    {
      weight: 8,
      arbitrary: fc.dictionary(metadataKey(), fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { maxKeys: 6 }),
    },
    fc.constant({}),
    metadataAtLimits,
  )
  .filter(
    (value) =>
      Object.keys(value).length <= METADATA.keys &&
      Buffer.byteLength(JSON.stringify(value)) <= METADATA.bytes &&
      withoutReservedNames(value),
  );

/** Metadata as the API must keep it: the value the JSON text sent stands for. */
export const sentValue = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---------------------------------------------------------------------------------------------
// KohortPay

const DIGITS = [...'0123456789'];
/** Between two digits of a phone number: nothing, or what the README allows (spaces, dots, hyphens, brackets). */
const phoneSeparator = fc.constantFrom('', '', '', ' ', '-', '.', '(', ')', ' (', ') ');

/** A phone number with its country code: `+` and 6 to 15 digits, separated as people write them. */
export const phoneNumber = fc
  .oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.array(fc.tuple(phoneSeparator, fc.constantFrom(...DIGITS)), { minLength: 6, maxLength: 15 }),
          surroundingSpace,
          surroundingSpace,
        )
        .map(([digits, before, after]) => `${before}+${digits.map(([sep, digit]) => sep + digit).join('')}${after}`),
    },
    fc.constantFrom('+1 555 555 5555', '+44 (0)20 7946 0958', '+33.1.23.45.67.89', '+123456', '+123456789012345'),
  )
  .filter((phone) => {
    const digits = phone.replace(/\D/g, '').length;
    return digits >= 6 && digits <= 15;
  });

/** An optional phone number: "" and spaces mean null, as for text. */
export const optionalPhone = fc.oneof(
  { weight: 6, arbitrary: phoneNumber },
  fc.constantFrom<string | null>(null, '', '   '),
);

/** KohortPay's countries are free text: a code in any case, or a name. */
const freeCountry = fc.oneof(country, optionalText(100), fc.constantFrom('France', 'United Kingdom', 'Deutschland'));

const kohortPayAddress = fc.record(
  {
    street: optionalText(200),
    city: optionalText(100),
    state: optionalText(100),
    postalCode: optionalText(20),
    country: freeCountry,
  },
  { requiredKeys: [] },
);

const kohortPayShippingAddress = fc.record(
  {
    addressLine1: optionalText(200),
    addressLine2: optionalText(200),
    city: optionalText(100),
    postalCode: optionalText(20),
    country: freeCountry,
    state: optionalText(100),
    companyName: optionalText(200),
    vatNumber: optionalText(50),
    registrationNumber: optionalText(50),
  },
  { requiredKeys: [] },
);

/** An object with unknown members (ignored) sometimes. */
const withUnknown = <T extends object>(arbitrary: fc.Arbitrary<T>) =>
  fc
    .tuple(arbitrary, fc.option(unknownMembers, { nil: undefined, freq: 3 }))
    .map(([value, unknown]) => ({ ...unknown, ...value }) as T);

export interface KohortPayBody {
  emailAddress: string;
  firstName?: string | null;
  lastName?: string | null;
  phoneNumber?: string | null;
  address?: Record<string, unknown> | null;
  shippingAddress?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  locale?: string | null;
  clientReferenceId?: string | null;
  [unknown: string]: unknown;
}

/** A valid KohortPay body and its address as stored. */
export const validKohortPay = (
  options: { withAddress?: boolean; withShipping?: boolean; withMetadata?: boolean } = {},
): fc.Arbitrary<{ email: GeneratedEmail; body: KohortPayBody }> => {
  const required = Object.entries({
    address: options.withAddress,
    shippingAddress: options.withShipping,
    metadata: options.withMetadata,
  })
    .filter(([, wanted]) => wanted)
    .map(([name]) => name) as ('address' | 'shippingAddress' | 'metadata')[];
  const nullable = <T>(arbitrary: fc.Arbitrary<T>, wanted?: boolean) =>
    wanted ? arbitrary : fc.oneof({ weight: 3, arbitrary }, fc.constant(null));
  return fc
    .tuple(
      validEmail,
      fc.record(
        {
          firstName: optionalText(100),
          lastName: optionalText(100),
          phoneNumber: optionalPhone,
          address: nullable(withUnknown(kohortPayAddress), options.withAddress),
          shippingAddress: nullable(withUnknown(kohortPayShippingAddress), options.withShipping),
          metadata: nullable(metadata, options.withMetadata),
          locale: fc.constantFrom('en_US', 'fr_FR', null),
          clientReferenceId: optionalText(255),
        },
        { requiredKeys: required },
      ),
      fc.option(unknownMembers, { nil: undefined }),
    )
    .map(([email, fields, unknown]) => ({
      email,
      body: { ...unknown, emailAddress: email.sent, ...fields } as KohortPayBody,
    }));
};

/**
 * A valid body of KohortPay's PATCH /customers/{id}: any members of a valid create body, each sent or
 * not (the email too, unknown ones sometimes), and sometimes `deletedAt: null`.
 */
export const validKohortPayPatch: fc.Arbitrary<{ email: GeneratedEmail; patch: Partial<KohortPayBody> }> =
  validKohortPay().chain(({ email, body }) =>
    fc.tuple(fc.subarray(Object.keys(body)), fc.boolean()).map(([members, deletedAt]) => ({
      email,
      patch: {
        ...Object.fromEntries(members.map((member) => [member, body[member]])),
        ...(deletedAt ? { deletedAt: null } : {}),
      },
    })),
  );

// ---------------------------------------------------------------------------------------------
// Commerce Layer

/** A password as chosen: 8 to 256 characters (code points), spaces included, never trimmed. */
export const password = fc.oneof(
  fc.string({ unit: 'binary', minLength: 8, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 8, maxLength: 40 }).filter((p) => codePoints(p) <= 256),
  fc.string({ unit: astral, minLength: 256, maxLength: 256 }),
  fc.constantFrom('        ', ' padded password ', 'correct horse battery staple', '12345678'),
);

const customerGroup = fc.oneof(
  fc.constant(null),
  fc.constant({ data: null }),
  identifier(64).map((id) => ({ data: { type: 'customer_groups', id } })),
);

const relationships = fc.oneof(
  fc.constant({}),
  customerGroup.map((group) => ({ customer_group: group })),
);

export interface CommerceLayerAttributes {
  email: string;
  password?: string | null;
  reference?: string | null;
  reference_origin?: string | null;
  metadata?: Record<string, unknown> | null;
  [unknown: string]: unknown;
}

export interface CommerceLayerBody {
  data: {
    type: 'customers';
    attributes: CommerceLayerAttributes;
    relationships?: Record<string, unknown>;
    [unknown: string]: unknown;
  };
  [unknown: string]: unknown;
}

/**
 * A valid JSON:API customer document. Without `withPassword` it has no password (absent or null):
 * a password costs a scrypt hash (about half a second).
 */
export const validCommerceLayer = (
  options: { withPassword?: boolean; withMetadata?: boolean; withRelationships?: boolean } = {},
): fc.Arbitrary<{ email: GeneratedEmail; body: CommerceLayerBody }> =>
  fc
    .tuple(
      validEmail,
      fc.record(
        {
          password: options.withPassword ? password : fc.constant(null),
          reference: optionalText(255),
          reference_origin: optionalText(255),
          metadata: options.withMetadata ? metadata : fc.oneof({ weight: 3, arbitrary: metadata }, fc.constant(null)),
        },
        {
          requiredKeys: [
            ...(options.withPassword ? (['password'] as const) : []),
            ...(options.withMetadata ? (['metadata'] as const) : []),
          ],
        },
      ),
      options.withRelationships ? relationships : fc.option(relationships, { nil: undefined }),
      fc.option(unknownMembers, { nil: undefined }),
      fc.option(unknownMembers, { nil: undefined }),
      fc.option(unknownMembers, { nil: undefined }),
    )
    .map(([email, attributes, rels, outer, inData, inAttributes]) => ({
      email,
      body: {
        ...outer,
        data: {
          ...inData,
          type: 'customers' as const,
          attributes: { ...inAttributes, email: email.sent, ...attributes },
          ...(rels === undefined ? {} : { relationships: rels }),
        },
      },
    }));

// ---------------------------------------------------------------------------------------------
// Non-objects where an object belongs

/** A body with something other than a JSON object at `pointer`. */
export interface Misplaced {
  readonly pointer: string;
  readonly value: unknown;
}

/** Anything but an object, without names the parser refuses (those are a 400, not this 422). */
const notAnObject = (member: unknown) => nonObject(fc.constant(member)).filter(withoutReservedNames);

export const kohortPayMisplaced: fc.Arbitrary<Misplaced> = fc.oneof(
  validKohortPay().chain(({ body }) => notAnObject(body).map((value) => ({ pointer: '', value }))),
  ...(['address', 'shippingAddress', 'metadata'] as const).map((field) =>
    validKohortPay({ withAddress: true, withShipping: true, withMetadata: true }).chain(({ body }) =>
      notAnObject(body[field])
        // null there means "none" (the valid-body property sends it).
        .filter((value) => value !== null)
        .map((value) => ({ pointer: `/${field}`, value: { ...body, [field]: value } })),
    ),
  ),
);

export const commerceLayerMisplaced: fc.Arbitrary<Misplaced> = fc.oneof(
  validCommerceLayer().chain(({ body }) => notAnObject(body).map((value) => ({ pointer: '', value }))),
  validCommerceLayer().chain(({ body }) =>
    notAnObject(body.data).map((value) => ({ pointer: '/data', value: { ...body, data: value } })),
  ),
  validCommerceLayer().chain(({ body }) =>
    notAnObject(body.data.attributes).map((value) => ({
      pointer: '/data/attributes',
      value: { ...body, data: { ...body.data, attributes: value } },
    })),
  ),
  validCommerceLayer({ withMetadata: true }).chain(({ body }) =>
    notAnObject(body.data.attributes.metadata)
      // null is "no metadata".
      .filter((value) => value !== null)
      .map((value) => ({
        pointer: '/data/attributes/metadata',
        value: { ...body, data: { ...body.data, attributes: { ...body.data.attributes, metadata: value } } },
      })),
  ),
  // `relationships` is optional but not nullable: null is not an object either.
  validCommerceLayer({ withRelationships: true }).chain(({ body }) =>
    notAnObject(body.data.relationships).map((value) => ({
      pointer: '/data/relationships',
      value: { ...body, data: { ...body.data, relationships: value } },
    })),
  ),
  validCommerceLayer().chain(({ body }) =>
    notAnObject({ data: null })
      .filter((value) => value !== null)
      .map((value) => ({
        pointer: '/data/relationships/customer_group',
        value: { ...body, data: { ...body.data, relationships: { customer_group: value } } },
      })),
  ),
  validCommerceLayer().chain(({ body }) =>
    notAnObject({ type: 'customer_groups', id: 'group-1' })
      .filter((value) => value !== null)
      .map((value) => ({
        pointer: '/data/relationships/customer_group/data',
        value: { ...body, data: { ...body.data, relationships: { customer_group: { data: value } } } },
      })),
  ),
);

// ---------------------------------------------------------------------------------------------
// Invalid UTF-8 and half surrogate pairs

/** How a string of the body is spoilt (as data, so a counterexample shows it). */
export type Spoil =
  // Bytes no UTF-8 decoder may accept, sent base64 as API Gateway sends a body that is not UTF-8.
  | { readonly how: 'bytes'; readonly bytes: readonly number[] }
  // A body handed over as text that holds half a surrogate pair itself (no UTF-8 spells it).
  | { readonly how: 'raw half'; readonly unit: number }
  // Valid UTF-8 and valid JSON, but a string escape that is half a surrogate pair.
  | { readonly how: 'escaped half'; readonly escape: string; readonly base64: boolean };

export const spoil: fc.Arbitrary<Spoil> = fc.oneof(
  invalidUtf8.map((bytes) => ({ how: 'bytes' as const, bytes: [...bytes] })),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => ({ how: 'raw half' as const, unit })),
  fc.record({ how: fc.constant('escaped half' as const), escape: loneSurrogateEscape, base64: fc.boolean() }),
);

export const utf8Base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
export const transport = (text: string, base64: boolean): Payload =>
  base64 ? { body: utf8Base64(text), isBase64Encoded: true } : { body: text };

/** The body with `spoil` between `before` and `after`, and what the 400's message must say. */
export function spoilt(before: string, after: string, how: Spoil): { payload: Payload; detail: RegExp } {
  switch (how.how) {
    case 'bytes': {
      const bytes = Buffer.concat([Buffer.from(before), Buffer.from(how.bytes), Buffer.from(after)]);
      return { payload: { body: bytes.toString('base64'), isBase64Encoded: true }, detail: /UTF-8/ };
    }
    case 'raw half':
      return { payload: { body: before + String.fromCharCode(how.unit) + after }, detail: /UTF-8/ };
    case 'escaped half':
      return { payload: transport(before + how.escape + after, how.base64), detail: /surrogate/ };
  }
}

// ---------------------------------------------------------------------------------------------
// Anything at all

// Strings that DynamoDB keys and JSON both find awkward.
const nasty = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '#', '%23', 'ORG#X#EMAIL#a@b.co', '\u0000', '\ud800', '💥'.repeat(60), 'x'.repeat(300)),
);
/** Mostly a good value, sometimes anything at all. */
const maybe = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 30, arbitrary: good }, nasty, fc.constant(null), fc.integer(), fc.jsonValue());
const nearEmail = fc.oneof({ weight: 12, arbitrary: validEmail.map((e) => e.sent) }, fc.emailAddress(), nasty);
const nearMetadata = maybe(
  fc.oneof(
    { weight: 4, arbitrary: metadata },
    fc.dictionary(fc.string({ maxLength: 45 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 55 }),
    fc.constant({ big: 'x'.repeat(METADATA.bytes) }),
  ),
);

export const nearValidKohortPay = fc.record(
  {
    emailAddress: nearEmail,
    firstName: maybe(fc.string({ maxLength: 12 })),
    lastName: maybe(fc.string({ maxLength: 12 })),
    phoneNumber: maybe(
      fc.oneof({ weight: 4, arbitrary: phoneNumber }, fc.constantFrom('555 555', '+1', '+1234567890123456', '+abc')),
    ),
    address: maybe(
      fc.record(
        { street: maybe(fc.string()), city: maybe(fc.string()), country: maybe(fc.constantFrom('US', 'fr', 'France')) },
        { requiredKeys: [] },
      ),
    ),
    shippingAddress: maybe(
      fc.record(
        {
          addressLine1: maybe(fc.string()),
          vatNumber: maybe(fc.string({ maxLength: 60 })),
          country: maybe(fc.string()),
        },
        { requiredKeys: [] },
      ),
    ),
    metadata: nearMetadata,
    locale: maybe(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom('en_US', 'fr_FR') }, fc.constantFrom('de_DE', 'en-us')),
    ),
    clientReferenceId: maybe(fc.string({ maxLength: 10 })),
  },
  { requiredKeys: ['emailAddress'] },
);

export const nearValidCommerceLayer = fc.record(
  {
    data: maybe(
      fc.record(
        {
          type: maybe(
            fc.oneof({ weight: 8, arbitrary: fc.constant('customers') }, fc.constantFrom('customer', 'Customers')),
          ),
          id: maybe(fc.string({ maxLength: 10 })),
          attributes: maybe(
            fc.record(
              {
                email: nearEmail,
                // Never a valid password (8 characters or more): each would cost a scrypt hash.
                password: fc.oneof(
                  { weight: 8, arbitrary: fc.constant(null) },
                  fc.string({ maxLength: 7 }),
                  fc.integer(),
                  fc.constant({}),
                ),
                reference: maybe(fc.string({ maxLength: 10 })),
                reference_origin: maybe(fc.string({ maxLength: 10 })),
                metadata: nearMetadata,
              },
              { requiredKeys: ['email'] },
            ),
          ),
          relationships: maybe(
            fc.record(
              {
                customer_group: maybe(
                  fc.record({
                    data: maybe(
                      fc.record({
                        type: maybe(fc.constant('customer_groups')),
                        id: maybe(fc.stringMatching(/^[a-z0-9-]{1,10}$/)),
                      }),
                    ),
                  }),
                ),
              },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: ['type', 'attributes'] },
      ),
    ),
  },
  { requiredKeys: ['data'] },
);

/** A body as API Gateway would pass it: JSON text, arbitrary text, or base64 of arbitrary bytes. */
export const rawBody = (json: fc.Arbitrary<unknown>): fc.Arbitrary<Payload> =>
  fc.oneof(
    { weight: 6, arbitrary: json.map((value) => ({ body: JSON.stringify(value), isBase64Encoded: false })) },
    json.map((value) => transport(JSON.stringify(value), true)),
    { weight: 2, arbitrary: fc.jsonValue().map((value) => ({ body: JSON.stringify(value), isBase64Encoded: false })) },
    fc.string({ unit: 'binary', maxLength: 200 }).map((body) => ({ body, isBase64Encoded: false })),
    fc.string({ maxLength: 200 }).map((body) => transport(body, true)),
    fc
      .uint8Array({ maxLength: 200 })
      .map((bytes) => ({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true })),
    fc.constantFrom<Payload>({ body: undefined }, { body: '' }, { body: 'e30=', isBase64Encoded: false }),
  );

/** A Content-Type header (undefined: none), mostly `usual`. */
export const contentType = (usual: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant<string | undefined>(usual) },
    fc.constantFrom<string | undefined>(
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/vnd.api+json',
      'APPLICATION/VND.API+JSON',
      'application/vnd.api+json; charset=utf-8',
      'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/xml',
      '',
    ),
    fc.string({ maxLength: 30 }),
  );

/**
 * Other headers a client may send (Accept, X-Organisation-Id, Idempotency-Key, Content-Encoding):
 * mostly none, else one or more of them, mostly good ones.
 */
export const otherHeaders = (ownOrg: string): fc.Arbitrary<Record<string, string>> =>
  fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, someHeaders(ownOrg));

const someHeaders = (ownOrg: string) =>
  fc.record(
    {
      accept: fc.oneof(
        fc.constantFrom(
          '*/*',
          'application/json',
          'application/vnd.api+json',
          'application/vnd.api+json; ext=x',
          'application/*',
          'text/html;q=0.9, */*;q=0',
        ),
        fc.string({ maxLength: 20 }),
      ),
      'x-organisation-id': fc.oneof(
        fc.constantFrom(ownOrg, ` ${ownOrg} `, 'OTHER_ORG', ''),
        fc.string({ maxLength: 10 }),
      ),
      'idempotency-key': fc.oneof(fc.constantFrom('retry-1', 'retry-2', ''), fc.string({ maxLength: 10 })),
      'content-encoding': fc.constantFrom('gzip', 'identity', '', 'br, identity'),
    },
    { requiredKeys: [] },
  );
