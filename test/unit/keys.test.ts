import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  customerIdKey,
  customerKey,
  customerListKey,
  customerListPartitions,
  isOrgId,
  normaliseEmail,
  purchaseKey,
  purchaserKey,
  purchaseSortKey,
  replaysPartition,
} from '../../functions/store/keys.ts';

describe('organisation ids', () => {
  it.each(['ACME', 'corp_123', 'a', 'b6d009b0-d174-463f-b030-94643c28e209', 'x'.repeat(64)])('accepts %s', (id) => {
    expect(isOrgId(id)).toBe(true);
  });

  it.each(['', 'x'.repeat(65), 'AC#ME', 'AC ME', 'ACME/OTHER', 'AC%23ME', 'ÄCME', 'ACME\n', '../ACME'])(
    'rejects %j',
    (id) => {
      expect(isOrgId(id)).toBe(false);
    },
  );

  it('key builders refuse an id outside the alphabet, whoever calls them', () => {
    expect(() => purchaserKey('ACME#EMAIL#x@y.com', 'a@b.com')).toThrow(RangeError);
    expect(() => purchaseKey('ACME#', 'a@b.com', 'O', 'S')).toThrow(RangeError);
    expect(() => customerKey('a b', { id: 'cust_1' })).toThrow(RangeError);
    expect(() => customerIdKey('a b', 'cust_1')).toThrow(RangeError);
  });
});

describe('person partition', () => {
  it('normalises the email: one person, one key', () => {
    expect(purchaserKey('ACME', '  Jane@Example.COM ').pk).toBe('ORG#ACME#EMAIL#jane@example.com');
    expect(normaliseEmail(' A@B.C ')).toBe('a@b.c');
  });

  it('no two (org, email) pairs share a partition', () => {
    const org = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
    const email = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(org, email, org, email, (o1, e1, o2, e2) => {
        fc.pre(o1 !== o2 || normaliseEmail(e1) !== normaliseEmail(e2));
        expect(purchaserKey(o1, e1).pk).not.toBe(purchaserKey(o2, e2).pk);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('purchase sort key', () => {
  it('escapes the delimiter so parts cannot run into each other', () => {
    expect(purchaseSortKey('A#B', 'C')).not.toBe(purchaseSortKey('A', 'B#C'));
    expect(purchaseSortKey('A%23', 'B')).not.toBe(purchaseSortKey('A#', 'B'));
    expect(purchaseSortKey('A#B', 'C')).toBe('PURCHASE#A%23B#C');
  });

  it('is injective over arbitrary order refs and skus', () => {
    const part = fc.string({ unit: fc.constantFrom('#', '%', '2', '3', 'A', '5'), maxLength: 6 });
    fc.assert(
      fc.property(part, part, part, part, (o1, s1, o2, s2) => {
        fc.pre(o1 !== o2 || s1 !== s2);
        expect(purchaseSortKey(o1, s1)).not.toBe(purchaseSortKey(o2, s2));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('customer list partitions', () => {
  it("every customer is listed in one of its organisation's partitions, by creation time then id", () => {
    const partitions = customerListPartitions('ACME');
    expect(partitions).toHaveLength(4);
    const key = customerListKey('ACME', 'cust_0123', '2026-01-01T00:00:00.000Z');
    expect(partitions).toContain(key.gsi1pk);
    expect(key.gsi1sk).toBe('2026-01-01T00:00:00.000Z#cust_0123');
    expect(customerListPartitions('ACME2')).not.toContain(key.gsi1pk);
  });

  it('random ids spread evenly over the partitions', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const { gsi1pk } = customerListKey('ACME', `cust_${crypto.randomUUID().replaceAll('-', '')}`, 'x');
      counts.set(gsi1pk, (counts.get(gsi1pk) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const count of counts.values()) expect(count).toBeGreaterThan(800);
  });

  it('stored answers are filed by person, within the organisation, ids escaped', () => {
    expect(replaysPartition('ACME', 'pur_1')).toBe('ORG#ACME#REPLAYS#pur_1');
    expect(replaysPartition('ACME', 'a#b')).toBe('ORG#ACME#REPLAYS#a%23b');
    expect(() => replaysPartition('A#B', 'x')).toThrow(RangeError);
  });
});
