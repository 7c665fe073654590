import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerIdKey, isOrgId, normaliseEmail, personKey, purchaseSk } from '../../functions/shared/keys.ts';

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
    expect(() => personKey('ACME#EMAIL#x@y.com', 'a@b.com')).toThrow(RangeError);
    expect(() => customerIdKey('a b', 'cust_1')).toThrow(RangeError);
  });
});

describe('person key', () => {
  it('normalises the email: one person, one key', () => {
    expect(personKey('ACME', '  Jane@Example.COM ')).toBe('ORG#ACME#EMAIL#jane@example.com');
    expect(normaliseEmail(' A@B.C ')).toBe('a@b.c');
  });

  it('no two (org, email) pairs share a partition', () => {
    const org = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
    const email = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(org, email, org, email, (o1, e1, o2, e2) => {
        fc.pre(o1 !== o2 || normaliseEmail(e1) !== normaliseEmail(e2));
        expect(personKey(o1, e1)).not.toBe(personKey(o2, e2));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('purchase sort key', () => {
  it('escapes the delimiter so parts cannot run into each other', () => {
    expect(purchaseSk('A#B', 'C')).not.toBe(purchaseSk('A', 'B#C'));
    expect(purchaseSk('A%23', 'B')).not.toBe(purchaseSk('A#', 'B'));
    expect(purchaseSk('A#B', 'C')).toBe('PURCHASE#A%23B#C');
  });

  it('is injective over arbitrary order refs and skus', () => {
    const part = fc.string({ unit: fc.constantFrom('#', '%', '2', '3', 'A', '5'), maxLength: 6 });
    fc.assert(
      fc.property(part, part, part, part, (o1, s1, o2, s2) => {
        fc.pre(o1 !== o2 || s1 !== s2);
        expect(purchaseSk(o1, s1)).not.toBe(purchaseSk(o2, s2));
      }),
      { numRuns: 5000 },
    );
  });
});
