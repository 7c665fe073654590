import { describe, expect, it } from 'vitest';
import { buildUpdate } from '../../functions/shared/update-expression.ts';

describe('buildUpdate', () => {
  it('uses placeholders for every name and value', () => {
    expect(
      buildUpdate({ set: { name: 'x' }, setIfAbsent: { created_at: 't' }, remove: ['title'], add: { version: 1 } }),
    ).toEqual({
      UpdateExpression: 'SET #a0 = :v0, #a1 = if_not_exists(#a1, :v1) REMOVE #a2 ADD #a3 :v2',
      ExpressionAttributeNames: { '#a0': 'name', '#a1': 'created_at', '#a2': 'title', '#a3': 'version' },
      ExpressionAttributeValues: { ':v0': 'x', ':v1': 't', ':v2': 1 },
    });
  });

  it('omits values when there are none, and refuses an empty update', () => {
    expect(buildUpdate({ remove: ['a'] })).toEqual({ UpdateExpression: 'REMOVE #a0', ExpressionAttributeNames: { '#a0': 'a' } });
    expect(() => buildUpdate({})).toThrow();
  });
});
