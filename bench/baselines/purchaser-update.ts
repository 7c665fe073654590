// Bare twin of UpdatePurchaser: the API key and the organisation in the path, the purchaser job of
// the create for a purchaser that exists (a consistent BatchGetItem of it and the purchases named,
// then its UpdateItem and one per new purchase, in parallel), the purchaser with the request's
// purchases.
import { json, purchaserBare, refusal, upsertPurchaserBare, withTrkref } from './shared.ts';

export const handler = withTrkref(async (trkref, event) => {
  const { email: _, purchases = [], ...fields } = JSON.parse(event.body ?? '{}');
  const saved = await upsertPurchaserBare(trkref, event.pathParameters?.email ?? '', fields, purchases, {
    existing: true,
  });
  return saved ? json(200, purchaserBare(trkref, saved.purchaser, saved.purchases)) : refusal.native(404);
});
