// Bare twin of CreatePurchaser: the same reads and writes, no middleware, no validation.
import { json, upsertPurchaserBare } from './shared.ts';

export const handler = async (event: { body?: string; pathParameters?: Record<string, string> }) => {
  const { email, purchases = [], ...fields } = JSON.parse(event.body ?? '{}');
  await upsertPurchaserBare(event.pathParameters!.trkref!, email, fields, purchases);
  return json(201, { email, ...fields, purchases });
};
