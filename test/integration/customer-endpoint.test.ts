// POST /customers through the real handler against DynamoDB Local.
import { beforeAll, describe, expect, it } from 'vitest';
import { getCustomerById } from '../../functions/customers/customers.ts';
import { createCustomerCorporation } from '../../openapi/seeds.ts';
import { assertContract, customerResponse, problemResponse } from '../support/contract.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke } from '../support/events.ts';
import { customerHandler } from '../support/handlers.ts';

let t: TestTable;
let handler: ReturnType<typeof customerHandler>;
beforeAll(async () => {
  t = await createTestTable('customer-endpoint');
  handler = customerHandler(t.store);
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  invoke(handler, httpEvent({ path: '/customers', routeKey: 'POST /customers', body, headers }));

describe('seed: create-customer-corporation.txt', () => {
  it('answers the example request with 201 and { data, message } in the example shape, field by field', async () => {
    const { request, response: seed, message } = createCustomerCorporation;
    const res = await post(request);
    expect(res.statusCode).toBe(201);
    const body = assertContract(customerResponse, res.json);
    expect(body.message).toBe(message);
    for (const field of Object.keys(seed)) expect(body.data).toHaveProperty(field);
    expect(body.data.id).toMatch(/^cust_/);
    expect(body.data.name).toBe(seed.name);
    expect(body.data.email).toBe(seed.email);
    expect(body.data.corporation_id).toBe(seed.corporation_id);
    expect(Number.isInteger(body.data.created_at)).toBe(true);
    expect(Math.abs(body.data.created_at - Date.now() / 1000)).toBeLessThan(120);
    expect(body.data.external_id).toBe(request.external_id);
    expect(body.data.shipping_address).toEqual(request.shipping_address);
    expect(body.data.source_platform).toBeNull();
    expect(body.data.source_platform_id).toBeNull();
    expect(await getCustomerById(t.store, 'corp_123', body.data.id)).toMatchObject({ name: seed.name });
  });
});

describe('contract details', () => {
  it('unknown optional fields are null, and a partial address is completed with nulls', async () => {
    const res = await post({
      corporation_id: 'corp_9',
      name: 'Bob Builder',
      shipping_address: { city: 'Leeds', country: 'gb' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json.data).toMatchObject({
      email: null,
      external_id: null,
      shipping_address: { line1: null, line2: null, city: 'Leeds', state: null, postal_code: null, country: 'GB' },
    });
  });

  it('a second customer with the same email, in any case, is 409 naming the first', async () => {
    const first = await post({ corporation_id: 'corp_1', name: 'First One', email: 'same@acme.com' });
    const second = await post({ corporation_id: 'corp_1', name: 'Second One', email: ' SAME@acme.com' });
    expect(second.statusCode).toBe(409);
    expect(second.headers!['content-type']).toBe('application/problem+json');
    const problem = assertContract(problemResponse, second.json);
    expect(problem.customer_id).toBe(first.json.data.id);
    expect(problem.detail).toContain(first.json.data.id);
    expect((await getCustomerById(t.store, 'corp_1', first.json.data.id))!.name).toBe('First One');
  });

  it('10 concurrent creates of one email give one 201 and nine 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post({ corporation_id: 'corp_race', name: `Racer ${i}`, email: 'race@acme.com' }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    const id = responses.find((r) => r.statusCode === 201)!.json.data.id;
    expect(responses.filter((r) => r.statusCode === 409).every((r) => r.json.customer_id === id)).toBe(true);
  });

  it('validation problems name every bad field', async () => {
    const res = await post({ corporation_id: 'bad id', name: 'ab', email: 'x', shipping_address: 'here' });
    expect(res.statusCode).toBe(422);
    expect(res.json.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/corporation_id',
      '/name',
      '/email',
      '/shipping_address',
    ]);
    expect(res.json).not.toHaveProperty('message');
  });

  it('a non-JSON content type is 415 and malformed JSON is 400', async () => {
    expect((await post('{}', { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect((await post('{', {})).statusCode).toBe(400);
  });
});
