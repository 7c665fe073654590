import { describe, expect, it } from 'vitest';
import { decoder, encode, read } from '../../functions/store/codec.ts';

interface Thing {
  id: string;
  size: number;
  note: string | null;
  tags: string[];
  place: { city: string | null } | null;
}

const toThing = decoder<Thing>({
  id: read.string,
  size: read.number,
  note: read.text,
  tags: read.strings,
  place: read.map(decoder<{ city: string | null }>({ city: read.text })),
});

describe('item codec', () => {
  it('leaves unknown values out of the item, at any depth, and reads them back as null', () => {
    const thing: Thing = { id: 't1', size: 3, note: null, tags: ['a'], place: { city: null } };
    const item = encode(thing);
    expect(item).toEqual({ id: 't1', size: 3, tags: ['a'], place: {} });
    expect(toThing(item)).toEqual(thing);
    expect(toThing({ id: 't2', size: 0 })).toEqual({ id: 't2', size: 0, note: null, tags: [], place: null });
  });

  it('refuses an item that lacks what every item of its entity has, naming the attribute', () => {
    expect(() => toThing({ size: 1 })).toThrow(/attribute id is not a string/);
    expect(() => toThing({ id: 'x', size: '1' })).toThrow(/attribute size is not a number/);
  });
});
