// Each function row grants table actions on kinds of items (contract/routes.ts `grants`, the kinds
// and their partition key patterns in contract/table.ts `itemKinds`), and the stack makes each grant
// one IAM statement. Here the handlers run their typical and edge paths while every request they
// send is recorded with the partition keys IAM matches (`dynamodb:LeadingKeys`; for an index
// Query, the index partition it names). Each request must be allowed by one of its row's grants,
// evaluated as IAM evaluates that statement, and each action of each grant must be used on each
// kind it names: a request no grant allows fails in AWS, a grant no path uses is excess.

import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestRow, publisherRow } from '../../contract/events.ts';
import {
  authenticationAccess,
  checksCredentials,
  type FunctionRow,
  rateLimitAccess,
  routes,
  tableAccessOf,
} from '../../contract/routes.ts';
import { itemKinds, lookupIndex, registryTable } from '../../contract/table.ts';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { createAuthenticator, createKeyChecker } from '../../functions/auth/authenticator.ts';
import { createRateLimiter } from '../../functions/auth/rate-limit.ts';
import { createTokenSigner } from '../../functions/auth/tokens.ts';
import { commerceLayerTokenRoute } from '../../functions/commercelayer/api.ts';
import { getCustomerRoute } from '../../functions/customers/api.ts';
import type { Store } from '../../functions/store/client.ts';
import { eventBridgeEvent, localReviewHosts, sqsBatch } from '../../local/events.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { type EventInit, httpEvent, invoke, partner } from '../support/events.ts';
import { injectFault, writesEntity } from '../support/faults.ts';
import {
  commerceLayerCustomerHandler,
  commerceLayerRoutesHandlers,
  customerHandler,
  customerRoutesHandlers,
  ingestHandler,
  kohortPayCustomerHandler,
  kohortPayRoutesHandlers,
  purchaserHandler,
  purchaserRoutesHandlers,
  silentLog,
} from '../support/handlers.ts';
import { type Access, allows, stringLike } from '../support/iam.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('privilege');
});

let n = 0;
const unique = (name = 'lp') => `${name}.${Date.now().toString(36)}.${++n}@example.com`;
const rowNamed = (name: string): FunctionRow => routes.find((route) => route.name === name)!;

type Keyed = Readonly<Record<string, unknown>>;
interface Input {
  readonly Key?: Keyed;
  readonly Item?: Keyed;
  readonly RequestItems?: Readonly<Record<string, unknown>>;
  readonly TransactItems?: readonly Readonly<Record<string, { readonly Key?: Keyed; readonly Item?: Keyed }>>[];
  readonly IndexName?: string;
  readonly KeyConditionExpression?: string;
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>>;
  readonly ExpressionAttributeValues?: Keyed;
}

const partitionOf = (key: Keyed | undefined) => String(key?.[registryTable.partitionKey]);

/** IAM authorises each write of a transaction as its own action, with its own key. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** What IAM sees of one command (`GetItemCommand`, ...) and its (document) input. */
function accessesOf(command: string, input: Input): Access[] {
  const action = `dynamodb:${command.replace(/Command$/, '')}`;
  const perTable = <T>(shape: (requests: T) => string[]) =>
    Object.values(input.RequestItems ?? {}).map((requests) => ({ action, partitions: shape(requests as T) }));
  switch (command) {
    case 'GetItemCommand':
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [{ action, partitions: [partitionOf(input.Key)] }];
    case 'PutItemCommand':
      return [{ action, partitions: [partitionOf(input.Item)] }];
    case 'BatchGetItemCommand':
      return perTable<{ Keys: Keyed[] }>((requests) => requests.Keys.map(partitionOf));
    case 'BatchWriteItemCommand':
      return perTable<{ PutRequest?: { Item: Keyed }; DeleteRequest?: { Key: Keyed } }[]>((requests) =>
        requests.map((request) => partitionOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key)),
      );
    case 'TransactWriteItemsCommand':
      return (input.TransactItems ?? []).flatMap((write) =>
        Object.entries(write).map(([kind, target]) => ({
          action: TRANSACT_ACTIONS[kind] ?? kind,
          partitions: [partitionOf(target.Key ?? target.Item)],
        })),
      );
    case 'QueryCommand': {
      // The partition key's equality comes first in every key condition the store builds.
      const [, name = '', value = ''] = /^\s*(#\w+)\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '') ?? [];
      const index = input.IndexName;
      expect(input.ExpressionAttributeNames?.[name]).toBe(
        index === undefined ? registryTable.partitionKey : lookupIndex.partitionKey,
      );
      return [
        {
          action,
          ...(index === undefined ? {} : { index }),
          partitions: [String(input.ExpressionAttributeValues?.[value])],
        },
      ];
    }
    default:
      // No grant names it, so it fails the check below.
      return [{ action, partitions: [] }];
  }
}

/** Records every request sent through `store`, as IAM sees it. */
function recordAccesses(store: Store): Access[] {
  const accesses: Access[] = [];
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      accesses.push(...accessesOf(context.commandName ?? 'unknown', args.input as Input));
      return next(args);
    },
    { step: 'initialize', name: 'testAccessRecorder' },
  );
  return accesses;
}

const describeAccess = (access: Access) =>
  `${access.action}${access.index ? ` on ${access.index}` : ''} ${access.partitions.join(', ')}`;

/** Whether the stage sets a per-key rate limit (RATE_LIMIT): the grants then include counting calls. */
type Stage = Parameters<typeof tableAccessOf>[1];

/** Every request `row`'s function sent is allowed by one of its grants. */
function expectAllowed(row: FunctionRow, accesses: readonly Access[], stage?: Stage) {
  const grants = tableAccessOf(row, stage);
  const denied = accesses.filter((access) => !grants.some((grant) => allows(grant, access)));
  expect(denied.map(describeAccess), `${row.name}: requests no grant allows`).toEqual([]);
}

/** Every request is allowed, and every action of every grant was used on every kind of item it names. */
function expectLeastPrivilege(row: FunctionRow, accesses: readonly Access[], stage?: Stage) {
  expect(accesses.length, row.name).toBeGreaterThan(0);
  expectAllowed(row, accesses, stage);
  const unused = tableAccessOf(row, stage).flatMap((grant) =>
    grant.tableActions.flatMap((action) =>
      grant.items
        .filter(
          (item) =>
            !accesses.some(
              (access) =>
                access.action === action &&
                allows(grant, access) &&
                access.partitions.some((partition) => stringLike(itemKinds[item].partition, partition)),
            ),
        )
        .map((item) => `${action} on ${item}`),
    ),
  );
  expect(unused, `${row.name}: grants no path used`).toEqual([]);
}

const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

type Matcher = (command: string, input: Parameters<typeof writesEntity>[1]) => boolean;

/** Arms `store` to fail the next command a matcher accepts as if throttled (re-armed by each call). */
function throttling(store: Store): (matches: Matcher) => void {
  let armed: Matcher | undefined;
  injectFault(store, (command, input) => {
    if (!armed?.(command, input)) return undefined;
    armed = undefined;
    return { error: throttled() };
  });
  return (matches) => {
    armed = matches;
  };
}
const writingCustomer: Matcher = (command, input) => writesEntity(command, input, 'customer');

const withKey = <E extends { headers: Record<string, string | undefined> }>(event: E, key: string) => {
  event.headers['idempotency-key'] = key;
  return event;
};

describe('IAM as the evaluator: each request allowed by a grant of its row, each grant used', () => {
  it('CreatePurchaser', async () => {
    const store = t.newStore();
    const accesses = recordAccesses(store);
    const failNext = throttling(store);
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
    failNext((command) => command === 'BatchGetItemCommand');
    await invoke(handler, withKey(event({ email: 's@example.com', purchases: [{ order_ref: 'X', sku: 'Y' }] }), 'k2'));
    expectLeastPrivilege(rowNamed('CreatePurchaser'), accesses);
  });

  it.each([
    ['GetPurchaser', 'read', 'GET'],
    ['UpdatePurchaser', 'update', 'PUT'],
    ['ListPurchases', 'list', 'GET'],
    ['ErasePurchaser', 'erase', 'DELETE'],
  ] as const)('%s', async (name, route, method) => {
    const email = unique();
    const created = await invoke(
      purchaserHandler(t.store),
      withKey(
        httpEvent({
          path: '/v4/organisations/ACME/purchasers',
          pathParameters: { trkref: 'ACME' },
          body: { email, purchases: [{ order_ref: 'A', sku: 'S' }] },
        }),
        `k-${email}`,
      ),
    );
    expect(created.statusCode).toBe(201);
    const store = t.newStore();
    const accesses = recordAccesses(store);
    const failNext = throttling(store);
    const handler = purchaserRoutesHandlers(store)[route];
    const body = route === 'update' ? { title: 'Dr', purchases: [{ order_ref: 'B', sku: 'S' }] } : undefined;
    const call = (who: string, key?: string) =>
      invoke(
        handler,
        httpEvent({
          method,
          path: `/v4/organisations/ACME/purchasers/${encodeURIComponent(who)}${route === 'list' ? '/purchases' : ''}`,
          pathParameters: { trkref: 'ACME', email: who },
          body,
          headers: key ? { 'idempotency-key': key } : {},
        }),
      );
    // A retry record, and its release after a failure (the routes that honour Idempotency-Key).
    failNext((command) => command === (route === 'erase' ? 'BatchWriteItemCommand' : 'BatchGetItemCommand'));
    await call(email, `fail-${email}`);
    expect((await call(email, `ok-${email}`)).statusCode).toBeLessThan(300);
    await call(unique());
    expectLeastPrivilege(rowNamed(name), accesses);
  });

  it('CreateCustomer', async () => {
    const store = t.newStore();
    const accesses = recordAccesses(store);
    const failNext = throttling(store);
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
    failNext(writingCustomer);
    expect((await invoke(handler, withKey(event({ corporation_id: 'c', name: 'Failing' }), 'c2'))).statusCode).toBe(
      503,
    );
    expectLeastPrivilege(rowNamed('CreateCustomer'), accesses);
  });

  describe('native customer routes', () => {
    const org = 'lp_native';
    const event = (init: EventInit, query?: Record<string, string>) => {
      const built = httpEvent({ principal: partner([org]), ...init });
      if (query) built.queryStringParameters = query;
      return built;
    };
    const byId = (method: string, id: string, body?: unknown, headers: Record<string, string> = {}) =>
      event({ method, path: `/customers/${id}`, pathParameters: { id }, body, headers });
    const nobody = `cust_${'0'.repeat(32)}`;

    async function twoCustomers() {
      const make = (email: string | null) =>
        invoke(
          customerHandler(t.store),
          httpEvent({ path: '/customers', body: { corporation_id: org, name: 'Ac Tor', email } }),
        );
      const [withEmail, withoutEmail] = await Promise.all([make(unique()), make(null)]);
      return { withEmail: withEmail.json.data.id as string, withoutEmail: withoutEmail.json.data.id as string };
    }

    it('GetCustomer and ListCustomers', async () => {
      const { withEmail, withoutEmail } = await twoCustomers();
      const store = t.newStore();
      const accesses = recordAccesses(store);
      // Each route with handlers of its own, as each is a function of its own: its own key cache.
      const { read } = customerRoutesHandlers(store);
      const { list } = customerRoutesHandlers(store);
      expect((await invoke(read, byId('GET', withEmail))).statusCode).toBe(200);
      expect((await invoke(read, byId('GET', withoutEmail))).statusCode).toBe(200);
      expect((await invoke(read, byId('GET', nobody))).statusCode).toBe(404);
      expectLeastPrivilege(rowNamed('GetCustomer'), accesses.splice(0));

      const listing = (query: Record<string, string>) => event({ method: 'GET', path: '/customers' }, query);
      const first = await invoke(list, listing({ limit: '1' }));
      expect(first.statusCode).toBe(200);
      expect((await invoke(list, listing({ limit: '1', cursor: first.json.next_cursor }))).statusCode).toBe(200);
      expect((await invoke(list, listing({ email: 'nobody@example.com' }))).statusCode).toBe(200);
      expect((await invoke(list, listing({ external_id: 'x', source_platform: 'y' }))).statusCode).toBe(200);
      expectLeastPrivilege(rowNamed('ListCustomers'), accesses);
    });

    it('UpdateCustomer and EraseCustomer', async () => {
      const { withEmail, withoutEmail } = await twoCustomers();
      const store = t.newStore();
      const accesses = recordAccesses(store);
      const failNext = throttling(store);
      const { update } = customerRoutesHandlers(store);
      const { erase } = customerRoutesHandlers(store);
      // In place (with a stored answer filed under the customer), moved, given an email, cleared.
      const keyed = { 'idempotency-key': `lp-${withEmail}` };
      expect((await invoke(update, byId('PATCH', withEmail, { name: 'In Place' }, keyed))).statusCode).toBe(200);
      expect((await invoke(update, byId('PATCH', withEmail, { email: unique('moved') }))).statusCode).toBe(200);
      expect((await invoke(update, byId('PATCH', withoutEmail, { email: unique('given') }))).statusCode).toBe(200);
      expect((await invoke(update, byId('PATCH', withoutEmail, { email: null }))).statusCode).toBe(200);
      expect((await invoke(update, byId('PATCH', nobody, { name: 'Nobody' }))).statusCode).toBe(404);
      failNext(writingCustomer);
      expect(
        (await invoke(update, byId('PATCH', withEmail, { name: 'Failing' }, { 'idempotency-key': 'lp-f' }))).statusCode,
      ).toBe(503);
      expectLeastPrivilege(rowNamed('UpdateCustomer'), accesses.splice(0));

      const erasing = { 'idempotency-key': `lp-erase-${withEmail}` };
      expect((await invoke(erase, byId('DELETE', withEmail, undefined, erasing))).statusCode).toBe(204);
      expect((await invoke(erase, byId('DELETE', withoutEmail))).statusCode).toBe(204);
      expect((await invoke(erase, byId('DELETE', withoutEmail))).statusCode).toBe(404);
      expectLeastPrivilege(rowNamed('EraseCustomer'), accesses);
    });
  });

  it('Ingest', async () => {
    const store = t.newStore();
    const accesses = recordAccesses(store);
    const handler = ingestHandler(store);
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
      review('review.published', { review_url: `https://${localReviewHosts({})[0]}/1` }),
    ]);
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expectLeastPrivilege(ingestRow, accesses);
  });

  it('Fallback and Publisher have no table grant (the publisher reads the stream, not the table)', () => {
    expect(tableAccessOf(rowNamed('Fallback'))).toEqual([]);
    expect(tableAccessOf(publisherRow)).toEqual([]);
  });

  it('CommerceLayerToken: reads the key it is given, nothing else', async () => {
    const { key, secret } = await createApiKey(t.store, { orgs: ['lp_token'] });
    const store = t.newStore();
    const accesses = recordAccesses(store);
    const handler = commerceLayerTokenRoute({
      log: silentLog,
      checkKey: createKeyChecker({ store, ttlSeconds: 0 }),
      signer: createTokenSigner(process.env.TOKEN_SIGNING_SECRET!),
      now: () => new Date(),
    });
    const ask = (clientSecret: string) =>
      invoke(
        handler,
        httpEvent({
          path: '/compat/commercelayer/oauth/token',
          body: { grant_type: 'client_credentials', client_id: key.id, client_secret: clientSecret },
          principal: null,
        }),
      );
    expect((await ask(secret)).statusCode).toBe(200);
    expect((await ask(`${secret}x`)).statusCode).toBe(401);
    const row = rowNamed('CommerceLayerToken');
    expect(tableAccessOf(row)).toEqual([authenticationAccess]);
    expectLeastPrivilege(row, accesses);
  });

  it('with RATE_LIMIT: each call is counted, which the rate-limit grant allows, given to every function that checks credentials', async () => {
    const [{ key, secret }, customer] = await Promise.all([
      createApiKey(t.store, { orgs: ['lp_limited'] }),
      invoke(
        customerHandler(t.store),
        httpEvent({ path: '/customers', body: { corporation_id: 'lp_limited', name: 'Lim Ited', email: unique() } }),
      ),
    ]);
    const store = t.newStore();
    const accesses = recordAccesses(store);
    // One call an hour, on a clock that stands still: the second call is over the limit.
    const at = Date.now();
    const rateLimit = createRateLimiter({
      store,
      limit: { requests: 1, seconds: 3600 },
      log: silentLog,
      now: () => at,
    });
    const read = getCustomerRoute({
      store,
      log: silentLog,
      authenticate: createAuthenticator({ store, ttlSeconds: 60, rateLimit }),
    });
    const id = customer.json.data.id as string;
    const get = () =>
      invoke(
        read,
        httpEvent({
          method: 'GET',
          path: `/customers/${id}`,
          pathParameters: { id },
          headers: { authorization: `Bearer ${key.id}.${secret}` },
          principal: null,
        }),
      );
    expect((await get()).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(429);
    const limited = { rateLimited: true };
    expectLeastPrivilege(rowNamed('GetCustomer'), accesses, limited);
    // The same write from any function: allowed exactly to those that check credentials, and only
    // in a stage with a limit.
    const counted = accesses.filter((access) => allows(rateLimitAccess, access));
    expect(counted).toHaveLength(2);
    for (const row of [...routes, ingestRow, publisherRow]) {
      for (const access of counted) {
        expect(
          tableAccessOf(row, limited).some((grant) => allows(grant, access)),
          row.name,
        ).toBe(checksCredentials(row));
        expect(
          tableAccessOf(row).some((grant) => allows(grant, access)),
          row.name,
        ).toBe(false);
      }
    }
  });
});

describe('dialect routes', () => {
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

  it.each(dialects)('$name: create, read, list, update and delete', async (dialect) => {
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
    const accesses = recordAccesses(store);
    const failNext = throttling(store);
    const create = dialect.create(store);
    const created = await invoke(
      create,
      withKey(request('POST', dialect.base, dialect.createBody(`one@${org}.com`)), `lp-c-${org}`),
    );
    expect(created.statusCode).toBe(201);
    expect((await invoke(create, request('POST', dialect.base, dialect.createBody(`one@${org}.com`)))).statusCode).toBe(
      dialect.name === 'KohortPay' ? 409 : 422,
    );
    failNext(writingCustomer);
    const failing = withKey(request('POST', dialect.base, dialect.createBody(`two@${org}.com`)), `lp-f-${org}`);
    expect((await invoke(create, failing)).statusCode).toBe(503);
    expectLeastPrivilege(rowNamed(`${dialect.name}CreateCustomer`), accesses.splice(0));

    const id = dialect.id(created.json as never);
    // Each route with handlers of its own, as each is a function of its own: its own key cache.
    const { read } = dialect.routes(store);
    const { list } = dialect.routes(store);
    const { update } = dialect.routes(store);
    const { erase } = dialect.routes(store);
    const at = `${dialect.base}/${id}`;
    expect((await invoke(read, request('GET', at))).statusCode).toBe(200);
    expectLeastPrivilege(rowNamed(`${dialect.name}GetCustomer`), accesses.splice(0));

    expect((await invoke(list, request('GET', dialect.base))).statusCode).toBe(200);
    expect(
      (await invoke(list, request('GET', dialect.base, undefined, dialect.listQuery(`one@${org}.com`)))).statusCode,
    ).toBe(200);
    expectLeastPrivilege(rowNamed(`${dialect.name}ListCustomers`), accesses.splice(0));

    const patch = withKey(request('PATCH', at, dialect.patchBody(id, `two@${org}.com`)), `lp-${org}`);
    expect((await invoke(update, patch)).statusCode).toBe(200);
    expect((await invoke(update, request('PATCH', at, dialect.patchBody(id, `two@${org}.com`)))).statusCode).toBe(200);
    failNext(writingCustomer);
    const failingPatch = withKey(request('PATCH', at, dialect.patchBody(id, `three@${org}.com`)), `lp-fp-${org}`);
    expect((await invoke(update, failingPatch)).statusCode).toBe(503);
    expectLeastPrivilege(rowNamed(`${dialect.name}UpdateCustomer`), accesses.splice(0));

    expect((await invoke(erase, withKey(request('DELETE', at), `lp-e-${org}`))).statusCode).toBeLessThan(300);
    expectLeastPrivilege(rowNamed(`${dialect.name}DeleteCustomer`), accesses);
  });
});
