// Each route row lists the table actions its handler uses, and the stack grants exactly those.
// Here the handlers run their typical and edge paths while every command they send is recorded:
// what they use must equal what their row declares (more would fail in AWS, less is excess).

import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestRow } from '../../contract/events.ts';
import { routes, tableAccessOf } from '../../contract/routes.ts';
import { createIngester } from '../../functions/events/ingester.ts';
import { newPurchaserId } from '../../functions/purchasers/purchasers.ts';
import { newReviewToken } from '../../functions/purchasers/review-links.ts';
import { eventBridgeEvent, sqsBatch } from '../../local/events.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke } from '../support/events.ts';
import { injectFault, recordCommands } from '../support/faults.ts';
import {
  commerceLayerCustomerHandler,
  commerceLayerRoutesHandlers,
  customerHandler,
  kohortPayCustomerHandler,
  kohortPayRoutesHandlers,
  purchaserHandler,
  silentLog,
} from '../support/handlers.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('privilege');
});

const withKey = <E extends { headers: Record<string, string | undefined> }>(event: E, key: string) => {
  event.headers['idempotency-key'] = key;
  return event;
};
/** Makes the next matching command fail as if throttled. */
function failNext(store: ReturnType<TestTable['newStore']>, command: string, entity?: string) {
  let armed = true;
  injectFault(store, (name, input) => {
    if (!armed || name !== command || (entity && input.Item?.entity !== entity)) return undefined;
    armed = false;
    return { error: new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }) };
  });
}

/** Every action the function of route `name` is granted (its own, and reading keys if it authenticates). */
const declared = (name: string) =>
  new Set(tableAccessOf(routes.find((route) => route.name === name)!).flatMap((access) => access.tableActions));
const asActions = (commands: Set<string>) =>
  new Set([...commands].map((command) => `dynamodb:${command.replace(/Command$/, '')}`));

describe('table actions used equal the route table', () => {
  it('CreatePurchaser', async () => {
    const store = t.newStore();
    const used = recordCommands(store);
    const handler = purchaserHandler(store);
    const event = (body: unknown) =>
      httpEvent({ path: '/v4/organisations/ACME/purchasers', pathParameters: { trkref: 'ACME' }, body });
    await invoke(handler, event({ email: 'p@example.com', purchases: [{ order_ref: 'A', sku: 'B' }] }));
    await invoke(
      handler,
      event({
        email: 'p@example.com',
        first_name: 'P',
        purchases: [{ order_ref: 'A', sku: 'B', purchase_date: '2025-01-01' }],
      }),
    );
    await invoke(handler, event({ email: 'q@example.com' }));
    // With an Idempotency-Key: the claim, the record of the answer, and the release after a failure.
    await invoke(handler, withKey(event({ email: 'r@example.com' }), 'k1'));
    failNext(store, 'BatchGetItemCommand');
    await invoke(handler, withKey(event({ email: 's@example.com', purchases: [{ order_ref: 'X', sku: 'Y' }] }), 'k2'));
    expect(asActions(used)).toEqual(declared('CreatePurchaser'));
  });

  it('CreateCustomer', async () => {
    const store = t.newStore();
    const used = recordCommands(store);
    const handler = customerHandler(store);
    const event = (body: unknown) => httpEvent({ path: '/customers', body });
    expect(
      (await invoke(handler, event({ corporation_id: 'c', name: 'Cust One', email: 'c@example.com' }))).statusCode,
    ).toBe(201);
    expect(
      (await invoke(handler, event({ corporation_id: 'c', name: 'Cust Two', email: 'c@example.com' }))).statusCode,
    ).toBe(409);
    expect((await invoke(handler, event({ corporation_id: 'c', name: 'No Email' }))).statusCode).toBe(201);
    expect((await invoke(handler, withKey(event({ corporation_id: 'c', name: 'Keyed' }), 'c1'))).statusCode).toBe(201);
    failNext(store, 'PutItemCommand', 'customer');
    expect((await invoke(handler, withKey(event({ corporation_id: 'c', name: 'Failing' }), 'c2'))).statusCode).toBe(
      503,
    );
    expect(asActions(used)).toEqual(declared('CreateCustomer'));
  });

  it('Fallback uses no table action', () => {
    expect(declared('Fallback').size).toBe(0);
  });

  it('Ingest', async () => {
    const store = t.newStore();
    const used = recordCommands(store);
    const handler = createIngester({
      store,
      log: silentLog,
      now: () => new Date(),
      newReviewToken,
      newPurchaserId,
    });
    const order = { trkref: 'ACME', order_ref: 'O1', customer: { email: 'i@example.com' }, lines: [{ sku: 'S' }] };
    const review = (type: string, extra = {}) =>
      eventBridgeEvent(type, {
        trkref: 'ACME',
        email: 'i@example.com',
        order_ref: 'O1',
        sku: 'S',
        occurred_at: '2026-11-22T09:00:00Z',
        ...extra,
      });
    const batch = sqsBatch([
      eventBridgeEvent('order.placed', order),
      review('review.invitation_sent'),
      review('review.submitted'),
      review('review.published', { review_url: 'https://r.example.com/1' }),
    ]);
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(asActions(used)).toEqual(new Set(ingestRow.tableActions));
  });
});

describe('table actions used equal the route table, dialect routes', () => {
  const dialects = [
    {
      name: 'KohortPay',
      base: '/compat/kohortpay/customers',
      routes: kohortPayRoutesHandlers,
      create: kohortPayCustomerHandler,
      id: (created: { id: string }) => created.id,
      createBody: (email: string) => ({ emailAddress: email }),
      patchBody: (_id: string, email: string) => ({ emailAddress: email }),
      contentType: 'application/json',
      listQuery: (email: string) => ({ take: '5', skip: '1', search: email }),
    },
    {
      name: 'CommerceLayer',
      base: '/compat/commercelayer/api/customers',
      routes: commerceLayerRoutesHandlers,
      create: commerceLayerCustomerHandler,
      id: (created: { data: { id: string } }) => created.data.id,
      createBody: (email: string) => ({ data: { type: 'customers', attributes: { email } } }),
      patchBody: (id: string, email: string) => ({ data: { type: 'customers', id, attributes: { email } } }),
      contentType: 'application/vnd.api+json',
      listQuery: (email: string) => ({ 'page[size]': '5', 'filter[q][email_eq]': email }),
    },
  ] as const;

  it.each(dialects)('$name: read, list, update and delete', async (dialect) => {
    const store = t.newStore();
    const org = `lp-${dialect.name.toLowerCase()}`;
    const request = (method: string, path: string, body?: unknown, query?: Record<string, string>) => {
      const event = httpEvent({
        method,
        path,
        headers: { 'content-type': dialect.contentType, 'x-organisation-id': org },
        principal: { keyId: 'key_000000000000000000000000', orgs: [org], platform: null, mode: 'live' },
        ...(body === undefined ? {} : { body }),
      });
      const id = path.slice(dialect.base.length + 1);
      // The same event object: the test key is attached to it.
      if (id) event.pathParameters = { id };
      if (query) event.queryStringParameters = query;
      return event;
    };
    const create = dialect.create(t.store);
    const created = await invoke(create, request('POST', dialect.base, dialect.createBody(`one@${org}.com`)));
    expect(created.statusCode).toBe(201);
    const id = dialect.id(created.json as never);
    const used = recordCommands(store);
    const { read, list, update, erase } = dialect.routes(store);
    const at = `${dialect.base}/${id}`;

    expect((await invoke(read, request('GET', at))).statusCode).toBe(200);
    expect(asActions(used)).toEqual(declared(`${dialect.name}GetCustomer`));
    used.clear();
    expect((await invoke(list, request('GET', dialect.base))).statusCode).toBe(200);
    expect(
      (await invoke(list, request('GET', dialect.base, undefined, dialect.listQuery(`one@${org}.com`)))).statusCode,
    ).toBe(200);
    expect(asActions(used)).toEqual(declared(`${dialect.name}ListCustomers`));
    used.clear();
    const patch = withKey(request('PATCH', at, dialect.patchBody(id, `two@${org}.com`)), `lp-${org}`);
    expect((await invoke(update, patch)).statusCode).toBe(200);
    expect((await invoke(update, request('PATCH', at, dialect.patchBody(id, `two@${org}.com`)))).statusCode).toBe(200);
    expect(asActions(used)).toEqual(declared(`${dialect.name}UpdateCustomer`));
    used.clear();
    expect((await invoke(erase, request('DELETE', at))).statusCode).toBeLessThan(300);
    expect(asActions(used)).toEqual(declared(`${dialect.name}DeleteCustomer`));
  });
});
