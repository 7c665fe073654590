// Bare twin of the ingest function: order.placed messages, the same reads and writes.
import { upsertPurchaserBare } from './shared.ts';

export const handler = async (event: { Records: { body: string }[] }) => {
  for (const record of event.Records) {
    const { detail } = JSON.parse(record.body);
    const { email, ...fields } = detail.customer;
    await upsertPurchaserBare(
      detail.trkref,
      email,
      fields,
      detail.lines.map((l: { sku: string }) => ({ order_ref: detail.order_ref, sku: l.sku })),
    );
  }
  return { batchItemFailures: [] };
};
