// Bare twin of GetPurchaser: the API key and the organisation in the path, the purchaser's
// partition (one consistent Query), the purchaser with all its purchases, their review states and
// links.
import { json, purchaserBare, purchaserPartitionBare, refusal, withTrkref } from './shared.ts';

export const handler = withTrkref(async (trkref, event) => {
  const { purchaser, purchases } = await purchaserPartitionBare(trkref, event.pathParameters?.email ?? '');
  return purchaser ? json(200, purchaserBare(trkref, purchaser, purchases)) : refusal.native(404);
});
