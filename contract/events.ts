// The event catalogue: what the registry takes in from order and review systems (one EventBridge
// rule per type, all into the ingest queue), what it publishes about its own changes, and the two
// functions that do it. The stack, the local tools (npm run event, npm start) and the handlers
// read it, as they read the route table for HTTP.
import type { FunctionRow, TableGrant } from './routes.ts';

export const incomingEventTypes = [
  'order.placed',
  'review.invitation_sent',
  'review.submitted',
  'review.rejected',
  'review.approved',
  'review.published',
] as const;
export type IncomingEventType = (typeof incomingEventTypes)[number];

/** `source` of the domain events the registry publishes. */
export const DOMAIN_EVENT_SOURCE = 'purchaser-registry';
const domainEventTypes = ['customer.created', 'customer.erased', 'purchaser.upserted', 'purchaser.erased'] as const;
export type DomainEventType = (typeof domainEventTypes)[number];

/**
 * The entities (items' `entity`) domain events are made of: the stream wakes the publisher only
 * for inserts and changes of these (the erased ones are the tombstones erasure leaves).
 */
export const announcedEntities = ['customer', 'customer-erased', 'purchaser', 'purchase', 'purchaser-erased'] as const;

/**
 * Creating or changing a purchaser, from an order event or over HTTP: its item and purchases read
 * in one batch, then updated (as a review event updates a purchase).
 */
export const purchaserUpserts = {
  tableActions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
  items: ['person'],
} as const satisfies TableGrant;

/** Consumes the ingest queue: order.placed creates or updates purchasers, review.* their purchases. */
export const ingestRow: FunctionRow = {
  name: 'Ingest',
  entry: 'functions/events/ingest.ts',
  environment: ['REVIEW_URL_HOSTS'],
  grants: [purchaserUpserts],
  timeoutSeconds: 30,
};

/** Consumes the table's stream and publishes domain events on the bus; it reads no items itself. */
export const publisherRow: FunctionRow = {
  name: 'Publisher',
  entry: 'functions/events/publish.ts',
  grants: [],
  environment: ['EVENT_BUS_NAME'],
  timeoutSeconds: 30,
};
