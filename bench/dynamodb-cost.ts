// What each request costs in DynamoDB, counted by an SDK middleware on the handler's own client:
//
//   calls        every command sent
//   round_trips  sequential waves: a call that starts while another is in flight joins its wave
//   wcu / rcu    ConsumedCapacity (TOTAL: table and indexes), asked for on every command
//   items        successful item writes (PutItem, UpdateItem, DeleteItem; each item of a
//                TransactWriteItems or BatchWriteItem)
//
// Two charges DynamoDB makes that DynamoDB Local does not report, added by the meter: a
// conditional write whose condition fails costs at least 1 WCU (no ConsumedCapacity comes with
// the error; for a cancelled transaction, 1 for each item whose condition failed), and reading a
// key that does not exist costs the minimum read (1 RCU strongly consistent, 0.5 eventually),
// which DynamoDB Local reports as 0.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { commerceLayerCreateCustomerRow, createPurchaserRow, kohortPayCreateCustomerRow } from '../contract/routes.ts';
import { createApiKey } from '../functions/auth/api-keys.ts';
import { createAuthenticator, createKeyChecker, createTokenAuthenticator } from '../functions/auth/authenticator.ts';
import { createTokenSigner } from '../functions/auth/tokens.ts';
import {
  commerceLayerCreateCustomerRoute,
  commerceLayerDeleteCustomerRoute,
  commerceLayerGetCustomerRoute,
  commerceLayerListCustomersRoute,
  commerceLayerTokenRoute,
  commerceLayerUpdateCustomerRoute,
} from '../functions/commercelayer/api.ts';
import {
  createCustomerRoute,
  eraseCustomerRoute,
  getCustomerRoute,
  listCustomersRoute,
  updateCustomerRoute,
} from '../functions/customers/api.ts';
import { newCustomerId } from '../functions/customers/customers.ts';
import { createCursorSigner } from '../functions/http/cursor.ts';
import {
  kohortPayCreateCustomerRoute,
  kohortPayDeleteCustomerRoute,
  kohortPayGetCustomerRoute,
  kohortPayListCustomersRoute,
  kohortPayUpdateCustomerRoute,
} from '../functions/kohortpay/api.ts';
import {
  createPurchaserRoute,
  erasePurchaserRoute,
  getPurchaserRoute,
  listPurchasesRoute,
  updatePurchaserRoute,
} from '../functions/purchasers/api.ts';
import { newPurchaserId } from '../functions/purchasers/purchasers.ts';
import { createReviewLinks, newReviewToken } from '../functions/purchasers/review-links.ts';
import { createLogger } from '../functions/runtime/logger.ts';
import type { Store } from '../functions/store/client.ts';
import { TOKEN_SIGNING_SECRET } from './harness.ts';
import { benchCustomer, benchPurchaser, inBatches } from './subjects.ts';

export interface Cost {
  round_trips: number;
  calls: number;
  wcu: number;
  rcu: number;
  items: number;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

/** How many items a successful write call wrote. */
function itemsWritten(name: string, input: Record<string, unknown>): number {
  if (name === 'TransactWriteItemsCommand') return (input.TransactItems as unknown[]).length;
  if (name === 'BatchWriteItemCommand') {
    return Object.values(input.RequestItems as Record<string, unknown[]>).reduce(
      (n, requests) => n + requests.length,
      0,
    );
  }
  return 1;
}

/** Instruments `store`'s client; `measure` returns what the calls made inside `work` cost. */
export function costMeter(store: Store) {
  let cost: Cost = { round_trips: 0, calls: 0, wcu: 0, rcu: 0, items: 0 };
  let inFlight = 0;
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      if (inFlight === 0) cost.round_trips++;
      inFlight++;
      cost.calls++;
      try {
        const result = await next(args);
        const output = result.output as {
          ConsumedCapacity?: unknown;
          Item?: unknown;
          Responses?: Record<string, unknown[]>;
        };
        for (const entry of [output.ConsumedCapacity].flat()) {
          const units = (entry as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
          if (WRITES.has(name)) cost.wcu += units;
          else cost.rcu += units;
        }
        if (WRITES.has(name)) cost.items += itemsWritten(name, input);
        cost.rcu += missingReads(name, input, output);
        return result;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) cost.wcu += 1;
        if (error instanceof TransactionCanceledException) {
          cost.wcu += (error.CancellationReasons ?? []).filter((r) => r.Code === 'ConditionalCheckFailed').length;
        }
        throw error;
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', name: 'benchCostMeter' },
  );
  return {
    async measure(work: () => Promise<unknown>): Promise<Cost> {
      cost = { round_trips: 0, calls: 0, wcu: 0, rcu: 0, items: 0 };
      await work();
      return { ...cost, wcu: round(cost.wcu), rcu: round(cost.rcu) };
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The minimum read charge for keys asked for and not found (see the top of this file). */
function missingReads(
  name: string,
  input: Record<string, unknown>,
  output: { Item?: unknown; Responses?: Record<string, unknown[]> },
) {
  if (name === 'GetItemCommand') return output.Item ? 0 : input.ConsistentRead ? 1 : 0.5;
  if (name !== 'BatchGetItemCommand') return 0;
  let missing = 0;
  for (const [table, request] of Object.entries(
    input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>,
  )) {
    const found = output.Responses?.[table]?.length ?? 0;
    missing += (request.Keys.length - found) * (request.ConsistentRead ? 1 : 0.5);
  }
  return missing;
}

type Handler = (e: never, c: never) => Promise<{ statusCode?: number; body?: string }>;
type Run = (name: string, handler: Handler, e: unknown) => Promise<Record<string, unknown>>;

/** What a request's event has besides its path and body. */
interface EventExtra {
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  method?: string;
  authorization?: string | null;
}

/** The cases of the report: each request run through the real handler on an instrumented store. */
export async function measureDynamoDbCosts(store: Store): Promise<Record<string, Cost & { status: number }>> {
  const meter = costMeter(store);
  const log = createLogger({ level: 'silent' });
  // A warm container's cache: the key was read by an earlier request (a cold one reads it once
  // more: one strongly consistent GetItem, 1 read unit).
  const { token, key } = await createApiKey(store, { orgs: ['ACME', 'corp_123', LIST_ORG], label: 'cost' });
  const authorization = `Bearer ${token}`;
  const authenticate = createAuthenticator({ store, ttlSeconds: 60 });
  await authenticate(authorization);
  // The same for the token endpoint's key checker and the access-token routes' authenticator.
  const signer = createTokenSigner(TOKEN_SIGNING_SECRET);
  const checkKey = createKeyChecker({ store, ttlSeconds: 60 });
  await checkKey({ keyId: key.id, secret: token.split('.')[1]! });
  const accessToken = signer.issue(
    { keyId: key.id, orgs: key.orgs, platform: key.platform, mode: key.mode },
    new Date(),
  );
  const authenticateToken = createTokenAuthenticator({ store, ttlSeconds: 60, signer });
  await authenticateToken(`Bearer ${accessToken.token}`);
  const purchaserDeps = {
    store,
    log,
    authenticate,
    reviewLinks: createReviewLinks({
      baseUrl: 'https://reviews.example.com',
      secret: 'bench-secret-bench-secret-bench-secret',
    }),
    now: () => new Date(),
    newReviewToken,
    newPurchaserId,
  };
  const purchaserHandler = createPurchaserRoute(purchaserDeps);
  const customerHandler = createCustomerRoute({ store, log, authenticate, now: () => new Date(), newCustomerId });
  const customerDeps = { store, log, authenticate, now: () => new Date(), newCustomerId };
  const tokenDeps = { ...customerDeps, authenticate: authenticateToken };
  const event = (path: string, body: unknown, extra: EventExtra = {}) => ({
    rawPath: path,
    ...(extra.query ? { queryStringParameters: extra.query } : {}),
    headers: {
      'content-type': 'application/json',
      ...(extra.authorization === null ? {} : { authorization: extra.authorization ?? authorization }),
      ...extra.headers,
    },
    ...(extra.pathParameters ? { pathParameters: extra.pathParameters } : {}),
    requestContext: {
      requestId: `cost-${Math.random()}`,
      domainName: 'bench.local',
      http: { method: extra.method ?? 'POST', path },
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  });
  const results: Record<string, Cost & { status: number }> = {};
  /** Runs one request through `handler` and records its cost; answers the response's body. */
  const run = async (name: string, handler: Handler, e: unknown) => {
    let answer: { statusCode?: number; body?: string } = {};
    const cost = await meter.measure(async () => {
      answer = await handler(e as never, { getRemainingTimeInMillis: () => 10_000 } as never);
    });
    results[name] = { ...cost, status: answer.statusCode ?? 0 };
    return answer.body ? (JSON.parse(answer.body) as { id?: string; data?: { id?: string } }) : {};
  };

  const customer = { corporation_id: 'corp_123', name: 'Cost Co', email: 'cost@example.com' };
  await run('customer_create', customerHandler, event('/customers', customer));
  await run('customer_duplicate', customerHandler, event('/customers', customer));
  await run(
    'customer_create_idempotent',
    customerHandler,
    event('/customers', { ...customer, email: 'cost-key@example.com' }, { headers: { 'idempotency-key': 'cost-1' } }),
  );
  await run(
    'customer_replay_idempotent',
    customerHandler,
    event('/customers', { ...customer, email: 'cost-key@example.com' }, { headers: { 'idempotency-key': 'cost-1' } }),
  );

  // The dialects (each with a warm key cache, as above): a customer created, then read back by id.
  const kohortPay = kohortPayCreateCustomerRow.example!;
  const created = await run(
    'customer_kohortpay_create',
    kohortPayCreateCustomerRoute(customerDeps),
    event(
      kohortPay.path,
      { ...(kohortPay.body as object), emailAddress: 'cost-kp@example.com' },
      {
        headers: { ...kohortPay.headers },
      },
    ),
  );
  await run(
    'customer_kohortpay_get',
    kohortPayGetCustomerRoute(customerDeps),
    event(`${kohortPay.path}/${created.id}`, undefined, {
      method: 'GET',
      headers: { 'x-organisation-id': 'ACME' },
      pathParameters: { id: created.id ?? '' },
    }),
  );
  await run(
    'commercelayer_token',
    commerceLayerTokenRoute({ log, checkKey, signer, now: () => new Date() }),
    event(
      '/compat/commercelayer/oauth/token',
      { grant_type: 'client_credentials', client_id: key.id, client_secret: token.split('.')[1] },
      { authorization: null },
    ),
  );
  const jsonApi = commerceLayerCreateCustomerRow.example!;
  const withToken = {
    authorization: `Bearer ${accessToken.token}`,
    headers: { 'content-type': jsonApi.contentType!, ...jsonApi.headers },
  };
  const resource = await run(
    'customer_commercelayer_create',
    commerceLayerCreateCustomerRoute(tokenDeps),
    event(jsonApi.path, { data: { type: 'customers', attributes: { email: 'cost-cl@example.com' } } }, withToken),
  );
  const id = resource.data?.id ?? '';
  await run(
    'customer_commercelayer_get',
    commerceLayerGetCustomerRoute(tokenDeps),
    event(`${jsonApi.path}/${id}`, undefined, { ...withToken, method: 'GET', pathParameters: { id } }),
  );

  for (const n of [0, 1, 2, 10, 25, 100]) {
    const body = {
      email: `cost-${n}@example.com`,
      title: 'Ms',
      first_name: 'Jane',
      purchases: Array.from({ length: n }, (_, i) => ({ order_ref: `ORDER-${i}`, sku: `SKU-${i}` })),
    };
    const e = () => event('/v4/organisations/ACME/purchasers', body, { pathParameters: { trkref: 'ACME' } });
    await run(`purchaser_new_${n}`, purchaserHandler, e());
    await run(`purchaser_repeat_${n}`, purchaserHandler, e());
  }

  // The routes after the create, each on a record of its own (made through the domain, unmetered).
  await measureReadsAndChanges(run, event, {
    store,
    log,
    authenticate,
    authenticateToken,
    accessToken: accessToken.token,
    keyId: key.id,
    purchaserDeps,
  });
  return results;
}

/** The organisation the list cases list: LIST_SIZE customers, every tenth with external_id `tenth`. */
const LIST_ORG = 'cost_list';
// bench/report.ts describes these in words: change both together.
const LIST_SIZE = 200;

/**
 * Reads, lists, changes and erasures through the real handlers: by id, a first and a next page
 * of 25 (and a filter matching one customer in ten, whose pages take more rounds), a change in
 * place and a change of email, an erasure; the same in KohortPay's and Commerce Layer's routes;
 * and the purchaser read, purchases page, update and erasure.
 */
async function measureReadsAndChanges(
  run: Run,
  event: (path: string, body: unknown, extra?: EventExtra) => unknown,
  deps: {
    store: Store;
    log: ReturnType<typeof createLogger>;
    authenticate: ReturnType<typeof createAuthenticator>;
    authenticateToken: ReturnType<typeof createTokenAuthenticator>;
    accessToken: string;
    keyId: string;
    purchaserDeps: Parameters<typeof createPurchaserRoute>[0];
  },
) {
  const { store, log, authenticate, keyId } = deps;
  const now = () => new Date();
  const cursors = createCursorSigner('bench-cursor-secret-bench-cursor-secret-01');
  const native = { store, log, authenticate, now, cursors };
  const kohortPay = { store, log, authenticate, now };
  const commerceLayer = { store, log, authenticate: deps.authenticateToken, now };
  await inBatches(
    Array.from({ length: LIST_SIZE }, (_, i) => i),
    (i) =>
      benchCustomer(store, {
        org: LIST_ORG,
        email: `cost-list-${i}@example.com`,
        keyId,
        externalId: i % 10 === 0 ? 'tenth' : `x-${i}`,
      }),
  );
  const fresh = async (label: string) =>
    (await benchCustomer(store, { org: 'ACME', email: `cost-changed-${label}@example.com`, keyId })).id;
  const byId = (path: string, id: string, method: string, body?: unknown, extra: object = {}) =>
    event(`${path}/${id}`, body, { method, pathParameters: { id }, ...extra });

  // Native: `?corporation_id=` names the organisation.
  const inAcme = { query: { corporation_id: 'ACME' } };
  const id = await fresh('native');
  await run('customer_get', getCustomerRoute(native), byId('/customers', id, 'GET', undefined, inAcme));
  const list = listCustomersRoute(native);
  const firstPage = (await run(
    'customer_list_page_1',
    list,
    event('/customers', undefined, { method: 'GET', query: { corporation_id: LIST_ORG } }),
  )) as { next_cursor?: string };
  await run(
    'customer_list_page_2',
    list,
    event('/customers', undefined, {
      method: 'GET',
      query: { corporation_id: LIST_ORG, cursor: firstPage.next_cursor ?? '' },
    }),
  );
  await run(
    'customer_list_filtered',
    list,
    event('/customers', undefined, { method: 'GET', query: { corporation_id: LIST_ORG, external_id: 'tenth' } }),
  );
  await run(
    'customer_list_by_email',
    list,
    event('/customers', undefined, {
      method: 'GET',
      query: { corporation_id: LIST_ORG, email: 'cost-list-7@example.com' },
    }),
  );
  const update = updateCustomerRoute(native);
  await run('customer_update', update, byId('/customers', id, 'PATCH', { name: 'Renamed' }, inAcme));
  await run(
    'customer_update_email',
    update,
    byId('/customers', id, 'PATCH', { email: 'cost-native-moved@example.com' }, inAcme),
  );
  await run('customer_erase', eraseCustomerRoute(native), byId('/customers', id, 'DELETE', undefined, inAcme));

  // KohortPay: X-Organisation-Id, `cus_` ids.
  const kp = '/compat/kohortpay/customers';
  const kpId = `cus_${(await fresh('kp')).slice('cust_'.length)}`;
  const acme = { headers: { 'x-organisation-id': 'ACME' } };
  await run(
    'customer_kohortpay_list',
    kohortPayListCustomersRoute(kohortPay),
    event(kp, undefined, { method: 'GET', headers: { 'x-organisation-id': LIST_ORG } }),
  );
  await run(
    'customer_kohortpay_update',
    kohortPayUpdateCustomerRoute(kohortPay),
    byId(kp, kpId, 'PATCH', { phoneNumber: '+1 555 555 0100' }, acme),
  );
  await run(
    'customer_kohortpay_delete',
    kohortPayDeleteCustomerRoute(kohortPay),
    byId(kp, kpId, 'DELETE', undefined, acme),
  );

  // Commerce Layer: an access token, 32 hex digit ids.
  const cl = '/compat/commercelayer/api/customers';
  const clId = (await fresh('cl')).slice('cust_'.length);
  const jsonApi = commerceLayerCreateCustomerRow.example!;
  const withToken = (org: string) => ({
    authorization: `Bearer ${deps.accessToken}`,
    headers: { 'content-type': jsonApi.contentType!, ...jsonApi.headers, 'x-organisation-id': org },
  });
  await run(
    'customer_commercelayer_list',
    commerceLayerListCustomersRoute(commerceLayer),
    event(cl, undefined, { method: 'GET', query: { 'page[size]': '25' }, ...withToken(LIST_ORG) }),
  );
  await run(
    'customer_commercelayer_update',
    commerceLayerUpdateCustomerRoute(commerceLayer),
    byId(
      cl,
      clId,
      'PATCH',
      { data: { type: 'customers', id: clId, attributes: { reference: 'ref_1' } } },
      withToken('ACME'),
    ),
  );
  await run(
    'customer_commercelayer_delete',
    commerceLayerDeleteCustomerRoute(commerceLayer),
    byId(cl, clId, 'DELETE', undefined, withToken('ACME')),
  );

  // Purchasers: the example's purchaser (2 purchases), by its email in the path.
  const purchaser = '/v4/organisations/ACME/purchasers';
  const example = { email: 'cost-read@example.com' };
  await benchPurchaser(store, 'ACME', example.email);
  const examplePurchases = (createPurchaserRow.example!.body as { purchases: object[] }).purchases;
  const one = (method: string, body?: unknown, suffix = '', query?: Record<string, string>) =>
    event(`${purchaser}/${example.email}${suffix}`, body, {
      method,
      pathParameters: { trkref: 'ACME', email: example.email },
      ...(query ? { query } : {}),
    });
  await run('purchaser_get', getPurchaserRoute(deps.purchaserDeps), one('GET'));
  await run(
    'purchases_list',
    listPurchasesRoute({ ...deps.purchaserDeps, cursors }),
    one('GET', undefined, '/purchases'),
  );
  await run(
    'purchaser_update',
    updatePurchaserRoute(deps.purchaserDeps),
    // The fields changed, the example's two purchases (stored) and a new one.
    one('PUT', { title: 'Dr', purchases: [...examplePurchases, { order_ref: 'O-3', sku: 'S-3' }] }),
  );
  await run('purchaser_erase', erasePurchaserRoute({ ...deps.purchaserDeps, now }), one('DELETE'));
}
