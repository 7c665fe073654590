// What the bare twins share: one plain DynamoDB client per container, the table name, a response,
// and the partner-key check every partner route makes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

export const dynamodb = new DynamoDBClient({});
export const table = process.env.TABLE_NAME!;

export const json = (statusCode: number, body: unknown) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const keys = new Map<string, { item: Record<string, AttributeValue> | undefined; expires: number }>();

/**
 * The partner-key check, bare: the key item read once a minute per container (as the real
 * handlers cache it), the secret's hash compared on every request. True when the key is valid.
 */
export async function authenticateBare(headers: Record<string, string | undefined> | undefined): Promise<boolean> {
  const [id = '', secret = ''] = (headers?.authorization ?? '').slice(7).split('.');
  let cached = keys.get(id);
  if (!cached || cached.expires <= Date.now()) {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `APIKEY#${id}` }, sk: { S: 'APIKEY' } },
        ConsistentRead: true,
      }),
    );
    cached = { item: Item, expires: Date.now() + 60_000 };
    keys.set(id, cached);
  }
  const stored = Buffer.from(cached.item?.secret_hash?.S ?? '', 'base64url');
  const presented = createHash('sha256').update(secret).digest();
  return stored.length === presented.length && timingSafeEqual(stored, presented) && !cached.item?.revoked_at;
}

/**
 * The purchaser job for a request with purchases, as the real function does it: one consistent
 * read of the purchaser and its purchases, then the purchaser and each purchase written (the same
 * attributes), in parallel.
 */
export async function upsertPurchaserBare(
  trkref: string,
  rawEmail: string,
  fields: Record<string, string>,
  lines: { order_ref: string; sku: string }[],
) {
  const email = rawEmail.trim().toLowerCase();
  const pk = { S: `ORG#${trkref}#EMAIL#${email}` };
  const now = { S: `${new Date().toISOString().slice(0, 19)}Z` };
  const purchaserId = { S: `pur_${randomBytes(16).toString('hex')}` };
  await dynamodb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: {
          Keys: [
            { pk, sk: { S: 'PURCHASER' } },
            ...lines.map((l) => ({ pk, sk: { S: `PURCHASE#${l.order_ref}#${l.sku}` } })),
          ],
          ConsistentRead: true,
        },
      },
    }),
  );
  const names = Object.keys(fields);
  await Promise.all([
    dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk, sk: { S: 'PURCHASER' } },
        UpdateExpression:
          'SET entity = :entity, trkref = :trkref, email = :email, updated_at = :now, ' +
          names.map((_, i) => `#f${i} = :f${i}, `).join('') +
          'id = if_not_exists(id, :id), created_at = if_not_exists(created_at, :now) ADD version :one',
        ConditionExpression: ['attribute_not_exists(pk)', ...names.map((_, i) => `#f${i} <> :f${i}`)].join(' OR '),
        ExpressionAttributeNames: Object.fromEntries(names.map((f, i) => [`#f${i}`, f])),
        ExpressionAttributeValues: {
          ':entity': { S: 'purchaser' },
          ':trkref': { S: trkref },
          ':email': { S: email },
          ':now': now,
          ':id': purchaserId,
          ':one': { N: '1' },
          ...Object.fromEntries(Object.values(fields).map((v, i) => [`:f${i}`, { S: v }])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
    ...lines.map((l) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk, sk: { S: `PURCHASE#${l.order_ref}#${l.sku}` } },
          UpdateExpression:
            'SET entity = :entity, trkref = :trkref, email = :email, purchaser_id = :pid, order_ref = :o, sku = :s, updated_at = :now, ' +
            'review_state = if_not_exists(review_state, :r), review_token = if_not_exists(review_token, :t), created_at = if_not_exists(created_at, :now)',
          ExpressionAttributeValues: {
            ':entity': { S: 'purchase' },
            ':trkref': { S: trkref },
            ':email': { S: email },
            ':pid': purchaserId,
            ':o': { S: l.order_ref },
            ':s': { S: l.sku },
            ':r': { S: 'not_reviewed' },
            ':t': { S: randomBytes(16).toString('base64url') },
            ':now': now,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    ),
  ]);
}
