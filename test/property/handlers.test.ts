// Nothing a client sends produces a 5xx: thousands of random JSON values, near-valid bodies and
// raw byte strings, with random content types and path parameters, against both handlers on
// DynamoDB Local. Every 2xx body must match the contract; every 4xx must be a problem document.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertContract, customerResponse, problemResponse, purchaserResponse } from '../support/contract.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke, partner, type TestResponse } from '../support/events.ts';
import { customerHandler, purchaserHandler } from '../support/handlers.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('property');
});

const RUNS = 2500;
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
const simpleEmail = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,10}$/), fc.constantFrom('example.com', 'shop.co.uk'))
  .map(([local, domain]) => `${local}@${domain}`);
/** Mostly a good value, sometimes anything at all. */
const maybe = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 30, arbitrary: good }, nasty, fc.constant(null), fc.integer(), fc.jsonValue());

const nearValidPurchaser = fc.record(
  {
    email: fc.oneof({ weight: 12, arbitrary: simpleEmail }, fc.emailAddress(), nasty),
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
    email: fc.oneof({ weight: 12, arbitrary: simpleEmail }, fc.constant(null), nasty),
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
    const handler = purchaserHandler(t.store);
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
            handler,
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
    const handler = customerHandler(t.store);
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(rawBody(nearValidCustomer), contentType, async ({ body, isBase64Encoded }, type) => {
        const res = await invoke(
          handler,
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
