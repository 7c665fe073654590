// Bare twin of the authorizer: read the key, compare the secret's hash, answer.

import { createHash, timingSafeEqual } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb, table } from './shared.ts';

export const handler = async (event: { headers: Record<string, string> }) => {
  const [id, secret] = (event.headers.authorization ?? '').slice(7).split('.');
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: `APIKEY#${id}` }, sk: { S: 'APIKEY' } },
      ConsistentRead: true,
    }),
  );
  const stored = Buffer.from(Item?.secret_hash?.S ?? '', 'base64url');
  const presented = createHash('sha256')
    .update(secret ?? '')
    .digest();
  const ok = stored.length === presented.length && timingSafeEqual(stored, presented);
  return {
    isAuthorized: true,
    context: { authenticated: String(ok), orgs: Item?.orgs?.L?.map((o) => o.S).join(',') ?? '' },
  };
};
