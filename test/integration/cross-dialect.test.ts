// One customer record, three contracts: the native /customers, KohortPay's and Commerce Layer's.
// (organisation, email) is unique across them, and each reads the others' customers by the id it
// shows. Over real HTTP, on the local server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertContract, commerceLayerErrors, kohortPayError, problemResponse } from '../support/contract.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

const JSON_API = 'application/vnd.api+json';
let t: TestServer;
let key: { id: string; secret: string; token: string };
let clHeaders: Record<string, string>;
beforeAll(async () => {
  t = await startTestServer('cross-dialect');
  key = await t.key(['corp_x']);
  const res = await t.request('POST', '/compat/commercelayer/oauth/token', {
    body: { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret },
  });
  const { access_token } = (await res.json()) as { access_token: string };
  clHeaders = { ...bearer(access_token), 'content-type': JSON_API, accept: JSON_API };
});
afterAll(() => t?.close());

let n = 0;
const unique = () => `Person.${Date.now().toString(36)}.${++n}@Example.com`;

const native = (email: string) =>
  t.request('POST', '/customers', {
    body: { corporation_id: 'corp_x', name: 'Native Name', email, external_id: 'ext-1' },
    headers: bearer(key.token),
  });
const kohortPay = (email: string) =>
  t.request('POST', '/compat/kohortpay/customers', {
    body: { emailAddress: email, firstName: 'Kay', clientReferenceId: 'kp-ref' },
    headers: bearer(key.token),
  });
const commerceLayer = (email: string) =>
  t.request('POST', '/compat/commercelayer/api/customers', {
    body: { data: { type: 'customers', attributes: { email, reference: 'cl-ref' } } },
    headers: clHeaders,
  });
const kohortPayRead = (id: string) =>
  t.request('GET', `/compat/kohortpay/customers/${id}`, { headers: bearer(key.token) });
const commerceLayerRead = (id: string) =>
  t.request('GET', `/compat/commercelayer/api/customers/${id}`, { headers: clHeaders });

/** The 32 hex digits every contract's id is made of. */
const hexOf = (id: string) => /[0-9a-f]{32}$/.exec(id)![0];

describe('one customer, three contracts', () => {
  it('reads a native customer through both dialects by the ids they show', async () => {
    const email = unique();
    const created = (await (await native(email)).json()) as { data: { id: string } };
    const hex = hexOf(created.data.id);
    const kp = await kohortPayRead(`cus_${hex}`);
    expect(kp.status).toBe(200);
    expect(await kp.json()).toMatchObject({
      id: `cus_${hex}`,
      emailAddress: email.toLowerCase(),
      organizationId: 'org_corp_x',
      createdBy: key.id,
    });
    const cl = await commerceLayerRead(hex);
    expect(cl.status).toBe(200);
    expect(await cl.json()).toMatchObject({
      data: { id: hex, attributes: { email: email.toLowerCase(), reference: 'ext-1', status: 'prospect' } },
    });
  });

  it('reads a KohortPay customer as Commerce Layer, and a Commerce Layer customer as KohortPay', async () => {
    const fromKohortPay = (await (await kohortPay(unique())).json()) as { id: string; createdAt: string };
    const asCl = (await (await commerceLayerRead(hexOf(fromKohortPay.id))).json()) as {
      data: { attributes: { reference: string; created_at: string } };
    };
    expect(asCl.data.attributes).toMatchObject({ reference: 'kp-ref', created_at: fromKohortPay.createdAt });
    const fromCl = (await (await commerceLayer(unique())).json()) as { data: { id: string } };
    const asKp = await kohortPayRead(`cus_${fromCl.data.id}`);
    expect(asKp.status).toBe(200);
    expect(await asKp.json()).toMatchObject({ firstName: null, metadata: null, livemode: true });
  });

  it('makes an email taken in one contract a conflict in the others, each in its own shape', async () => {
    const viaNative = unique();
    expect((await native(viaNative)).status).toBe(201);
    const kp = await kohortPay(viaNative.toUpperCase());
    expect(kp.status).toBe(409);
    expect(assertContract(kohortPayError, await kp.json()).error.code).toBe('customer_already_exists');
    const cl = await commerceLayer(viaNative);
    expect(cl.status).toBe(422);
    expect(assertContract(commerceLayerErrors, await cl.json()).errors[0]).toMatchObject({
      code: 'VALIDATION_ERROR',
      source: { pointer: '/data/attributes/email' },
    });

    const viaCl = unique();
    expect((await commerceLayer(viaCl)).status).toBe(201);
    const again = await native(viaCl);
    expect(again.status).toBe(409);
    expect(assertContract(problemResponse, await again.json()).type).toBe('/problems/duplicate-customer');
    expect((await kohortPay(viaCl)).status).toBe(409);
  });

  it('keeps organisations apart: another organisation’s key finds nothing by the same ids', async () => {
    const created = (await (await kohortPay(unique())).json()) as { id: string };
    const stranger = await t.key(['corp_y']);
    const res = await t.request('GET', `/compat/kohortpay/customers/${created.id}`, {
      headers: bearer(stranger.token),
    });
    expect(res.status).toBe(404);
  });
});
