// What the registry tells other systems about its own changes, derived from the table's stream
// (so every write that succeeded is announced, and nothing is announced that did not happen):
//
//   customer.created    { organisation, customer_id, external_id, source_platform, source_platform_id, created_at }
//   customer.erased     { organisation, customer_id, erased_at }
//   purchaser.upserted  { organisation, purchaser_id, created, changed_fields, purchases: [
//                           { order_ref, sku, change, changed_fields, review_state, purchase_date?, contacted_at? } ] }
//   purchaser.erased    { organisation, purchaser_id, erased_at }
//
// customer.created is a customer's first record only: a record moved to a new key by an email
// change is inserted too, but with a version above 1 (records from before versions have none, and
// were created). The erasures are announced when their tombstone appears (an insert, or for a
// customer the id item becoming the tombstone), not when it is written again; erased_at is ISO
// 8601 UTC as stored (to the millisecond for customers, to the second for purchasers).
//
// Changes of one purchaser within one batch of stream records make one event. Events name people
// by id only: no email, name or address, and for purchasers the names of the fields that changed,
// not their values. Delivery is at least once (a retried batch may announce a change again).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { DomainEventType } from '../../contract/events.ts';
import { PURCHASER_FIELDS } from '../purchasers/model.ts';

export interface DomainEvent {
  readonly type: DomainEventType;
  readonly detail: Record<string, unknown>;
  /** Sequence numbers of the stream records it was derived from. */
  readonly records: readonly string[];
}

/** Purchase attributes whose changes consumers hear about. */
const PURCHASE_FIELDS = ['review_state', 'review_url', 'contacted_at', 'purchase_date'] as const;

type Item = Record<string, unknown>;

interface PurchaserChange {
  organisation: string;
  purchaser_id: string | null;
  created: boolean;
  changed_fields: Set<string>;
  purchases: Map<string, { item: Item; change: 'created' | 'updated'; changed_fields: Set<string> }>;
  records: string[];
}

export function toDomainEvents(records: readonly DynamoDBRecord[]): DomainEvent[] {
  const events: DomainEvent[] = [];
  const purchasers = new Map<string, PurchaserChange>();

  for (const record of records) {
    if (record.eventName === 'REMOVE' || !record.dynamodb?.NewImage) continue;
    const sequence = record.dynamodb.SequenceNumber ?? '';
    const now = image(record.dynamodb.NewImage);
    const before = record.dynamodb.OldImage ? image(record.dynamodb.OldImage) : undefined;

    if (now.entity === 'customer-erased' || now.entity === 'purchaser-erased') {
      if (before?.entity !== now.entity) events.push(erasure(now, sequence));
      continue;
    }

    if (now.entity === 'customer') {
      if (before || (typeof now.version === 'number' && now.version > 1)) continue;
      events.push({
        type: 'customer.created',
        detail: {
          organisation: now.corporation_id,
          customer_id: now.id,
          external_id: now.external_id ?? null,
          source_platform: now.source_platform ?? null,
          source_platform_id: now.source_platform_id ?? null,
          // Unix seconds, as the event has always said (stored to the millisecond since the dialects).
          created_at:
            typeof now.created_at === 'string' ? Math.floor(Date.parse(now.created_at) / 1000) : now.created_at,
        },
        records: [sequence],
      });
      continue;
    }

    if (now.entity !== 'purchaser' && now.entity !== 'purchase') continue;
    // A purchase only review events know (its order has not arrived) is announced with its order.
    if (now.entity === 'purchase' && typeof now.review_token !== 'string') continue;

    const group = groupFor(purchasers, String(now.pk), String(now.trkref));
    if (now.entity === 'purchaser') {
      group.purchaser_id = String(now.id);
      group.created ||= !before;
      for (const field of changedFields(PURCHASER_FIELDS, before, now)) group.changed_fields.add(field);
    } else {
      const createdNow = !before || typeof before.review_token !== 'string';
      const changed = changedFields(PURCHASE_FIELDS, createdNow ? undefined : before, now);
      if (!createdNow && changed.length === 0) continue;
      group.purchaser_id ??= typeof now.purchaser_id === 'string' ? now.purchaser_id : null;
      const key = String(now.sk);
      const previous = group.purchases.get(key);
      group.purchases.set(key, {
        item: now,
        change: previous?.change === 'created' || createdNow ? 'created' : 'updated',
        changed_fields: new Set([...(previous?.changed_fields ?? []), ...changed]),
      });
    }
    group.records.push(sequence);
  }

  for (const group of purchasers.values()) {
    if (!group.created && group.changed_fields.size === 0 && group.purchases.size === 0) continue;
    events.push({
      type: 'purchaser.upserted',
      detail: {
        organisation: group.organisation,
        purchaser_id: group.purchaser_id,
        created: group.created,
        changed_fields: [...group.changed_fields],
        purchases: [...group.purchases.values()].map(({ item, change, changed_fields }) => ({
          order_ref: item.order_ref,
          sku: item.sku,
          change,
          changed_fields: [...changed_fields],
          review_state: item.review_state,
          ...(item.purchase_date ? { purchase_date: item.purchase_date } : {}),
          ...(item.contacted_at ? { contacted_at: item.contacted_at } : {}),
        })),
      },
      records: group.records,
    });
  }
  return events;
}

function erasure(tombstone: Item, sequence: string): DomainEvent {
  return tombstone.entity === 'customer-erased'
    ? {
        type: 'customer.erased',
        detail: { organisation: tombstone.corporation_id, customer_id: tombstone.id, erased_at: tombstone.erased_at },
        records: [sequence],
      }
    : {
        type: 'purchaser.erased',
        detail: { organisation: tombstone.trkref, purchaser_id: tombstone.id, erased_at: tombstone.erased_at },
        records: [sequence],
      };
}

const image = (attributes: NonNullable<DynamoDBRecord['dynamodb']>['NewImage']) =>
  unmarshall(attributes as Record<string, AttributeValue>);

function groupFor(groups: Map<string, PurchaserChange>, pk: string, organisation: string): PurchaserChange {
  let group = groups.get(pk);
  if (!group) {
    group = {
      organisation,
      purchaser_id: null,
      created: false,
      changed_fields: new Set(),
      purchases: new Map(),
      records: [],
    };
    groups.set(pk, group);
  }
  return group;
}

function changedFields(fields: readonly string[], before: Item | undefined, now: Item): string[] {
  return fields.filter((field) =>
    before ? JSON.stringify(before[field]) !== JSON.stringify(now[field]) : now[field] != null,
  );
}
