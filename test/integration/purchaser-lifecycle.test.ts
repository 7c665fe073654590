// The purchaser routes after the create (Reevoo v4): GET, PUT, GET …/purchases and DELETE
// /v4/organisations/{trkref}/purchasers/{email}, through the real handlers (middy stack included)
// against DynamoDB Local, on a clock of the test's own. Erasure is checked against the table itself
// (a Scan of every item); the logs, the handlers' and the local server's access log, are read
// line by line for the email.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { lookupIndex } from '../../contract/table.ts';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { applyReviewEvent } from '../../functions/purchasers/review-lifecycle.ts';
import type { Item } from '../../functions/store/codec.ts';
import { purchaserKey, purchaserTombstoneKey, replaysPartition } from '../../functions/store/keys.ts';
import { type AccessLogEntry, loadHandlers, repositoryRoot, startLocalServer } from '../../local/server.ts';
import {
  assertContract,
  problemResponse,
  purchaserReadResponse,
  purchaserResponse,
  purchasesPageResponse,
} from '../support/contract.ts';
import { createTestTable, dynamoEndpoint, type TestTable } from '../support/dynamo.ts';
import { emfOf } from '../support/emf.ts';
import { type EventInit, httpEvent, invoke, partner, type TestResponse } from '../support/events.ts';
import { holdCommand, injectFault } from '../support/faults.ts';
import { capturingLog, customerHandler, purchaserRoutesHandlers, testCursors } from '../support/handlers.ts';

const ORG = 'ACME';
let t: TestTable;
let routes: ReturnType<typeof purchaserRoutesHandlers>;
const log = capturingLog();
/** The handlers' clock: each registration a second after the last, so "newest first" is by time. */
let clock = Date.parse('2026-03-01T10:00:00Z');
const now = () => {
  clock += 1000;
  return new Date(clock);
};

beforeAll(async () => {
  t = await createTestTable('purchaser-lifecycle');
  routes = purchaserRoutesHandlers(t.store, log, now);
});

let n = 0;
const unique = (name = 'buyer') => `${name}.${Date.now().toString(36)}.${++n}@example.com`;

type Handler = (typeof routes)[keyof typeof routes];
interface Call extends Partial<EventInit> {
  readonly query?: Record<string, string>;
}

/** A request on the purchaser `email` of `trkref` (the path as a client writes it, encoded). */
function call(handler: Handler, method: string, email: string, init: Call = {}, trkref = ORG) {
  const { query, ...rest } = init;
  const list = handler === routes.list;
  const event = httpEvent({
    method,
    path: `/v4/organisations/${trkref}/purchasers/${encodeURIComponent(email)}${list ? '/purchases' : ''}`,
    pathParameters: { trkref, email },
    ...rest,
  });
  if (query) event.queryStringParameters = query;
  return invoke(handler, event);
}

const create = (body: Record<string, unknown>, init: Partial<EventInit> = {}, trkref = ORG) =>
  invoke(
    routes.create,
    httpEvent({ path: `/v4/organisations/${trkref}/purchasers`, pathParameters: { trkref }, body, ...init }),
  );
const read = (email: string, init: Call = {}, trkref = ORG) => call(routes.read, 'GET', email, init, trkref);
const update = (email: string, body: unknown, init: Call = {}, trkref = ORG) =>
  call(routes.update, 'PUT', email, { body, ...init }, trkref);
const list = (email: string, query: Record<string, string> = {}, init: Call = {}, trkref = ORG) =>
  call(routes.list, 'GET', email, { query, ...init }, trkref);
const erase = (email: string, init: Call = {}, trkref = ORG) => call(routes.erase, 'DELETE', email, init, trkref);

/** A purchaser registered with `purchases` (order refs, sku `S`), one request each, a second apart. */
async function registered(email: string, ...purchases: string[]) {
  const res = await create({ email, first_name: 'Jane', surname: 'Buyer', postcode: 'LS1 4AP' });
  expect(res.statusCode).toBe(201);
  for (const order_ref of purchases) await create({ email, purchases: [{ order_ref, sku: 'S' }] });
  return res.json;
}

const expectProblem = (res: TestResponse, status: number, type: string) => {
  expect(res.statusCode, res.body).toBe(status);
  const body = assertContract(problemResponse, res.json);
  expect(body.type).toBe(`/problems/${type}`);
  // Reevoo clients read `message`.
  expect(res.json.message).toBe(body.detail);
  return body;
};

const scan = async (): Promise<Item[]> => {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await t.store.doc.send(new ScanCommand({ TableName: t.tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};
/** The stored items whose text holds `needle`, anywhere. */
const holding = async (needle: string) => (await scan()).filter((item) => JSON.stringify(item).includes(needle));

const purchaserIdOf = async (email: string) => {
  const [item] = (await scan()).filter((i) => i.pk === purchaserKey(ORG, email).pk && i.sk === 'PURCHASER');
  return String(item?.id);
};

describe('GET /purchasers/{email}', () => {
  it('answers the purchaser and all its purchases, newest first, in the create shapes with the same links', async () => {
    const email = unique();
    await registered(email, 'O1');
    const second = await create({
      email,
      purchases: [
        { order_ref: 'O3', sku: 'B' },
        { order_ref: 'O2', sku: 'A' },
      ],
    });
    const res = await read(email);
    expect(res.statusCode).toBe(200);
    const body = assertContract(purchaserResponse, res.json);
    expect(body).toMatchObject({ email, first_name: 'Jane', surname: 'Buyer', postcode: 'LS1 4AP', title: null });
    // O2 and O3 came in one request (same second): by order_ref, then sku.
    expect(body.purchases.map((p) => p.order_ref)).toEqual(['O2', 'O3', 'O1']);
    expect(body.purchases.slice(0, 2)).toEqual([second.json.purchases[1], second.json.purchases[0]]);
    expect(body.purchases.every((p) => p.review_state === 'not_reviewed')).toBe(true);
  });

  it('finds the purchaser whatever the case and spelling of the email in the path', async () => {
    const email = unique();
    await registered(email);
    const res = await read(` ${email.toUpperCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json.email).toBe(email);
  });

  it('shows a published review, and a purchase only review events know as pending_order without a link', async () => {
    const email = unique();
    await registered(email, 'PUB');
    const review = { trkref: ORG, email, sku: 'S', occurred_at: new Date('2026-03-02T00:00:00Z') };
    await applyReviewEvent(t.store, {
      ...review,
      type: 'review.published',
      order_ref: 'PUB',
      review_url: 'https://reviews.test/r/1',
    });
    await applyReviewEvent(t.store, { ...review, type: 'review.submitted', order_ref: 'EARLY' });
    const res = await read(email);
    const body = assertContract(purchaserReadResponse, res.json);
    expect(body.purchases).toEqual([
      { order_ref: 'PUB', sku: 'S', review_state: 'published', review_url: 'https://reviews.test/r/1' },
      // Not registered yet: after every registered purchase.
      { order_ref: 'EARLY', sku: 'S', review_state: 'pending_order' },
    ]);
  });

  it('is 404 for an unknown purchaser, for an address that is none, and leaves out a customer of the same email', async () => {
    expectProblem(await read(unique()), 404, 'not-found');
    const malformed = expectProblem(await read('not-an-email'), 404, 'not-found');
    expect(malformed.detail).toBe('The path parameter email must be a valid email address.');
    // A customer of the organisation with this email lives in the same partition: not a purchaser.
    const email = unique();
    const customer = await invoke(
      customerHandler(t.store),
      httpEvent({ path: '/customers', body: { corporation_id: ORG, name: 'Jane Customer', email } }),
    );
    expect(customer.statusCode).toBe(201);
    expectProblem(await read(email), 404, 'not-found');
    await registered(email, 'C1');
    expect((await read(email)).json.purchases.map((p: { order_ref: string }) => p.order_ref)).toEqual(['C1']);
  });

  it('is 403 for an organisation outside the key', async () => {
    const res = await read(unique(), { principal: partner(['OTHER']) });
    expectProblem(res, 403, 'forbidden-organisation');
  });
});

describe('PUT /purchasers/{email}', () => {
  it('updates the fields sent (null clears, absent keeps), adds the purchases sent, and answers 200 in the create shape', async () => {
    const email = unique();
    const created = await registered(email, 'O1');
    const res = await update(email, {
      title: 'Dr',
      surname: null,
      purchases: [{ order_ref: 'O2', sku: 'S', purchase_date: '2026-02-27' }],
    });
    expect(res.statusCode).toBe(200);
    const body = assertContract(purchaserResponse, res.json);
    expect(body).toMatchObject({
      email,
      title: 'Dr',
      first_name: 'Jane',
      surname: null,
      postcode: 'LS1 4AP',
      created_at: created.created_at,
    });
    // The purchases of this request, as a create answers them.
    expect(body.purchases).toEqual([
      expect.objectContaining({ order_ref: 'O2', purchase_date: '2026-02-27', review_state: 'not_reviewed' }),
    ]);
    expect((await read(email)).json.purchases.map((p: { order_ref: string }) => p.order_ref)).toEqual(['O2', 'O1']);
  });

  it('the path names the purchaser: a body email is checked as on create, and another address changes nothing', async () => {
    const email = unique();
    const other = unique('other');
    await registered(email);
    const res = await update(email.toUpperCase(), { email: other, first_name: 'Janet' });
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ email, first_name: 'Janet' });
    expectProblem(await read(other), 404, 'not-found');
    const invalid = expectProblem(await update(email, { email: 'nope', country: 'XYZ' }), 422, 'validation-failed');
    expect(invalid.errors?.map((e) => e.pointer).sort()).toEqual(['/country', '/email']);
  });

  it('is 404 for a purchaser that does not exist, and writes nothing (POST creates)', async () => {
    const email = unique();
    expectProblem(
      await update(email, { first_name: 'Nobody', purchases: [{ order_ref: 'X', sku: 'Y' }] }),
      404,
      'not-found',
    );
    expect(await holding(email)).toEqual([]);
    expect((await create({ email })).statusCode).toBe(201);
  });

  it('honours Idempotency-Key: a retry is the first answer again, filed under the purchaser', async () => {
    const email = unique();
    await registered(email);
    const init = { headers: { 'idempotency-key': `put-${email}` } };
    const first = await update(email, { title: 'Mx', purchases: [{ order_ref: 'K1', sku: 'S' }] }, init);
    const again = await update(email, { title: 'Mx', purchases: [{ order_ref: 'K1', sku: 'S' }] }, init);
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    const filed = (await scan()).filter(
      (item) => item.entity === 'idempotency' && JSON.stringify(item).includes(email),
    );
    expect(filed).toHaveLength(1);
    expect(filed[0]![lookupIndex.partitionKey]).toBe(replaysPartition(ORG, await purchaserIdOf(email)));
  });
});

describe('GET /purchasers/{email}/purchases', () => {
  it('pages newest first with an opaque cursor: 25 by default, each purchase once, next_cursor null at the end', async () => {
    const email = unique();
    await registered(email);
    const refs = Array.from({ length: 30 }, (_, i) => `R${String(i).padStart(2, '0')}`);
    for (const order_ref of refs) await create({ email, purchases: [{ order_ref, sku: 'S' }] });
    const first = assertContract(purchasesPageResponse, (await list(email)).json);
    expect(first.purchases).toHaveLength(25);
    const rest = assertContract(purchasesPageResponse, (await list(email, { cursor: first.next_cursor! })).json);
    expect(rest.next_cursor).toBeNull();
    expect([...first.purchases, ...rest.purchases].map((p) => p.order_ref)).toEqual([...refs].reverse());
    // The same answer as the read's, purchase for purchase.
    expect([...first.purchases, ...rest.purchases]).toEqual((await read(email)).json.purchases);
  });

  it('a purchase registered between pages is not on the later pages; every earlier one is, once', async () => {
    const email = unique();
    await registered(email, 'A', 'B', 'C', 'D', 'E');
    const seen: string[] = [];
    let cursor: string | null = null;
    let added = 0;
    do {
      const page: { purchases: { order_ref: string }[]; next_cursor: string | null } = assertContract(
        purchasesPageResponse,
        (await list(email, { limit: '2', ...(cursor ? { cursor } : {}) })).json,
      );
      seen.push(...page.purchases.map((p) => p.order_ref));
      cursor = page.next_cursor;
      await create({ email, purchases: [{ order_ref: `NEW${++added}`, sku: 'S' }] });
    } while (cursor);
    expect(seen).toEqual(['E', 'D', 'C', 'B', 'A']);
  });

  it('a cursor pages only the purchaser and organisation it was issued for; a forged or altered one is 400', async () => {
    const email = unique();
    const other = unique('other');
    await registered(email, 'A', 'B');
    await registered(other, 'C', 'D');
    const { next_cursor } = (await list(email, { limit: '1' })).json;
    expect(next_cursor).toEqual(expect.any(String));
    expect(JSON.stringify(next_cursor)).not.toContain(email);
    expectProblem(await list(other, { cursor: next_cursor }), 400, 'invalid-cursor');
    const both = { principal: partner([ORG, 'ORG_B']) };
    expectProblem(await list(email, { cursor: next_cursor }, both, 'ORG_B'), 400, 'invalid-cursor');
    const [payload, signature] = next_cursor.split('.');
    expectProblem(await list(email, { cursor: `${payload}x.${signature}` }), 400, 'invalid-cursor');
    // Signed for this purchaser, but by the customer list's route: still not this list's.
    const foreign = testCursors.seal(JSON.stringify([ORG, 'ListCustomers', []]), JSON.parse(atob(payload!)).p);
    expectProblem(await list(email, { cursor: foreign }), 400, 'invalid-cursor');
    expect(
      (await list(email, { cursor: next_cursor })).json.purchases.map((p: { order_ref: string }) => p.order_ref),
    ).toEqual(['A']);
  });

  it('takes limit 1 to 100 and cursor, nothing else (400 naming the parameter); 404 for an unknown purchaser', async () => {
    const email = unique();
    await registered(email, 'A');
    for (const limit of ['0', '101', 'x', '2.5', '']) {
      const problem = expectProblem(await list(email, { limit }), 400, 'invalid-query');
      expect(problem.parameter).toBe('limit');
    }
    expect(expectProblem(await list(email, { sort: 'asc' }), 400, 'invalid-query').parameter).toBe('sort');
    expect((await list(email, { limit: '100' })).json.purchases).toHaveLength(1);
    expectProblem(await list(unique()), 404, 'not-found');
  });
});

describe('DELETE /purchasers/{email} (erasure)', () => {
  it('leaves no trace: 204, reads 404, the email nowhere in the table, answers and links gone, a tombstone without personal data', async () => {
    const email = unique('erase.me');
    const created = await create(
      {
        email,
        title: 'Ms',
        first_name: 'Erasable',
        surname: 'Personname',
        postcode: 'ZZ9 9ZZ',
        purchases: [
          { order_ref: 'E1', sku: 'S' },
          { order_ref: 'E2', sku: 'S' },
        ],
      },
      { headers: { 'idempotency-key': `create-${email}` } },
    );
    expect(created.statusCode).toBe(201);
    const put = await update(
      email,
      { first_name: 'Erasabel', purchases: [{ order_ref: 'E3', sku: 'S' }] },
      { headers: { 'idempotency-key': `put-${email}` } },
    );
    expect(put.statusCode).toBe(200);
    // A customer of the same email in the organisation: another resource, untouched.
    await invoke(
      customerHandler(t.store),
      httpEvent({ path: '/customers', body: { corporation_id: ORG, name: 'Kept Customer', email } }),
    );
    const id = await purchaserIdOf(email);
    const tokens = [...created.json.purchases, ...put.json.purchases].map(
      (p: { review_url: string }) => p.review_url.split('/').at(-1)!.split('.')[0]!,
    );
    expect(tokens).toHaveLength(3);
    // In its purchase, and in the stored answer of the create.
    expect((await holding(tokens[0]!)).map((item) => item.entity).sort()).toEqual(['idempotency', 'purchase']);

    const res = await erase(email);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    expectProblem(await read(email), 404, 'not-found');
    expectProblem(await list(email), 404, 'not-found');
    expectProblem(await update(email, { title: 'Ms' }), 404, 'not-found');
    expectProblem(await erase(email), 404, 'not-found');
    // The email is in the customer's items only, and the names, postcode and tokens nowhere.
    expect(new Set((await holding(email)).map((item) => item.entity))).toEqual(new Set(['customer', 'customer-ref']));
    for (const needle of ['Erasable', 'Erasabel', 'Personname', 'ZZ9 9ZZ', ...tokens]) {
      expect(await holding(needle), needle).toEqual([]);
    }
    // Stored answers filed under the purchaser are gone.
    const filed = (await scan()).filter((item) => item[lookupIndex.partitionKey] === replaysPartition(ORG, id));
    expect(filed).toEqual([]);
    const [tombstone] = (await scan()).filter((item) => item.pk === purchaserTombstoneKey(ORG, id).pk);
    expect(tombstone).toEqual({
      ...purchaserTombstoneKey(ORG, id),
      entity: 'purchaser-erased',
      id,
      trkref: ORG,
      created_at: created.json.created_at,
      erased_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      purchases: 3,
    });

    // The email may be registered again: a new purchaser, a new id, nothing of the old one.
    const again = await create({ email, purchases: [{ order_ref: 'E1', sku: 'S' }] });
    expect(again.statusCode).toBe(201);
    expect(again.json).toMatchObject({ first_name: null, surname: null, title: null });
    expect(await purchaserIdOf(email)).not.toBe(id);
    expect((await read(email)).json.purchases.map((p: { order_ref: string }) => p.order_ref)).toEqual(['E1']);
  });

  it('erases purchases beyond one batch, and sends again what a batch leaves unprocessed', async () => {
    const email = unique();
    await create({
      email,
      purchases: Array.from({ length: 100 }, (_, i) => ({ order_ref: `B${i}`, sku: 'S' })),
    });
    await create({ email, purchases: Array.from({ length: 30 }, (_, i) => ({ order_ref: `C${i}`, sku: 'S' })) });
    const store = t.newStore();
    const batches: number[] = [];
    // A full batch is carried out but for its last five items, which come back unprocessed.
    store.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const input = args.input as { RequestItems: Record<string, unknown[]> };
        const requests = input.RequestItems[t.tableName] ?? [];
        batches.push(requests.length);
        if (requests.length < 25) return next(args);
        const result = await next({ ...args, input: { RequestItems: { [t.tableName]: requests.slice(0, 20) } } });
        return { ...result, output: { ...result.output, UnprocessedItems: { [t.tableName]: requests.slice(20) } } };
      },
      { step: 'initialize', name: 'testUnprocessed' },
    );
    const routesOnFaults = purchaserRoutesHandlers(store, log, now);
    expect((await call(routesOnFaults.erase, 'DELETE', email)).statusCode).toBe(204);
    // 130 purchases: five full batches and one of five, then the five batches' leftovers again.
    expect(batches.sort((a, b) => b - a)).toEqual([25, 25, 25, 25, 25, 5, 5, 5, 5, 5, 5]);
    expect(await holding(email)).toEqual([]);
    const [tombstone] = (await scan()).filter((item) => item.entity === 'purchaser-erased' && item.purchases === 130);
    expect(tombstone).toBeDefined();
  });

  it('is safe to repeat after a partial failure: the purchaser stays readable until the erasure completes', async () => {
    const email = unique();
    await registered(email, 'P1', 'P2');
    const store = t.newStore();
    let failing: string | undefined = 'BatchWriteItemCommand';
    injectFault(store, (command) =>
      command === failing
        ? { error: new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }) }
        : undefined,
    );
    const faulty = purchaserRoutesHandlers(store, log, now);
    expectProblem(await call(faulty.erase, 'DELETE', email), 503, 'service-unavailable');
    expect((await read(email)).statusCode).toBe(200);
    failing = 'TransactWriteItemsCommand';
    expectProblem(await call(faulty.erase, 'DELETE', email), 503, 'service-unavailable');
    // Its purchases are gone by now, the purchaser not: the repeat finds it and finishes.
    expect((await read(email)).json.purchases).toEqual([]);
    failing = undefined;
    expect((await call(faulty.erase, 'DELETE', email)).statusCode).toBe(204);
    expect(await holding(email)).toEqual([]);
    expect((await scan()).filter((item) => item.entity === 'purchaser-erased' && item.created_at)).not.toHaveLength(0);
  });

  it('a purchase added while the erasure runs goes too', async () => {
    const email = unique();
    await registered(email, 'P1');
    const store = t.newStore();
    const hold = holdCommand(store, (command) => command === 'TransactWriteItemsCommand');
    const erasing = call(purchaserRoutesHandlers(store, log, now).erase, 'DELETE', email);
    await hold.held;
    expect((await create({ email, purchases: [{ order_ref: 'LATE', sku: 'S' }] })).statusCode).toBe(200);
    hold.release();
    expect((await erasing).statusCode).toBe(204);
    expect(await holding(email)).toEqual([]);
  });

  it('honours Idempotency-Key: a retry of an erasure is its 204 again', async () => {
    const email = unique();
    await registered(email);
    const init = { headers: { 'idempotency-key': `erase-${email}` } };
    expect((await erase(email, init)).statusCode).toBe(204);
    const again = await erase(email, init);
    expect(again.statusCode).toBe(204);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await holding(email)).toEqual([]);
  });
});

describe('the email in the path is never logged', () => {
  it('each request is one line naming its ids, the route template, organisation, key and outcome, never the email', async () => {
    const email = unique('never.logged');
    const unknown = unique('never.seen');
    log.lines.length = 0;
    await create({ email, first_name: 'Logless', purchases: [{ order_ref: 'L1', sku: 'S' }] });
    const answers = [
      (await read(email)).statusCode,
      (await update(email, { title: 'Dr' })).statusCode,
      (await list(email, { limit: '1' })).statusCode,
      (await list(email, { limit: 'many' })).statusCode,
      (await read(unknown)).statusCode,
      (await update(unknown, { title: 'Dr' })).statusCode,
      (await read(`${email}@`)).statusCode,
      (await erase(email)).statusCode,
      (await erase(email)).statusCode,
    ];
    expect(answers).toEqual([200, 200, 200, 400, 404, 404, 404, 204, 404]);
    // And a failure, logged as a warning whatever the level.
    const store = t.newStore();
    injectFault(store, () => ({
      error: new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    }));
    expect((await call(purchaserRoutesHandlers(store, log, now).read, 'GET', unknown)).statusCode).toBe(503);

    const lines = log.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => line.message === 'request');
    expect(requests).toHaveLength(answers.length + 2);
    expect(new Set(requests.map((line) => line.path))).toEqual(
      new Set([
        '/v4/organisations/{trkref}/purchasers',
        '/v4/organisations/{trkref}/purchasers/{email}',
        '/v4/organisations/{trkref}/purchasers/{email}/purchases',
      ]),
    );
    // One shape: the API's and Lambda's request ids, the cold start, the route, the caller, the answer.
    for (const line of requests) {
      expect(line).toMatchObject({
        level: 'info',
        request_id: expect.any(String),
        function_request_id: expect.any(String),
        cold_start: expect.any(Boolean),
        route: expect.stringMatching(/Purchaser|Purchases/),
        status: expect.any(Number),
      });
      expect(line.function_request_id).not.toBe(line.request_id);
    }
    // The caller's key, once authenticated (the faulted store fails the last request's key lookup),
    // and the organisation, once the path names a valid one (`${email}@` fails the path's check first).
    expect(requests.map((line) => typeof line.key_id === 'string' && /^key_[0-9a-f]{24}$/.test(line.key_id))).toEqual([
      ...Array(10).fill(true),
      false,
    ]);
    expect(requests.map((line) => line.organisation)).toEqual([...Array(7).fill(ORG), undefined, ORG, ORG, undefined]);
    expect(requests.map((line) => [line.status, line.outcome])).toEqual([
      [201, 'created'],
      [200, 'read'],
      [200, 'updated'],
      [200, 'read'],
      [400, 'validation_failed'],
      [404, 'not_found'],
      [404, 'not_found'],
      [404, 'not_found'],
      [204, 'erased'],
      [404, 'not_found'],
      [503, 'unavailable'],
    ]);
    // And each line counts its outcome, per route, as a metric (embedded metric format).
    expect(log.lines.filter((line) => line.includes('"message":"request"')).map((line) => emfOf(line))).toEqual(
      requests.map((line) => ({
        namespace: 'PurchaserRegistry',
        dimensions: { service: 'local', route: line.route },
        values: { [line.outcome as string]: 1 },
        units: { [line.outcome as string]: 'Count' },
        timestamp: expect.any(Number),
      })),
    );
    expect(lines.some((line) => line.level === 'warn')).toBe(true);
    const text = log.lines.join('\n');
    for (const address of [email, unknown]) {
      for (const spelling of [address, encodeURIComponent(address), address.split('@')[0]!]) {
        expect(text).not.toContain(spelling);
      }
    }
  });

  it("the local server's access log names the route, not the path", async () => {
    Object.assign(process.env, { TABLE_NAME: t.tableName, AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint() });
    const entries: AccessLogEntry[] = [];
    const server = await startLocalServer({
      handlers: await loadHandlers(repositoryRoot()),
      port: 0,
      accessLog: (entry) => entries.push(entry),
    });
    try {
      const { token } = await createApiKey(t.store, { orgs: [ORG] });
      const email = unique('access.log');
      const path = `/v4/organisations/${ORG}/purchasers/${encodeURIComponent(email)}`;
      const send = (method: string, suffix = '', body?: unknown) =>
        fetch(`${server.url}${path}${suffix}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }).then((res) => res.status);
      await create({ email, purchases: [{ order_ref: 'A', sku: 'S' }] });
      const statuses = [
        await send('GET'),
        await send('PUT', '', { title: 'Dr' }),
        await send('GET', '/purchases?limit=5'),
        await send('DELETE'),
        await send('GET'),
      ];
      expect(statuses).toEqual([200, 200, 200, 204, 404]);
      const route = '/v4/organisations/{trkref}/purchasers/{email}';
      expect(entries.map((entry) => `${entry.routeKey} ${entry.status}`)).toEqual([
        `GET ${route} 200`,
        `PUT ${route} 200`,
        `GET ${route}/purchases 200`,
        `DELETE ${route} 204`,
        `GET ${route} 404`,
      ]);
      expect(Object.keys(entries[0]!).sort()).toEqual(['latencyMs', 'method', 'requestId', 'routeKey', 'status']);
      expect(JSON.stringify(entries)).not.toContain(email.split('@')[0]);
    } finally {
      await server.close();
    }
  });
});
