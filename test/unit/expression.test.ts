import { describe, expect, it } from 'vitest';
import { absent, and, buildExpression, equals, lessThan, or } from '../../functions/store/expression.ts';

describe('buildExpression', () => {
  it('uses placeholders for every name and value', () => {
    expect(
      buildExpression({
        changes: { set: { name: 'x' }, setIfAbsent: { created_at: 't' }, remove: ['title'], add: { version: 1 } },
      }),
    ).toEqual({
      UpdateExpression: 'SET #a0 = :v0, #a1 = if_not_exists(#a1, :v1) REMOVE #a2 ADD #a3 :v2',
      ExpressionAttributeNames: { '#a0': 'name', '#a1': 'created_at', '#a2': 'title', '#a3': 'version' },
      ExpressionAttributeValues: { ':v0': 'x', ':v1': 't', ':v2': 1 },
    });
  });

  it('builds the condition in the same placeholder scheme, one name per attribute', () => {
    expect(
      buildExpression({
        changes: { set: { status: 'done' } },
        condition: or(absent('pk'), and(equals('status', 'open'), lessThan('expires_at', 5))),
      }),
    ).toEqual({
      UpdateExpression: 'SET #a0 = :v0',
      ConditionExpression: '(attribute_not_exists(#a1) OR (#a0 = :v1 AND #a2 < :v2))',
      ExpressionAttributeNames: { '#a0': 'status', '#a1': 'pk', '#a2': 'expires_at' },
      ExpressionAttributeValues: { ':v0': 'done', ':v1': 'open', ':v2': 5 },
    });
  });

  it('omits what is not there, and refuses an empty update', () => {
    expect(buildExpression({ changes: { remove: ['a'] } })).toEqual({
      UpdateExpression: 'REMOVE #a0',
      ExpressionAttributeNames: { '#a0': 'a' },
    });
    expect(buildExpression({ condition: absent('pk') })).toEqual({
      ConditionExpression: 'attribute_not_exists(#a0)',
      ExpressionAttributeNames: { '#a0': 'pk' },
    });
    expect(buildExpression({})).toEqual({});
    expect(() => buildExpression({ changes: {} })).toThrow();
  });
});
