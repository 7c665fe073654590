// Content-Type, Content-Encoding and Accept as RFC 9110 writes them.
import { describe, expect, it } from 'vitest';
import { accepts, isIdentityEncoding, parseMediaType } from '../../functions/http/media-type.ts';

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

describe('accepts', () => {
  const JSON_API = 'application/vnd.api+json';
  const verdict = (header: string | undefined) => accepts(header, JSON_API);

  it('admits the type when there is no Accept header, or an empty one', () => {
    for (const header of [undefined, '', ' ', '\t']) expect(verdict(header), String(header)).toBe(true);
  });

  it('admits the type through */*, application/* or itself, in any case, with a q weight or not', () => {
    for (const header of [
      '*/*',
      'application/*',
      JSON_API,
      'Application/VND.API+JSON',
      `${JSON_API};q=0.5`,
      `${JSON_API} ; q=1`,
      '*/*;q=0.1',
      'application/*; q=0.001',
    ]) {
      expect(verdict(header), header).toBe(true);
    }
  });

  it('refuses when nothing listed is the type or a range holding it', () => {
    for (const header of [
      'application/json',
      'application/json, text/html',
      'text/*',
      'text/html;q=1, image/*',
      'application/vnd.api',
      'application/vnd.api+json2',
    ]) {
      expect(verdict(header), header).toBe(false);
    }
  });

  it('does not count an instance of the type with parameters other than q (JSON:API)', () => {
    for (const header of [
      `${JSON_API}; ext="https://jsonapi.org/ext/atomic"`,
      `${JSON_API}; ext=x`,
      `${JSON_API}; profile="https://example.com/p"`,
      `${JSON_API}; charset=utf-8`,
      `${JSON_API}; q=1; ext=x`,
      `${JSON_API}; ext=x, ${JSON_API}; profile=y`,
      // Whatever wildcards the header also lists: JSON:API answers 406 when every instance of its
      // type carries parameters.
      `${JSON_API}; ext=x, */*`,
      `application/*, ${JSON_API}; profile=y`,
    ]) {
      expect(verdict(header), header).toBe(false);
    }
  });

  it('admits the type when one member of the list does', () => {
    expect(verdict(`text/html, ${JSON_API}; ext=x, ${JSON_API}`)).toBe(true);
    expect(verdict(`text/html,application/*`)).toBe(true);
    expect(verdict(`nonsense, ${JSON_API}`)).toBe(true);
  });

  it('q=0 excludes: such a member admits nothing', () => {
    for (const header of [
      `${JSON_API};q=0`,
      `${JSON_API}; q=0.0`,
      `${JSON_API}; Q=0.000`,
      '*/*;q=0',
      'application/*;q=0',
      `application/json, ${JSON_API};q=0`,
    ]) {
      expect(verdict(header), header).toBe(false);
    }
    expect(verdict(`*/*;q=0, ${JSON_API}`)).toBe(true);
  });

  it('q=0 on the type wins over a less specific range that admits it (RFC 9110 12.5.1)', () => {
    // "If more than one media range applies to a given type, the most specific reference has
    // precedence": the type is refused here, whatever the ranges say.
    for (const header of [
      `${JSON_API};q=0, */*`,
      `*/*, ${JSON_API};q=0`,
      `${JSON_API};q=0, application/*`,
      'application/*;q=0, */*',
    ]) {
      expect(verdict(header), header).toBe(false);
    }
  });

  it('keeps commas inside quoted strings within their member', () => {
    // Split at every comma, each of these would fall apart into members none of which can be read,
    // and an unreadable header admits everything.
    for (const header of [
      `${JSON_API}; ext="a,b"`,
      `text/html; foo="x, ${JSON_API}"`,
      `text/html; foo="a\\", ${JSON_API}"`,
      `${JSON_API}; ext="https://a.example/x,https://b.example/y"`,
    ]) {
      expect(verdict(header), header).toBe(false);
    }
    expect(verdict(`text/html; foo="a,b", ${JSON_API}`)).toBe(true);
  });

  it('ignores a header none of whose members can be read', () => {
    for (const header of ['nonsense', 'application', 'application/', '/json', ',', ', ,', 'text/html; q', 'a b, c d']) {
      expect(verdict(header), header).toBe(true);
    }
  });
});
