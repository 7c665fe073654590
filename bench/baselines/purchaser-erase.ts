// Bare twin of ErasePurchaser: the API key and the organisation in the path, the purchaser erased
// as erasure.ts does it (its partition read, its purchases and stored answers deleted, one
// transaction for its item and tombstone, then what was added meanwhile), 204.
import { erasePurchaserBare, refusal, withTrkref } from './shared.ts';

export const handler = withTrkref(async (trkref, event) => {
  const erased = await erasePurchaserBare(trkref, event.pathParameters?.email ?? '');
  return erased ? { statusCode: 204 } : refusal.native(404);
});
