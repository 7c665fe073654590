// Bare twin of ListPurchases: the API key and the organisation in the path, the purchaser's
// partition (one consistent Query), its purchases newest first up to `limit`, with their review
// states and links, and the signed cursor of the next page when there is one.
import { json, purchaseBare, purchaserPartitionBare, refusal, sealCursorBare, withTrkref } from './shared.ts';

export const handler = withTrkref(async (trkref, event) => {
  const email = (event.pathParameters?.email ?? '').trim().toLowerCase();
  const { purchaser, purchases } = await purchaserPartitionBare(trkref, email);
  if (!purchaser) return refusal.native(404);
  const page = purchases.slice(0, Number(event.queryStringParameters?.limit ?? 25));
  const last = page.at(-1);
  const position = JSON.stringify([last?.created_at?.S ?? '', last?.sk?.S ?? '']);
  return json(200, {
    purchases: page.map((item) => purchaseBare(trkref, item)),
    next_cursor:
      purchases.length > page.length ? sealCursorBare([trkref, 'ListPurchases', [['email', email]]], position) : null,
  });
});
