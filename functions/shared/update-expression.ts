// Builds DynamoDB update expressions from plain objects, with a placeholder for every attribute
// name and value (so reserved words and user data never end up in the expression text).

export interface UpdateSpec {
  /** `attr = value` */
  readonly set?: Readonly<Record<string, unknown>>;
  /** `attr = if_not_exists(attr, value)`: written only when the item does not have it yet. */
  readonly setIfAbsent?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** `ADD attr value`: atomic counter. */
  readonly add?: Readonly<Record<string, number>>;
}

export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export function buildUpdate(spec: UpdateSpec): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const name = (attribute: string) => {
    const placeholder = `#a${Object.keys(names).length}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  const value = (v: unknown) => {
    const placeholder = `:v${Object.keys(values).length}`;
    values[placeholder] = v;
    return placeholder;
  };

  const set = [
    ...Object.entries(spec.set ?? {}).map(([a, v]) => `${name(a)} = ${value(v)}`),
    ...Object.entries(spec.setIfAbsent ?? {}).map(([a, v]) => {
      const n = name(a);
      return `${n} = if_not_exists(${n}, ${value(v)})`;
    }),
  ];
  const remove = (spec.remove ?? []).map(name);
  const add = Object.entries(spec.add ?? {}).map(([a, v]) => `${name(a)} ${value(v)}`);

  const clauses = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
    add.length ? `ADD ${add.join(', ')}` : '',
  ].filter(Boolean);
  if (clauses.length === 0) throw new Error('empty update');
  return {
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
