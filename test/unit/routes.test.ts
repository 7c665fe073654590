import { describe, expect, it } from 'vitest';
import { matchRoute, routes } from '../../contract/routes.ts';

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
