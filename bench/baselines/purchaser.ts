// Bare twin of CreatePurchaser: the same reads and writes, no middleware, no validation.
import { json, upsertPurchaserBare, withTrkref } from './shared.ts';

export const handler = withTrkref(async (trkref, event) => {
  const { email, purchases = [], ...fields } = JSON.parse(event.body ?? '{}');
  await upsertPurchaserBare(trkref, email, fields, purchases);
  return json(201, { email, ...fields, purchases });
});
