// The local server (what npm start serves) over real HTTP, with the real handler modules loaded
// from the route table and configured by environment variables, as on Lambda.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../contract/routes.ts';
import { type ExampleRequest, exampleRequests, valueAt } from '../../local/examples.ts';
import {
  accessTokenResponse,
  assertContract,
  commerceLayerCustomer,
  commerceLayerCustomerList,
  commerceLayerErrors,
  customerListResponse,
  customerReadResponse,
  customerResponse,
  customerUpdateResponse,
  kohortPayCustomer,
  kohortPayCustomerList,
  kohortPayErasedCustomer,
  kohortPayError,
  purchaserReadResponse,
  purchaserResponse,
  purchasesPageResponse,
} from '../support/contract.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await startTestServer('local-server');
  auth = bearer((await t.key(['ACME', 'AC-ME', 'corp_123'])).token);
});
afterAll(() => t?.close());

/** The value at JSON pointer `pointer` in `document`. */

const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.request(method, path, { body, headers: { ...auth, ...headers } });

describe('local server', () => {
  it('serves the example of every route row that has one, in order, in its contract (a token or an id first where one is needed)', async () => {
    // Each answer's contract; erasures answer 204 without a body (null here).
    const contracts = {
      CreatePurchaser: purchaserResponse,
      GetPurchaser: purchaserReadResponse,
      UpdatePurchaser: purchaserResponse,
      ListPurchases: purchasesPageResponse,
      ErasePurchaser: null,
      CreateCustomer: customerResponse,
      GetCustomer: customerReadResponse,
      ListCustomers: customerListResponse,
      UpdateCustomer: customerUpdateResponse,
      EraseCustomer: null,
      KohortPayCreateCustomer: kohortPayCustomer,
      KohortPayGetCustomer: kohortPayCustomer,
      KohortPayListCustomers: kohortPayCustomerList,
      KohortPayUpdateCustomer: kohortPayCustomer,
      KohortPayDeleteCustomer: kohortPayErasedCustomer,
      CommerceLayerToken: accessTokenResponse,
      CommerceLayerCreateCustomer: commerceLayerCustomer,
      CommerceLayerGetCustomer: commerceLayerCustomer,
      CommerceLayerListCustomers: commerceLayerCustomerList,
      CommerceLayerUpdateCustomer: commerceLayerCustomer,
      CommerceLayerDeleteCustomer: null,
    } as const;
    const key = await t.key(['ACME', 'AC-ME', 'corp_123']);
    const answers = new Map<string, unknown>();
    const examples = exampleRequests(routes, key.token);
    const names = examples.map((example) => example.route.name);
    expect([...names].sort()).toEqual(Object.keys(contracts).sort());
    // Each after the rows it takes a token or an id from; erasures last.
    expect(names.indexOf('GetCustomer')).toBeGreaterThan(names.indexOf('ListCustomers'));
    expect(names.indexOf('ListCustomers')).toBeGreaterThan(names.indexOf('CreateCustomer'));
    expect(names.slice(-4)).toEqual([
      'ErasePurchaser',
      'EraseCustomer',
      'KohortPayDeleteCustomer',
      'CommerceLayerDeleteCustomer',
    ]);
    /** The example with the token and id it takes from earlier answers, sent (as `method`, if given). */
    const send = (example: ExampleRequest, method = example.method) => {
      const token = example.tokenFrom && (answers.get(example.tokenFrom) as { access_token: string }).access_token;
      const id = example.idFrom ? String(valueAt(answers.get(example.idFrom.row), example.idFrom.pointer)) : '';
      const headers = Object.fromEntries(
        Object.entries(example.headers).map(([name, value]) => [name, value.replace('$TOKEN', token || '')]),
      );
      const body = method === example.method ? example.body?.replace('$ID', id) : undefined;
      return t.request(method, example.path.replace('$ID', id), { body, headers });
    };
    for (const example of examples) {
      const res = await send(example);
      const body = res.status === 204 ? null : await res.json();
      expect(res.status, `${example.route.name}: ${JSON.stringify(body)}`).toBe(example.status);
      const contract = contracts[example.route.name as keyof typeof contracts];
      if (contract === null) expect(body).toBeNull();
      else assertContract(contract, body);
      answers.set(example.route.name, body);
    }
    // What the examples show: the purchaser's new purchase, the customer found by its email, the
    // change made; after the erasures, nothing is found any more.
    expect(assertContract(purchaserReadResponse, answers.get('GetPurchaser')).purchases).toHaveLength(2);
    expect(assertContract(purchaserResponse, answers.get('UpdatePurchaser')).purchases).toEqual([
      expect.objectContaining({ order_ref: 'A1104529001', sku: 'SKU23432' }),
    ]);
    expect(assertContract(customerUpdateResponse, answers.get('UpdateCustomer')).data).toMatchObject({
      name: 'Acme Corp',
      shipping_address: { line2: null, city: 'Oakland', line1: '123 Main St' },
    });
    const reads = examples.filter((example) => /Get(Purchaser|Customer)$/.test(example.route.name));
    expect(reads).toHaveLength(4);
    for (const example of reads) expect((await send(example)).status, `${example.route.name} after erasure`).toBe(404);
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await request('PUT', '/customers');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, GET');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it("answers unknown paths and methods under a dialect's base path in that dialect's error shape", async () => {
    const list = await request('PUT', '/compat/commercelayer/api/customers');
    expect(list.status).toBe(405);
    expect(list.headers.get('allow')).toBe('POST, GET');
    expect(list.headers.get('content-type')).toBe('application/vnd.api+json');
    expect(assertContract(commerceLayerErrors, await list.json()).errors[0]).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      status: '405',
    });
    const revoke = await request('POST', '/compat/commercelayer/oauth/revoke', {});
    expect(revoke.status).toBe(404);
    expect(revoke.headers.get('content-type')).toBe('application/json');
    expect(assertContract(commerceLayerErrors, await revoke.json()).errors[0]!.code).toBe('RECORD_NOT_FOUND');
    const kohortPay = await request('POST', '/compat/kohortpay/customers/cus_1');
    expect(kohortPay.status).toBe(405);
    expect(kohortPay.headers.get('allow')).toBe('GET, PATCH, DELETE');
    expect(assertContract(kohortPayError, await kohortPay.json()).error.code).toBe('method_not_allowed');
    // Only under the base path: a look-alike prefix is the API's own problem document.
    const elsewhere = await request('GET', '/compat/kohortpayments');
    expect(elsewhere.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 404 problem+json for an unknown path', async () => {
    const res = await request('POST', '/nothing/here', {});
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, type: '/problems/not-found' });
  });

  it('gives every response a request id', async () => {
    const ids = await Promise.all([request('GET', '/'), request('POST', '/customers', '{')]).then((responses) =>
      responses.map((r) => r.headers.get('x-request-id')),
    );
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('refuses a body over 256 KB with 413', async () => {
    const res = await request('POST', '/customers', { corporation_id: 'corp_123', name: 'x'.repeat(300_000) });
    expect(res.status).toBe(413);
  });

  it('decodes path parameters as API Gateway does, and rejects ones outside the org alphabet', async () => {
    const ok = await request('POST', '/v4/organisations/AC%2DME/purchasers', { email: 'decoded@example.com' });
    expect(ok.status).toBe(201);
    for (const trkref of ['AC%23ME', 'AC%2FME', 'ACME%00', '%41CME%20']) {
      const res = await request('POST', `/v4/organisations/${trkref}/purchasers`, { email: 'x@example.com' });
      expect(res.status, trkref).toBe(404);
      expect(((await res.json()) as { message: string }).message).toMatch(/trkref/);
    }
  });

  it('passes a binary body base64-encoded, which the JSON parser refuses by content type', async () => {
    const res = await request('POST', '/customers', new Uint8Array([0xff, 0xfe, 0x00, 0x01]) as never, {
      'content-type': 'application/octet-stream',
    });
    expect(res.status).toBe(415);
  });
});
