// Bare twin of CreateCustomer, and the baseline of the definition: parse, one PutItem of
// the same item the real handler stores (keys, index keys, every field sent), answer.

import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { authenticateBare, dynamodb, json, table } from './shared.ts';

const text = (value: unknown) => ({ S: String(value) });

export const handler = async (event: { body?: string; headers?: Record<string, string> }) => {
  if (!(await authenticateBare(event.headers))) return json(401, { message: 'unauthenticated' });
  const body = JSON.parse(event.body ?? '{}');
  const id = `cust_${randomBytes(16).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const email = String(body.email).trim().toLowerCase();
  const address = body.shipping_address ?? {};
  await dynamodb.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: text(`ORG#${body.corporation_id}#EMAIL#${email}`),
        sk: text('CUSTOMER'),
        gsi1pk: text(`ORG#${body.corporation_id}#CUSTOMER#${id}`),
        gsi1sk: text('CUSTOMER'),
        entity: text('customer'),
        id: text(id),
        corporation_id: text(body.corporation_id),
        name: text(body.name),
        email: text(email),
        external_id: text(body.external_id),
        shipping_address: { M: Object.fromEntries(Object.entries(address).map(([k, v]) => [k, text(v)])) },
        created_at: { N: String(created) },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
  return json(201, {
    data: {
      id,
      name: body.name,
      email,
      corporation_id: body.corporation_id,
      external_id: body.external_id ?? null,
      shipping_address: body.shipping_address ?? null,
      created_at: created,
      source_platform_id: null,
      source_platform: null,
    },
    message: 'Successfully created customer.',
  });
};
