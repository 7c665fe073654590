// Items <-> models: how every entity is read from the table and written to it.
//
// Writing, unknown values are left out instead of stored as NULL (smaller items; reading gives
// null back). Reading, each entity declares a reader per model field (`decoder`), so a model and
// its item cannot disagree on a field without the compiler saying so.

/** A stored item, as the document client gives and takes it. */
export type Item = Record<string, unknown>;

/** Reads one model field from its attribute (`item` is there for fields derived from several). */
export type Reader<T> = (value: unknown, item: Item, attribute: string) => T;

class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
}

/** Readers for the attribute types the registry stores. */
export const read = {
  /** A string every item of the entity has. */
  string(value: unknown, _item: Item, attribute: string): string {
    if (typeof value !== 'string') throw new CorruptItemError(`attribute ${attribute} is not a string`);
    return value;
  },
  /** A number every item of the entity has. */
  number(value: unknown, _item: Item, attribute: string): number {
    if (typeof value !== 'number') throw new CorruptItemError(`attribute ${attribute} is not a number`);
    return value;
  },
  /** An optional string: null when absent. */
  text: (value: unknown): string | null => (typeof value === 'string' ? value : null),
  /** A list of strings: empty when absent. */
  strings: (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [],
  /** A nested map, read by `decode`: null when absent. */
  map:
    <T>(decode: (item: Item) => T): Reader<T | null> =>
    (value) =>
      isItem(value) ? decode(value) : null,
};

/** A function from item to model, from one reader per model field (the attribute of the same name). */
export function decoder<M>(readers: { readonly [K in keyof M]-?: Reader<M[K]> }): (item: Item) => M {
  const fields = Object.entries(readers) as [string, Reader<unknown>][];
  return (item) => {
    const model: Item = {};
    for (const [field, reader] of fields) model[field] = reader(item[field], item, field);
    return model as M;
  };
}

/** The item for a model: null members (at any depth of plain objects) left out. */
export function encode(model: object): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(model)) {
    if (value === null || value === undefined) continue;
    item[name] = isItem(value) ? encode(value) : value;
  }
  return item;
}

const isItem = (value: unknown): value is Item =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array) &&
  !(value instanceof Set);
