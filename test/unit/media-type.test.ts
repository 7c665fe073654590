// Content-Type and Content-Encoding as RFC 9110 writes them.
import { describe, expect, it } from 'vitest';
import { isIdentityEncoding, parseMediaType } from '../../functions/http/media-type.ts';

describe('parseMediaType', () => {
  it('reads type, subtype and parameters with any case and the optional whitespace', () => {
    for (const value of [
      'application/json',
      'APPLICATION/JSON',
      'application/json;charset=utf-8',
      'application/json ; charset=utf-8',
      'application/json;\tcharset="UTF-8"',
      'application/json; charset=utf-8 ',
      'application/json;;charset=utf-8',
      'application/json; CHARSET=Utf-8; foo="a;b\\"c"',
    ]) {
      const parsed = parseMediaType(value);
      expect(parsed, value).toMatchObject({ type: 'application', subtype: 'json' });
      if (/charset/i.test(value)) expect(parsed?.parameters.charset, value).toBe('utf-8');
    }
    expect(parseMediaType('application/json; foo="a;b\\"c"')?.parameters.foo).toBe('a;b"c');
    expect(parseMediaType('application/vnd.api+json')?.subtype).toBe('vnd.api+json');
  });

  it('refuses what is not a media type', () => {
    for (const value of [
      undefined,
      '',
      'json',
      'application/',
      '/json',
      'application/json charset=utf-8',
      'application/json; charset',
      'application/json; charset=',
      'application/json; charset="utf-8',
      'application /json',
      'application/json, text/plain',
    ]) {
      expect(parseMediaType(value), String(value)).toBeUndefined();
    }
  });
});

describe('isIdentityEncoding', () => {
  it('accepts only the body as sent', () => {
    for (const value of [undefined, '', 'identity', 'IDENTITY', ' identity , identity ']) {
      expect(isIdentityEncoding(value), String(value)).toBe(true);
    }
    for (const value of ['gzip', 'br', 'deflate', 'identity, gzip', 'x-gzip', 'compress']) {
      expect(isIdentityEncoding(value), value).toBe(false);
    }
  });
});
