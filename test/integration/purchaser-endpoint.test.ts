// POST /v4/organisations/{trkref}/purchasers through the real handler (middy stack included)
// against DynamoDB Local.
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { purchaseKey } from '../../functions/store/keys.ts';
import { reevooCreatePurchaser, reevooPurchaserAndPurchases } from '../../openapi/seeds.ts';
import { assertContract, problemResponse, purchaserResponse } from '../support/contract.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { type EventInit, httpEvent, invoke, type TestResponse } from '../support/events.ts';
import { capturingLog, purchaserHandler, REVIEW_BASE_URL, reviewLinks } from '../support/handlers.ts';

let t: TestTable;
let handler: ReturnType<typeof purchaserHandler>;
const log = capturingLog();
beforeAll(async () => {
  t = await createTestTable('purchaser-endpoint');
  handler = purchaserHandler(t.store, log);
});

const post = (trkref: string, body: unknown, init: Partial<EventInit> = {}) =>
  invoke(
    handler,
    httpEvent({
      path: `/v4/organisations/${trkref}/purchasers`,
      routeKey: 'POST /v4/organisations/{trkref}/purchasers',
      pathParameters: { trkref },
      body,
      ...init,
    }),
  );

describe('seed: reevoo-create-purchaser.md', () => {
  it('answers the example request in the example response shape, field by field', async () => {
    const { trkref, request, response: seed } = reevooCreatePurchaser;
    const res = await post(trkref, request);
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    const body = assertContract(purchaserResponse, res.json);
    for (const field of Object.keys(seed)) expect(body).toHaveProperty(field);
    expect(body.title).toBe(seed.title);
    expect(body.first_name).toBe(seed.first_name);
    expect(body.surname).toBe(seed.surname);
    expect(body.country).toBe(seed.country);
    expect(body.postcode).toBe(seed.postcode);
    expect(body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(body.email).toBe(request.email);
    expect(body.purchases).toEqual([]);

    const again = await post(trkref, request);
    expect(again.statusCode).toBe(200);
    expect(again.json.created_at).toBe(body.created_at);
  });
});

describe('seed: reevoo-purchaser-and-purchases.md', () => {
  it('answers the example request in the example response shape, field by field', async () => {
    const { trkref, request, response: seed } = reevooPurchaserAndPurchases;
    const email = 'jane.purchases@example.com';
    // The example response shows a purchaser known from before (country, postcode) whose first two
    // purchases have history: put the store in that state first.
    await post(trkref, { email, country: 'UK', postcode: '10800' });
    const history = [
      { ...seed.purchases[0]!, review_token: 'tok-1' },
      { ...seed.purchases[1]!, review_token: 'tok-2', review_url: undefined },
    ];
    for (const { review_url, ...purchase } of history) {
      await t.store.doc.send(
        new PutCommand({
          TableName: t.tableName,
          Item: {
            ...purchaseKey(trkref, email, purchase.order_ref, purchase.sku),
            entity: 'purchase',
            ...purchase,
            ...(review_url ? { review_url } : {}),
          },
        }),
      );
    }

    const res = await post(trkref, { ...request, email });
    expect(res.statusCode).toBe(200);
    const body = assertContract(purchaserResponse, res.json);
    const { purchases: seedPurchases, ...seedPurchaser } = seed;
    for (const [field, value] of Object.entries(seedPurchaser)) {
      if (field === 'created_at') expect(body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      else expect(body[field as keyof typeof body]).toEqual(value);
    }
    expect(body.purchases).toHaveLength(seedPurchases.length);
    body.purchases.forEach((purchase, i) => {
      const expected = seedPurchases[i]!;
      expect(Object.keys(purchase)).toEqual(Object.keys(expected));
      expect(purchase.order_ref).toBe(expected.order_ref);
      expect(purchase.sku).toBe(expected.sku);
      expect(purchase.review_state).toBe(expected.review_state);
    });
    // A published purchase links to its review; the others to their questionnaire.
    expect(body.purchases[0]!.review_url).toBe(seedPurchases[0]!.review_url);
    expect(body.purchases[0]!.purchase_date).toBe('2011-12-14');
    expect(body.purchases[0]!.contacted_at).toBe('2011-12-23T20:02:18Z');
    expect(body.purchases[1]!.review_url).toBe(reviewLinks.questionnaireUrl(trkref, 'tok-2'));
    expect(body.purchases[2]!.review_url).toMatch(`${REVIEW_BASE_URL}/questionnaire/ACME/`);
  });

  it('never puts the email in a link, in clear or encoded', async () => {
    const email = 'secret.person+tag@example.com';
    const res = await post('ACME', { email, purchases: [{ order_ref: 'E1', sku: 'S1' }] });
    const url = res.json.purchases[0].review_url as string;
    const forms = [
      email,
      encodeURIComponent(email),
      Buffer.from(email).toString('base64'),
      Buffer.from(email).toString('base64url'),
      Buffer.from(email).toString('hex'),
    ];
    for (const form of forms) expect(url).not.toContain(form);
    expect(url).not.toMatch(/secret|example\.com/);
    expect(reviewLinks.verify('ACME', url.split('/').at(-1)!)).toBe(true);
  });
});

describe('contract details', () => {
  it('returns 201 for a new purchaser and 200 when it existed; null for unknown fields, never missing', async () => {
    const first = await post('ACME', { email: 'fields@example.com' });
    expect(first.statusCode).toBe(201);
    expect(first.json).toEqual({
      email: 'fields@example.com',
      title: null,
      first_name: null,
      surname: null,
      country: null,
      postcode: null,
      created_at: expect.any(String),
      purchases: [],
    });
    const second = await post('ACME', { email: 'Fields@Example.com', surname: 'Smith', country: 'gb' });
    expect(second.statusCode).toBe(200);
    expect(second.json).toMatchObject({ email: 'fields@example.com', surname: 'Smith', country: 'GB' });
  });

  it('a purchase sent again with a new purchase_date answers and keeps the new date', async () => {
    const email = 'redated@example.com';
    const first = await post('ACME', {
      email,
      purchases: [{ order_ref: 'RD1', sku: 'S1', purchase_date: '2026-10-01' }],
    });
    expect(first.statusCode).toBe(201);
    const again = await post('ACME', {
      email,
      purchases: [{ order_ref: 'RD1', sku: 'S1', purchase_date: '2026-10-05' }],
    });
    expect(again.statusCode).toBe(200);
    expect(again.json.purchases).toEqual([{ ...first.json.purchases[0], purchase_date: '2026-10-05' }]);
    const repeat = await post('ACME', { email, purchases: [{ order_ref: 'RD1', sku: 'S1' }] });
    expect(repeat.json.purchases[0].purchase_date).toBe('2026-10-05');
  });

  it('accepts a base64-encoded body and a charset parameter', async () => {
    const body = Buffer.from(JSON.stringify({ email: 'b64@example.com' })).toString('base64');
    const res = await post('ACME', body, {
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('carries the request id in a header and in its log line, and logs no personal data', async () => {
    log.lines.length = 0;
    const event = httpEvent({
      path: '/v4/organisations/ACME/purchasers',
      pathParameters: { trkref: 'ACME' },
      body: { email: 'private.person@example.com', first_name: 'Privateperson' },
    });
    const res = await invoke(handler, event);
    expect(res.headers['x-request-id']).toBe(event.requestContext.requestId);
    const lines = log.lines.map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'request',
        request_id: event.requestContext.requestId,
        status: 201,
        route: 'CreatePurchaser',
      }),
    );
    expect(log.lines.join('\n')).not.toMatch(/private|Privateperson/i);
  });
});

describe('errors', () => {
  const problem = (res: TestResponse, status: number) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const body = assertContract(problemResponse, res.json);
    expect(body.status).toBe(status);
    // Reevoo clients read `message`.
    expect((body as { message?: string }).message).toBe(body.detail);
    return body;
  };

  it('malformed JSON is 400', async () => {
    problem(await post('ACME', '{"email": "a@b.co",'), 400);
    problem(await post('ACME', ''), 400);
    problem(await post('ACME', undefined), 400);
  });

  it('a reserved key is 400', async () => {
    problem(await post('ACME', '{"email":"a@b.co","__proto__":{"x":1}}'), 400);
  });

  it('a body that is not JSON by content type is 415', async () => {
    problem(await post('ACME', { email: 'a@b.co' }, { headers: { 'content-type': 'text/plain' } }), 415);
    problem(
      await post('ACME', 'email=a@b.co', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
    );
  });

  it('a body over 256 KB is 413, before it is parsed', async () => {
    const big = JSON.stringify({ email: 'a@b.co', title: 'x'.repeat(256 * 1024) });
    const body = problem(await post('ACME', big), 413);
    expect(body.limit_bytes).toBe(262144);
  });

  it('schema violations are 422 naming every bad field', async () => {
    const body = problem(await post('ACME', { email: 'nope', country: 'Narnia', purchases: [{ sku: '' }] }), 422);
    expect(body.errors!.map((e) => e.pointer)).toEqual([
      '/email',
      '/country',
      '/purchases/0/order_ref',
      '/purchases/0/sku',
    ]);
  });

  it('a body that is not an object is 422 at the root', async () => {
    const body = problem(await post('ACME', [{ email: 'a@b.co' }]), 422);
    expect(body.errors).toEqual([{ pointer: '', detail: 'must be a JSON object' }]);
  });

  it.each(['AC ME', 'AC#ME', 'x'.repeat(65), 'ACME/../OTHER', ''])(
    'trkref %j is 404 and writes nothing',
    async (trkref) => {
      const body = problem(await post(trkref, { email: 'tenant@example.com' }), 404);
      expect(body.detail).toMatch(/trkref/);
      const { Items } = await t.store.doc.send(
        new ScanCommand({
          TableName: t.tableName,
          FilterExpression: 'email = :e',
          ExpressionAttributeValues: { ':e': 'tenant@example.com' },
        }),
      );
      expect(Items).toEqual([]);
    },
  );
});
