// Bare twin of CreatePurchaser: the same reads and writes, no middleware, no validation.
import { authenticateBare, json, upsertPurchaserBare } from './shared.ts';

export const handler = async (event: {
  body?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
}) => {
  if (!(await authenticateBare(event.headers))) return json(401, { message: 'unauthenticated' });
  const { email, purchases = [], ...fields } = JSON.parse(event.body ?? '{}');
  await upsertPurchaserBare(event.pathParameters!.trkref!, email, fields, purchases);
  return json(201, { email, ...fields, purchases });
};
