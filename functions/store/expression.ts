// DynamoDB expressions from plain objects: the update (SET / REMOVE / ADD) and the condition of a
// write, with one placeholder scheme for both, so reserved words and user data never end up in
// the expression text.

/** A condition on the item as stored; build it with the functions below. */
export type Condition =
  | { readonly kind: 'exists' | 'absent'; readonly attribute: string }
  | { readonly kind: 'compare'; readonly attribute: string; readonly operator: Operator; readonly value: unknown }
  | { readonly kind: 'and' | 'or'; readonly conditions: readonly Condition[] };

type Operator = '=' | '<>' | '<' | '>';

export const exists = (attribute: string): Condition => ({ kind: 'exists', attribute });
export const absent = (attribute: string): Condition => ({ kind: 'absent', attribute });
export const equals = (attribute: string, value: unknown): Condition => ({
  kind: 'compare',
  attribute,
  operator: '=',
  value,
});
export const differs = (attribute: string, value: unknown): Condition => ({
  kind: 'compare',
  attribute,
  operator: '<>',
  value,
});
export const lessThan = (attribute: string, value: unknown): Condition => ({
  kind: 'compare',
  attribute,
  operator: '<',
  value,
});
export const and = (...conditions: Condition[]): Condition => ({ kind: 'and', conditions });
export const or = (...conditions: Condition[]): Condition => ({ kind: 'or', conditions });

export interface Changes {
  /** `attr = value` */
  readonly set?: Readonly<Record<string, unknown>>;
  /** `attr = if_not_exists(attr, value)`: written only when the item does not have it yet. */
  readonly setIfAbsent?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** `ADD attr value`: atomic counter. */
  readonly add?: Readonly<Record<string, number>>;
}

export interface ExpressionParts {
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The expression members of a command: `changes` (for UpdateItem) and `condition`, either optional. */
export function buildExpression(spec: { readonly changes?: Changes; readonly condition?: Condition }): ExpressionParts {
  const names = new Map<string, string>();
  const values: Record<string, unknown> = {};
  let valueCount = 0;
  const name = (attribute: string) => {
    let placeholder = names.get(attribute);
    if (!placeholder) {
      placeholder = `#a${names.size}`;
      names.set(attribute, placeholder);
    }
    return placeholder;
  };
  const value = (v: unknown) => {
    const placeholder = `:v${valueCount++}`;
    values[placeholder] = v;
    return placeholder;
  };
  const condition = (c: Condition): string => {
    switch (c.kind) {
      case 'exists':
        return `attribute_exists(${name(c.attribute)})`;
      case 'absent':
        return `attribute_not_exists(${name(c.attribute)})`;
      case 'compare':
        return `${name(c.attribute)} ${c.operator} ${value(c.value)}`;
      case 'and':
      case 'or':
        return `(${c.conditions.map(condition).join(` ${c.kind.toUpperCase()} `)})`;
    }
  };

  const parts: ExpressionParts = {};
  if (spec.changes) parts.UpdateExpression = update(spec.changes, name, value);
  if (spec.condition) parts.ConditionExpression = condition(spec.condition);
  if (names.size > 0) parts.ExpressionAttributeNames = Object.fromEntries([...names].map(([a, p]) => [p, a]));
  if (valueCount > 0) parts.ExpressionAttributeValues = values;
  return parts;
}

function update(changes: Changes, name: (attribute: string) => string, value: (v: unknown) => string): string {
  const set = [
    ...Object.entries(changes.set ?? {}).map(([a, v]) => `${name(a)} = ${value(v)}`),
    ...Object.entries(changes.setIfAbsent ?? {}).map(([a, v]) => {
      const n = name(a);
      return `${n} = if_not_exists(${n}, ${value(v)})`;
    }),
  ];
  const remove = (changes.remove ?? []).map(name);
  const add = Object.entries(changes.add ?? {}).map(([a, v]) => `${name(a)} ${value(v)}`);
  const clauses = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
    add.length ? `ADD ${add.join(', ')}` : '',
  ].filter(Boolean);
  if (clauses.length === 0) throw new Error('empty update');
  return clauses.join(' ');
}
