import { describe, expect, it } from 'vitest';
import { ingestRow, publisherRow } from '../../contract/events.ts';
import {
  authenticationAccess,
  checksCredentials,
  type FunctionRow,
  matchRoute,
  rateLimitAccess,
  routes,
  type TableGrant,
  tableAccessOf,
} from '../../contract/routes.ts';
import { itemKinds } from '../../contract/table.ts';
import {
  apiKeyIndexKey,
  apiKeyKey,
  customerCounterKeys,
  customerIdKey,
  customerKey,
  customerListKey,
  customerListPartitions,
  idempotencyKey,
  purchaseKey,
  purchaserKey,
  purchaserTombstoneKey,
  rateWindowKey,
  replaysPartition,
} from '../../functions/store/keys.ts';
import { allows, placeOf, stringLike } from '../support/iam.ts';

describe('route table', () => {
  it('matches a path parameter and decodes it', () => {
    const match = matchRoute('POST', '/v4/organisations/AC%2DME/purchasers');
    expect(match).toMatchObject({
      kind: 'route',
      route: { name: 'CreatePurchaser' },
      pathParameters: { trkref: 'AC-ME' },
    });
  });

  it('method names are case-insensitive', () => {
    expect(matchRoute('post', '/customers')).toMatchObject({ kind: 'route', route: { name: 'CreateCustomer' } });
  });

  it('a known path with another method lists the allowed ones', () => {
    expect(matchRoute('PUT', '/customers')).toEqual({ kind: 'method-not-allowed', allow: ['POST', 'GET'] });
  });

  it.each([
    '/',
    '/customers/',
    '/customer',
    '/v4/organisations//purchasers',
    '/v4/organisations/ACME/purchasers/x/y',
    '/CUSTOMERS',
  ])('%s is not found', (path) => {
    expect(matchRoute('POST', path)).toEqual({ kind: 'not-found' });
  });

  it('a malformed percent-encoding is not found, not an exception', () => {
    expect(matchRoute('POST', '/v4/organisations/%E0%A4%A/purchasers')).toEqual({ kind: 'not-found' });
  });

  it('has one catch-all row, unique names and unique method + path pairs', () => {
    expect(routes.filter((route) => route.path === '$default')).toHaveLength(1);
    expect(new Set(routes.map((route) => route.name)).size).toBe(routes.length);
    expect(new Set(routes.map((route) => `${route.method} ${route.path}`)).size).toBe(routes.length);
  });
});

describe('table grants by kind of item', () => {
  /** The kinds whose pattern a partition key (in the table, or in `index`) matches. */
  const kindsOf = (partition: string, index?: string) =>
    Object.entries(itemKinds)
      .filter(([, kind]) => placeOf(kind) === index && stringLike(kind.partition, partition))
      .map(([name]) => name);

  // Organisation ids spelling other kinds' markers, and ids and emails holding `#` and markers.
  it.each(['ACME', 'EMAIL', 'CUSTOMER', 'CUSTOMERS', 'CUSTOMERCOUNT', 'PURCHASER', 'REPLAYS'])(
    'each key keys.ts builds is of exactly one kind (organisation %s)',
    (org) => {
      const email = 'Jo#CUSTOMER#X#EMAIL#@Example.com';
      const id = 'id#CUSTOMER#x#EMAIL#y';
      expect(kindsOf(purchaserKey(org, email).pk)).toEqual(['person']);
      expect(kindsOf(purchaseKey(org, email, 'O#1', 'S#1').pk)).toEqual(['person']);
      expect(kindsOf(customerKey(org, { email }).pk)).toEqual(['person']);
      expect(kindsOf(customerKey(org, { id }).pk)).toEqual(['customerId']);
      expect(kindsOf(customerIdKey(org, id).pk)).toEqual(['customerId']);
      for (const key of customerCounterKeys(org)) expect(kindsOf(key.pk)).toEqual(['customerCount']);
      expect(kindsOf(purchaserTombstoneKey(org, id).pk)).toEqual(['purchaserTombstone']);
      for (const partition of customerListPartitions(org)) expect(kindsOf(partition, 'gsi1')).toEqual(['customerList']);
      expect(kindsOf(customerListKey(org, id, '2026-01-01T00:00:00Z').gsi1pk, 'gsi1')).toEqual(['customerList']);
      expect(kindsOf(replaysPartition(org, id), 'gsi1')).toEqual(['replays']);
      // Index partitions are no table kind, and table partitions no index kind.
      expect(kindsOf(replaysPartition(org, id))).toEqual([]);
      expect(kindsOf(purchaserKey(org, email).pk, 'gsi1')).toEqual([]);
    },
  );

  it('keys outside organisations: API keys, stored answers, rate windows', () => {
    expect(kindsOf(apiKeyKey('key_0123456789abcdef01234567').pk)).toEqual(['apiKey']);
    expect(kindsOf(apiKeyIndexKey('2026-01-01T00:00:00Z', 'key_01').gsi1pk, 'gsi1')).toEqual(['apiKeyList']);
    expect(kindsOf(idempotencyKey('key_01', 'aGFzaA').pk)).toEqual(['idempotency']);
    expect(kindsOf(rateWindowKey('key_01', 1_767_225_600).pk)).toEqual(['rateLimit']);
  });

  it('the evaluator matches as IAM StringLike does, and a statement reaches only its own place', () => {
    expect(stringLike('ORG#*#EMAIL#*', 'ORG#acme#EMAIL#a#b@example.com')).toBe(true);
    expect(stringLike('ORG#*#EMAIL#*', 'ORG#acme#CUSTOMER#c1')).toBe(false);
    expect(stringLike('IDEMPOTENCY#*', 'idempotency#x')).toBe(false);
    expect(stringLike('a?c', 'abc')).toBe(true);
    expect(stringLike('a?c', 'ac')).toBe(false);
    expect(stringLike('a.c', 'abc')).toBe(false);
    const read = { tableActions: ['dynamodb:Query'], items: ['person'] } as const satisfies TableGrant;
    expect(allows(read, { action: 'dynamodb:Query', partitions: ['ORG#a#EMAIL#e'] })).toBe(true);
    expect(allows(read, { action: 'dynamodb:Query', index: 'gsi1', partitions: ['ORG#a#EMAIL#e'] })).toBe(false);
    expect(allows(read, { action: 'dynamodb:GetItem', partitions: ['ORG#a#EMAIL#e'] })).toBe(false);
    // ForAllValues: one key of another kind in a batch denies the whole request.
    const batch = { tableActions: ['dynamodb:BatchGetItem'], items: ['person'] } as const satisfies TableGrant;
    expect(
      allows(batch, { action: 'dynamodb:BatchGetItem', partitions: ['ORG#a#EMAIL#e', 'ORG#a#CUSTOMERCOUNT#0'] }),
    ).toBe(false);
  });

  const rows: readonly FunctionRow[] = [...routes, ingestRow, publisherRow];

  it('no row grants anything on API keys or rate windows: those come with checking credentials, read-only and counting', () => {
    for (const row of rows) {
      const kinds = row.grants.flatMap((grant) => grant.items as readonly string[]);
      expect(kinds, row.name).not.toContain('apiKey');
      expect(kinds, row.name).not.toContain('rateLimit');
      const extra = tableAccessOf(row, { rateLimited: true }).slice(row.grants.length);
      expect(extra, row.name).toEqual(checksCredentials(row) ? [authenticationAccess, rateLimitAccess] : []);
      expect(tableAccessOf(row).slice(row.grants.length), row.name).toEqual(
        checksCredentials(row) ? [authenticationAccess] : [],
      );
    }
  });

  it('index partitions are granted to Query alone, and a grant names each kind once', () => {
    for (const row of rows) {
      for (const grant of tableAccessOf(row, { rateLimited: true })) {
        const places = new Set(grant.items.map((item) => placeOf(itemKinds[item])));
        expect(places.size, row.name).toBe(1);
        if (places.has('gsi1')) expect(grant.tableActions, row.name).toEqual(['dynamodb:Query']);
        expect(new Set(grant.items).size, row.name).toBe(grant.items.length);
      }
    }
  });
});
