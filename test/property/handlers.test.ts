// Property tests of both JSON routes, through the real handlers on DynamoDB Local, each with an
// oracle of its own (generators and expectations in bodies.ts):
//
// 1. A body valid by construction (RFC 5321 addresses such as o'brien@… or a=b@…, punycode and
//    Unicode domains, any Unicode text up to each field's limit in code points, optional fields
//    present, absent, null or "") is a 2xx that matches the contract and echoes every field as
//    stored (trimmed, "" as null, the email lower-cased with its domain in punycode); the same
//    body with its non-ASCII characters written as \u escapes (whole surrogate pairs) is the same.
// 2. A non-object where an object belongs (the body, `purchases[i]`, `shipping_address`) is a 422
//    whose errors name exactly that JSON pointer.
// 3. Invalid UTF-8 bytes in any string (key or value, sent base64 as API Gateway sends such a
//    body) are a 400 about UTF-8; half a surrogate pair escaped in any string is a 400 about it.
// 4. Nesting up to the size limit (in an unknown member, in place of a field, as the body) is
//    never a 5xx: up to 1000 levels it is a 201 in an unknown member and a 422 naming the field it
//    replaces; deeper, a 400 is allowed too; with half a surrogate pair or invalid UTF-8 at the
//    bottom it is a 400 at any depth. A body of at most 256 KB (decoded bytes) is processed, one
//    byte more is a 413, whatever the characters and whether sent base64 or not.
// 5. Nothing a client sends, whatever it is, yields a 5xx.
//
// Each property writes under organisations of its own, so none leans on another's data.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertContract, customerResponse, problemResponse, purchaserResponse } from '../support/contract.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke, partner, type TestResponse } from '../support/events.ts';
import { customerHandler, purchaserHandler, REVIEW_BASE_URL } from '../support/handlers.ts';
import {
  type ADDRESS_TEXT,
  BODY_LIMIT,
  escapeNonAscii,
  invalidUtf8,
  loneSurrogateEscape,
  nonObject,
  PURCHASER_TEXT,
  purchase,
  storedCountry,
  storedText,
  stringSpots,
  validCustomer,
  validEmail,
  validPurchaser,
} from './bodies.ts';

let t: TestTable;
let purchasers: ReturnType<typeof purchaserHandler>;
let customers: ReturnType<typeof customerHandler>;
beforeAll(async () => {
  t = await createTestTable('property');
  purchasers = purchaserHandler(t.store);
  customers = customerHandler(t.store);
});

/** A unique address, for properties whose bodies must not meet an earlier one. */
let serial = 0;
const uniqueEmail = (label: string) => `${label}-${++serial}@property.test`;

interface Payload {
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

const utf8Base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const postPurchaser = (trkref: string, orgs: string[], payload: Payload) =>
  invoke(
    purchasers,
    httpEvent({
      path: `/v4/organisations/${trkref}/purchasers`,
      pathParameters: { trkref },
      body: payload.body,
      isBase64Encoded: payload.isBase64Encoded ?? false,
      principal: partner(orgs),
    }),
  );

const postCustomer = (orgs: string[], payload: Payload) =>
  invoke(
    customers,
    httpEvent({
      path: '/customers',
      body: payload.body,
      isBase64Encoded: payload.isBase64Encoded ?? false,
      principal: partner(orgs),
    }),
  );

/** The response is this problem (status, and type when given); its body is returned. */
function expectProblem(res: TestResponse, status: number, type?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  const problem = assertContract(problemResponse, res.json);
  if (type) expect(problem.type, res.body).toBe(`/problems/${type}`);
  return problem;
}

/** A 422 whose errors name exactly `pointer`. */
function expectOnlyPointer(res: TestResponse, pointer: string) {
  const problem = expectProblem(res, 422, 'validation-failed');
  expect(
    problem.errors?.map((error) => error.pointer),
    res.body,
  ).toEqual([pointer]);
}

// ---------------------------------------------------------------------------------------------
// 1. Valid bodies

/** JSON text of a body, as JSON.stringify writes it or with its non-ASCII characters escaped. */
const spelling = fc.constantFrom<'raw' | 'astral' | 'all'>('raw', 'raw', 'astral', 'all');
const written = (body: unknown, how: 'raw' | 'astral' | 'all') => {
  const json = JSON.stringify(body);
  return how === 'raw' ? json : escapeNonAscii(json, how);
};
const transport = (text: string, base64: boolean): Payload =>
  base64 ? { body: utf8Base64(text), isBase64Encoded: true } : { body: text };

describe('a valid body is answered 2xx, every field echoed as stored', () => {
  it('POST /v4/organisations/{trkref}/purchasers', async () => {
    const trkref = 'VALID';
    // The registry as the README describes it: what each purchaser and purchase now holds.
    const model = new Map<
      string,
      {
        created_at: string;
        fields: Record<string, string | null>;
        purchases: Map<string, { date: string | undefined; url: string | undefined }>;
      }
    >();
    const TEXT_FIELDS = Object.keys(PURCHASER_TEXT) as (keyof typeof PURCHASER_TEXT)[];
    await fc.assert(
      fc.asyncProperty(validPurchaser(), spelling, fc.boolean(), async ({ email, body }, how, base64) => {
        const res = await postPurchaser(trkref, [trkref], transport(written(body, how), base64));
        // What the registry must now hold, from the request and what it held before.
        const before = model.get(email.stored);
        const fields: Record<string, string | null> = {};
        for (const field of TEXT_FIELDS) {
          fields[field] = field in body ? storedText(body[field] ?? null) : (before?.fields[field] ?? null);
        }
        fields.country = 'country' in body ? storedCountry(body.country ?? null) : (before?.fields.country ?? null);
        // One purchase per order_ref + sku: the last purchase_date sent wins; none sent keeps the stored one.
        const sent = (body.purchases ?? []).map((p) => ({
          key: JSON.stringify([p.order_ref.trim(), p.sku.trim()]),
          date: p.purchase_date || undefined,
        }));
        const requested = new Map<string, string | undefined>();
        for (const { key, date } of sent) requested.set(key, date ?? requested.get(key));
        const purchases = new Map(before?.purchases);
        for (const [index, { key }] of sent.entries()) {
          const url = purchases.get(key)?.url ?? res.json?.purchases?.[index]?.review_url;
          purchases.set(key, { date: requested.get(key) ?? purchases.get(key)?.date, url });
        }
        // Recorded before the checks, so that the runs of a shrinking search see what was stored.
        if (res.statusCode < 300) {
          model.set(email.stored, { created_at: before?.created_at ?? res.json?.created_at, fields, purchases });
        }

        expect(res.statusCode, res.body).toBe(before ? 200 : 201);
        const answer = assertContract(purchaserResponse, res.json);
        expect({ ...answer, created_at: undefined, purchases: undefined }).toEqual({
          email: email.stored,
          ...fields,
          created_at: undefined,
          purchases: undefined,
        });
        if (before) expect(answer.created_at).toBe(before.created_at);
        expect(answer.purchases).toHaveLength(sent.length);
        for (const [index, { key }] of sent.entries()) {
          const got = answer.purchases[index]!;
          const [orderRef, sku] = JSON.parse(key) as [string, string];
          expect(got.order_ref).toBe(orderRef);
          expect(got.sku).toBe(sku);
          expect(got.review_state).toBe('not_reviewed');
          expect(got.contacted_at).toBeUndefined();
          expect(got.purchase_date).toBe(purchases.get(key)?.date);
          // One purchase, one link: across requests, and for a purchase listed twice.
          expect(got.review_url).toBe(purchases.get(key)?.url);
          expect(got.review_url.startsWith(`${REVIEW_BASE_URL}/questionnaire/${trkref}/`)).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('POST /customers', async () => {
    const corporation = 'corp_valid';
    const taken = new Set<string>();
    await fc.assert(
      fc.asyncProperty(validCustomer(corporation), spelling, fc.boolean(), async ({ email, body }, how, base64) => {
        const res = await postCustomer([corporation], transport(written(body, how), base64));
        if (email !== null && taken.has(email)) {
          // The corporation has this address already (README: unique per corporation).
          expectProblem(res, 409, 'duplicate-customer');
          return;
        }
        if (res.statusCode === 201 && email !== null) taken.add(email);
        expect(res.statusCode, res.body).toBe(201);
        const { data } = assertContract(customerResponse, res.json);
        const address = body.shipping_address;
        const addressField = (field: keyof typeof ADDRESS_TEXT) =>
          address && field in address ? storedText(address[field] ?? null) : null;
        expect({ ...data, id: undefined, created_at: undefined }).toEqual({
          id: undefined,
          created_at: undefined,
          name: body.name.trim(),
          email,
          corporation_id: corporation,
          external_id: 'external_id' in body ? storedText(body.external_id ?? null) : null,
          shipping_address: address
            ? {
                line1: addressField('line1'),
                line2: addressField('line2'),
                city: addressField('city'),
                state: addressField('state'),
                postal_code: addressField('postal_code'),
                country: 'country' in address ? storedCountry(address.country ?? null) : null,
              }
            : null,
          source_platform_id: null,
          source_platform: null,
        });
      }),
      { numRuns: 120 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Non-objects where an object belongs

describe('a non-object where an object belongs is a 422 naming its pointer', () => {
  // Nothing here is valid, so nothing is written: one organisation for all.
  const org = 'EDGE';
  const corporation = 'corp_edge';

  it('the purchaser body, and each purchase', async () => {
    const target = fc.oneof(
      validPurchaser().chain(({ body }) =>
        nonObject(fc.constant(body)).map((value) => ({ pointer: '', value: value as unknown })),
      ),
      fc.tuple(validPurchaser(1), fc.nat()).chain(([{ body }, n]) => {
        const index = n % body.purchases!.length;
        return nonObject(purchase(1).map(([first]) => first)).map((value) => ({
          pointer: `/purchases/${index}`,
          value: { ...body, purchases: body.purchases!.with(index, value as never) } as unknown,
        }));
      }),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.boolean(), async ({ pointer, value }, base64) => {
        const res = await postPurchaser(org, [org], transport(JSON.stringify(value), base64));
        expectOnlyPointer(res, pointer);
        expect(res.json.message).toBe(res.json.detail);
      }),
      { numRuns: 150 },
    );
  });

  it('the customer body, and its shipping_address (null there means "none": see the valid-body property)', async () => {
    const target = fc.oneof(
      validCustomer(corporation).chain(({ body }) =>
        nonObject(fc.constant(body)).map((value) => ({ pointer: '', value: value as unknown })),
      ),
      validCustomer(corporation, { withAddress: true }).chain(({ body }) =>
        nonObject(fc.constant(body.shipping_address))
          .filter((value) => value !== null)
          .map((value) => ({ pointer: '/shipping_address', value: { ...body, shipping_address: value } as unknown })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.boolean(), async ({ pointer, value }, base64) => {
        const res = await postCustomer([corporation], transport(JSON.stringify(value), base64));
        expectOnlyPointer(res, pointer);
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Invalid UTF-8 and half surrogate pairs, in any string

/** How a string of the body is spoilt (as data, so a counterexample shows it). */
type Spoil =
  // Bytes no UTF-8 decoder may accept, sent base64 as API Gateway sends a body that is not UTF-8.
  | { readonly how: 'bytes'; readonly bytes: readonly number[] }
  // A body handed over as text that holds half a surrogate pair itself (no UTF-8 spells it).
  | { readonly how: 'raw half'; readonly unit: number }
  // Valid UTF-8 and valid JSON, but a string escape that is half a surrogate pair.
  | { readonly how: 'escaped half'; readonly escape: string; readonly base64: boolean };

const spoil: fc.Arbitrary<Spoil> = fc.oneof(
  invalidUtf8.map((bytes) => ({ how: 'bytes' as const, bytes: [...bytes] })),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => ({ how: 'raw half' as const, unit })),
  fc.record({ how: fc.constant('escaped half' as const), escape: loneSurrogateEscape, base64: fc.boolean() }),
);

/** The body with `spoil` between `before` and `after`, and what the 400's detail must say. */
function spoilt(before: string, after: string, spoil: Spoil): { payload: Payload; detail: RegExp } {
  switch (spoil.how) {
    case 'bytes': {
      const bytes = Buffer.concat([Buffer.from(before), Buffer.from(spoil.bytes), Buffer.from(after)]);
      return { payload: { body: bytes.toString('base64'), isBase64Encoded: true }, detail: /UTF-8/ };
    }
    case 'raw half':
      return { payload: { body: before + String.fromCharCode(spoil.unit) + after }, detail: /UTF-8/ };
    case 'escaped half':
      return { payload: transport(before + spoil.escape + after, spoil.base64), detail: /surrogate/ };
  }
}

describe('invalid UTF-8 or half a surrogate pair in any string is a 400', () => {
  const org = 'EDGE';
  const corporation = 'corp_edge';
  async function check(bodies: fc.Arbitrary<{ body: object }>, post: (payload: Payload) => Promise<TestResponse>) {
    const hits = { key: 0, value: 0 };
    await fc.assert(
      fc.asyncProperty(bodies, fc.nat(), spoil, async ({ body }, n, how) => {
        const spots = stringSpots(JSON.stringify(body));
        const spot = spots[n % spots.length]!;
        hits[spot.isKey ? 'key' : 'value']++;
        const { payload, detail } = spoilt(spot.before, spot.after, how);
        const res = await post(payload);
        const problem = expectProblem(res, 400, 'malformed-json');
        expect(problem.detail).toMatch(detail);
      }),
      { numRuns: 200 },
    );
    // The spoilt string is a key often enough, and a value often enough.
    expect(hits.key).toBeGreaterThan(20);
    expect(hits.value).toBeGreaterThan(20);
  }

  it('POST /v4/organisations/{trkref}/purchasers', async () => {
    await check(validPurchaser(), (payload) => postPurchaser(org, [org], payload));
  });

  it('POST /customers', async () => {
    await check(validCustomer(corporation), (payload) => postCustomer([corporation], payload));
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Deep nesting, and bodies at the size limit

/** Up to this depth a parser must cope: the answer is the one for the same body without the nesting. */
const SURE_DEPTH = 1000;

type Nesting = 'array' | 'object' | 'mixed';
const openers: Record<Nesting, [string, string]> = {
  array: ['[', ']'],
  object: ['{"a":', '}'],
  mixed: ['[{"a":', '}]'],
};
/** `leaf` nested `depth` times. */
const nest = (kind: Nesting, depth: number, leaf: string) => {
  const [open, close] = openers[kind];
  return open.repeat(depth) + leaf + close.repeat(depth);
};

/** Where the nesting goes, and what the answer must be (for a depth of at most SURE_DEPTH and a plain leaf). */
type Placement =
  | { readonly where: 'unknown member' | 'unknown member of an object field'; readonly expect: 'created' }
  | { readonly where: 'text field' | 'object field' | 'body'; readonly expect: string };

const MARK = '"@@NESTED@@"';
/** Where invalid bytes go in a spoilt leaf. */
const BYTES = '@@BYTES@@';

/** The deepest array nesting JSON.parse with a reviver takes on this stack. */
function reviverDepthLimit(): number {
  let [low, high] = [1, 200_000];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    try {
      JSON.parse(nest('array', middle, '1'), (_key, value) => value);
      low = middle;
    } catch {
      high = middle - 1;
    }
  }
  return low;
}

describe('deep nesting is never a 5xx', () => {
  const org = 'DEEP';
  const corporation = 'corp_deep';

  // The places nesting goes, per route: the body with MARK there.
  const purchaserPlacements = (email: string): [Placement, string][] => {
    const body = { email, first_name: 'Deep', purchases: [{ order_ref: 'D1', sku: 'S1' }] };
    return [
      [{ where: 'unknown member', expect: 'created' }, JSON.stringify({ ...body, x_deep: '@@NESTED@@' })],
      [{ where: 'text field', expect: '/first_name' }, JSON.stringify({ ...body, first_name: '@@NESTED@@' })],
      [{ where: 'object field', expect: '/purchases/0' }, JSON.stringify({ ...body, purchases: ['@@NESTED@@'] })],
      [{ where: 'body', expect: '' }, MARK],
    ];
  };
  const customerPlacements = (email: string): [Placement, string][] => {
    const body = { corporation_id: corporation, name: 'Deep', email, shipping_address: { line1: 'x' } };
    return [
      [{ where: 'unknown member', expect: 'created' }, JSON.stringify({ ...body, x_deep: '@@NESTED@@' })],
      [
        { where: 'unknown member of an object field', expect: 'created' },
        JSON.stringify({ ...body, shipping_address: { line1: 'x', x_deep: '@@NESTED@@' } }),
      ],
      [{ where: 'text field', expect: '/name' }, JSON.stringify({ ...body, name: '@@NESTED@@' })],
      [
        { where: 'object field', expect: '/shipping_address' },
        JSON.stringify({ ...body, shipping_address: '@@NESTED@@' }),
      ],
      [{ where: 'body', expect: '' }, MARK],
    ];
  };

  // Where parsers give up: JSON.parse with a reviver (as @middy/http-json-body-parser parses)
  // recurses, and runs out of stack at some depth; a walk of the parsed value that takes more
  // stack per level overflows a little below it, and the request would be a 500. So depths are
  // dense around that border, measured here (about 2300 levels on Node 24), and reach the size limit.
  const border = reviverDepthLimit();
  const depth = fc.oneof(
    fc.noBias(fc.integer({ min: 1, max: SURE_DEPTH })),
    { weight: 3, arbitrary: fc.noBias(fc.integer({ min: Math.floor(border * 0.6), max: Math.ceil(border * 1.1) })) },
    fc.integer({ min: border, max: BODY_LIMIT }), // cut to the limit below
  );
  const nesting = fc.constantFrom<Nesting>('array', 'object', 'mixed');

  /**
   * `template` with `leaf` nested `wanted` levels deep at MARK (fewer if the body would pass the
   * size limit); and the levels reached. A `mixed` unit is two levels (an array, then an object).
   */
  function nested(template: string, kind: Nesting, wanted: number, leaf: string) {
    const [open, close] = openers[kind];
    const perUnit = kind === 'mixed' ? 2 : 1;
    const room = Math.floor(
      (BODY_LIMIT - Buffer.byteLength(template) - Buffer.byteLength(leaf)) / (open + close).length,
    );
    const units = Math.min(Math.ceil(wanted / perUnit), room);
    const json = template.replace(MARK, nest(kind, units, leaf));
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(BODY_LIMIT);
    return { json, levels: units * perUnit };
  }

  /** Nesting of plain values: answered as the body without it (a 400 allowed beyond SURE_DEPTH). */
  const plainLeaves = (
    placements: (email: string) => [Placement, string][],
    post: (payload: Payload) => Promise<TestResponse>,
  ) =>
    fc.asyncProperty(
      fc.nat(),
      nesting,
      depth,
      fc.constantFrom('1', '"leaf"', 'null', '[]', '{}'),
      fc.boolean(),
      async (n, generated, wanted, leaf, base64) => {
        const all = placements(uniqueEmail('deep'));
        const [placement, template] = all[n % all.length]!;
        // Where an object belongs, the nesting starts with an array (nested objects there are
        // objects with unknown members: the unknown-member placements have those).
        const objectBelongs = placement.where === 'object field' || placement.where === 'body';
        const kind = objectBelongs && generated === 'object' ? 'mixed' : generated;
        const { json, levels } = nested(template, kind, wanted, leaf);
        const res = await post(transport(json, base64));

        expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
        // Deeper than SURE_DEPTH a parser may give up: a 400 then.
        if (levels > SURE_DEPTH && res.statusCode === 400) expectProblem(res, 400, 'malformed-json');
        else if (placement.expect === 'created') expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
        else expectOnlyPointer(res, placement.expect);
      },
    );

  /** Half a surrogate pair or invalid UTF-8 at the bottom, in any placement: always a 400. */
  const spoiltLeaves = (
    placements: (email: string) => [Placement, string][],
    post: (payload: Payload) => Promise<TestResponse>,
  ) =>
    fc.asyncProperty(
      fc.nat(),
      nesting,
      depth,
      fc.oneof(
        loneSurrogateEscape.map((half) => ({ half, bytes: undefined })),
        invalidUtf8.map((bytes) => ({ half: undefined, bytes })),
      ),
      fc.boolean(),
      async (n, kind, wanted, { half, bytes }, base64) => {
        const all = placements(uniqueEmail('deep'));
        const [, template] = all[n % all.length]!;
        const { json, levels } = nested(template, kind, wanted, half ? `"${half}"` : `"${BYTES}"`);
        const [head = '', tail = ''] = json.split(BYTES);
        const res = await post(
          bytes
            ? {
                body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]).toString('base64'),
                isBase64Encoded: true,
              }
            : transport(json, base64),
        );
        const problem = expectProblem(res, 400, 'malformed-json');
        // Deeper than SURE_DEPTH the parser may give up first.
        if (bytes) expect(problem.detail).toMatch(/UTF-8/);
        else if (levels <= SURE_DEPTH) expect(problem.detail).toMatch(/surrogate/);
      },
    );

  it('POST /v4/organisations/{trkref}/purchasers', async () => {
    const post = (payload: Payload) => postPurchaser(org, [org], payload);
    await fc.assert(plainLeaves(purchaserPlacements, post), { numRuns: 60 });
    await fc.assert(spoiltLeaves(purchaserPlacements, post), { numRuns: 150 });
  });

  it('POST /customers', async () => {
    const post = (payload: Payload) => postCustomer([corporation], payload);
    await fc.assert(plainLeaves(customerPlacements, post), { numRuns: 60 });
    await fc.assert(spoiltLeaves(customerPlacements, post), { numRuns: 150 });
  });
});

describe('a body up to 256 KB is processed, a byte more is a 413', () => {
  const org = 'SIZE';
  const corporation = 'corp_size';

  /** `base` padded with an unknown member of `char`s (1 to 4 bytes each) to exactly `size` bytes. */
  function padded(base: Record<string, unknown>, size: number, char: string): string | undefined {
    const empty = JSON.stringify({ ...base, x_padding: '' });
    const room = size - Buffer.byteLength(empty);
    if (room < 0) return undefined;
    const width = Buffer.byteLength(char);
    const padding = char.repeat(Math.floor(room / width)) + 'x'.repeat(room % width);
    const json = JSON.stringify({ ...base, x_padding: padding });
    expect(Buffer.byteLength(json)).toBe(size);
    return json;
  }

  const size = fc.oneof(
    fc.integer({ min: BODY_LIMIT - 8, max: BODY_LIMIT + 8 }),
    fc.integer({ min: BODY_LIMIT - 4096, max: BODY_LIMIT + 4096 }),
  );
  const char = fc.constantFrom('x', 'é', '€', '😀');

  const property = (base: () => Record<string, unknown>, post: (payload: Payload) => Promise<TestResponse>) =>
    fc.asyncProperty(size, char, fc.boolean(), async (bytes, padChar, base64) => {
      const json = padded(base(), bytes, padChar);
      fc.pre(json !== undefined);
      // The limit counts decoded bytes: base64 text is a third longer than the body it carries.
      const res = await post(transport(json!, base64));
      if (bytes <= BODY_LIMIT) {
        expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
      } else {
        const problem = expectProblem(res, 413, 'payload-too-large');
        expect(problem.limit_bytes).toBe(BODY_LIMIT);
      }
    });

  it('POST /v4/organisations/{trkref}/purchasers', async () => {
    await fc.assert(
      property(
        () => ({ email: uniqueEmail('size'), purchases: [{ order_ref: 'S1', sku: 'S1' }] }),
        (payload) => postPurchaser(org, [org], payload),
      ),
      { numRuns: 40 },
    );
  });

  it('POST /customers', async () => {
    await fc.assert(
      property(
        () => ({ corporation_id: corporation, name: 'Size', email: uniqueEmail('size') }),
        (payload) => postCustomer([corporation], payload),
      ),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Anything at all: never a 5xx

const RUNS = 500;
/** The caller's key may act for these; requests for others must be 403s, not writes. */
const caller = partner(['ACME', 'OTHER_1', 'corp_1', 'corp-2']);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  fc.constantFrom('application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'application/xml', ''),
  fc.string({ maxLength: 30 }),
);

// Strings that DynamoDB keys and JSON both find awkward.
const nasty = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '#', '%23', 'ORG#X#EMAIL#a@b.co', '\u0000', '\ud800', '💥'.repeat(60), 'x'.repeat(300)),
);
/** Mostly a good value, sometimes anything at all. */
const maybe = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 30, arbitrary: good }, nasty, fc.constant(null), fc.integer(), fc.jsonValue());

const nearValidPurchaser = fc.record(
  {
    email: fc.oneof({ weight: 12, arbitrary: validEmail.map((e) => e.sent) }, fc.emailAddress(), nasty),
    title: maybe(fc.constantFrom('Ms', 'Mr', 'Dr')),
    first_name: maybe(fc.string({ maxLength: 12 })),
    surname: maybe(fc.string({ maxLength: 12 })),
    country: maybe(fc.constantFrom('GB', 'uk', 'US', 'de', 'XX')),
    postcode: maybe(fc.string({ maxLength: 10 })),
    purchases: fc.oneof(
      { weight: 12, arbitrary: fc.constant([]) },
      {
        weight: 12,
        arbitrary: fc.array(
          fc.record(
            {
              order_ref: maybe(fc.stringMatching(/^[A-Z0-9#%]{1,8}$/)),
              sku: maybe(fc.stringMatching(/^[A-Z0-9#%]{1,8}$/)),
              purchase_date: maybe(fc.constantFrom('2024-02-29', '2023-02-29', '2025-13-01', '2026-01-31')),
            },
            { requiredKeys: ['order_ref', 'sku'] },
          ),
          { maxLength: 12 },
        ),
      },
      nasty,
    ),
  },
  { requiredKeys: ['email'] },
);

const nearValidCustomer = fc.record(
  {
    corporation_id: maybe(
      fc.oneof({ weight: 6, arbitrary: fc.constantFrom('corp_1', 'corp-2') }, fc.stringMatching(/^[a-z0-9_-]{1,10}$/)),
    ),
    name: maybe(fc.string({ minLength: 3, maxLength: 20 })),
    email: fc.oneof({ weight: 12, arbitrary: validEmail.map((e) => e.sent) }, fc.constant(null), nasty),
    external_id: maybe(fc.string({ maxLength: 10 })),
    shipping_address: maybe(
      fc.record(
        { line1: maybe(fc.string()), city: maybe(fc.string()), country: maybe(fc.constantFrom('US', 'gb', 'ZZ')) },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['corporation_id', 'name'] },
);

/** A body as API Gateway would pass it: JSON text, arbitrary text, or base64 of arbitrary bytes. */
const rawBody = (json: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 5, arbitrary: json.map((value) => ({ body: JSON.stringify(value), isBase64Encoded: false })) },
    { weight: 2, arbitrary: fc.jsonValue().map((value) => ({ body: JSON.stringify(value), isBase64Encoded: false })) },
    fc.string({ unit: 'binary', maxLength: 200 }).map((body) => ({ body, isBase64Encoded: false })),
    fc
      .uint8Array({ maxLength: 200 })
      .map((bytes) => ({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true })),
    fc.constant({ body: undefined, isBase64Encoded: false }),
  );

function check(res: TestResponse, contract: Parameters<typeof assertContract>[0]) {
  expect(res.statusCode >= 200 && res.statusCode < 500, `status ${res.statusCode}: ${res.body}`).toBe(true);
  if (res.statusCode < 300) assertContract(contract, res.json);
  else assertContract(problemResponse, res.json);
}

describe('no client input yields a server error', () => {
  it('POST /v4/organisations/{trkref}/purchasers', async () => {
    const trkref = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('ACME', 'OTHER_1') },
      fc.constantFrom('FOREIGN', 'acme'),
      nasty,
    );
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(
        trkref,
        rawBody(nearValidPurchaser),
        contentType,
        async (org, { body, isBase64Encoded }, type) => {
          const res = await invoke(
            purchasers,
            httpEvent({
              path: '/v4/organisations/x/purchasers',
              pathParameters: { trkref: org },
              body,
              isBase64Encoded,
              headers: { 'content-type': type },
              principal: caller,
            }),
          );
          check(res, purchaserResponse);
          if (res.statusCode < 300) {
            successes++;
            expect(caller.orgs).toContain(org);
            expect(res.json.purchases).toHaveLength(
              (JSON.parse(body!) as { purchases?: unknown[] }).purchases?.length ?? 0,
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
    // The generators must reach the success path often enough for the contract check to matter.
    expect(successes).toBeGreaterThan(RUNS / 20); // measured: about 1 in 6
  });

  it('POST /customers', async () => {
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(rawBody(nearValidCustomer), contentType, async ({ body, isBase64Encoded }, type) => {
        const res = await invoke(
          customers,
          httpEvent({
            path: '/customers',
            body,
            isBase64Encoded,
            headers: { 'content-type': type },
            principal: caller,
          }),
        );
        check(res, customerResponse);
        if (res.statusCode === 201) {
          successes++;
          expect(caller.orgs).toContain(res.json.data.corporation_id);
        }
      }),
      { numRuns: RUNS },
    );
    expect(successes).toBeGreaterThan(RUNS / 20); // measured: about 1 in 6
  });
});
