// Customers of an organisation: create (email unique per organisation), read by id or email, list,
// change and erase. One record serves every contract that speaks of customers (the native
// `/customers`, the KohortPay and Commerce Layer dialects): each reads and writes the fields it
// knows, and presents the record in its own shape.
//
// A customer with an email lives in its person partition (`ORG#<corp>#EMAIL#<email>`, sort key
// CUSTOMER), so the uniqueness of the email is the item's key. Its id item
// (`ORG#<corp>#CUSTOMER#<id>`) refers to that record, and is written in the same transaction:
// creating is one TransactWriteItems of two puts, each conditional on its key being free (a taken
// email fails and names the existing customer in the same call); reading by id is two consistent
// GetItems. A customer without an email is its id item. Changing the email moves the record to its
// new key in one transaction (409 when the new address is taken); erasing deletes the record and
// turns the id item into a tombstone without personal data.
//
// Every customer is listed by its id item, the item that never moves, in the lookup index under one
// of its organisation's list partitions (keys.ts customerListKey), in creation order: listing
// merges the partitions, then reads the records of a page in one consistent batch (listCustomers).
// An email change moves the record, never the list entry, so paging meanwhile neither repeats
// nor skips the customer, even while the index catches up on AWS.
import { randomBytes } from 'node:crypto';
import { ScanCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { forgetAnswersAbout } from '../http/idempotency.ts';
import type { KeyMode } from '../http/principal.ts';
import type { Store } from '../store/client.ts';
import { decoder, encode, type Item, read } from '../store/codec.ts';
import { StoreBusyError } from '../store/errors.ts';
import { absent, and, buildExpression, type Condition, equals } from '../store/expression.ts';
import {
  customerCounterKey,
  customerCounterKeys,
  customerIdKey,
  customerKey,
  customerListKey,
  customerListPartitions,
  type ItemKey,
  normaliseEmail,
  replaysPartition,
} from '../store/keys.ts';
import { countIndexPartition, getItem, getItems, queryIndexPage } from '../store/read.ts';
import { type ItemWrite, itemAbsent, type TransactionResult, writeItem, writeItems } from '../store/write.ts';
import { hashPassword } from './passwords.ts';

/** An address as a contract sends it: every field optional. */
export interface AddressInput {
  readonly line1?: string | null;
  readonly line2?: string | null;
  readonly city?: string | null;
  readonly state?: string | null;
  readonly postal_code?: string | null;
  /** ISO 3166-1 alpha-2. */
  readonly country?: string | null;
  /** The country as written, when it is not a code (KohortPay takes free text such as "France"). */
  readonly country_name?: string | null;
  readonly company_name?: string | null;
  readonly vat_number?: string | null;
  readonly registration_number?: string | null;
}

/** An address as stored: every field present, unknown ones null, and an id of its own (`adr_…`). */
export type Address = { readonly id: string | null } & { readonly [K in keyof AddressInput]-?: string | null };

export interface NewCustomer {
  readonly corporation_id: string;
  /** Stored as email.ts spells it; null for a customer known without one (native contract only). */
  readonly email: string | null;
  readonly name?: string | null;
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly phone?: string | null;
  readonly locale?: string | null;
  /** The partner's own reference (`external_id`, `clientReferenceId`, `reference`). */
  readonly external_id?: string | null;
  readonly reference_origin?: string | null;
  readonly shipping_address?: AddressInput | null;
  readonly billing_address?: AddressInput | null;
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  /** Kept only as a slow salted hash (passwords.ts). */
  readonly password?: string | null;
  readonly customer_group_id?: string | null;
  readonly source_platform?: string | null;
  readonly source_platform_id?: string | null;
  /** The API key that creates it, and that key's mode. */
  readonly created_by: string | null;
  readonly mode: KeyMode;
}

export interface Customer {
  readonly id: string;
  readonly corporation_id: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly phone: string | null;
  readonly locale: string | null;
  readonly external_id: string | null;
  readonly reference_origin: string | null;
  readonly shipping_address: Address | null;
  readonly billing_address: Address | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly has_password: boolean;
  readonly customer_group_id: string | null;
  readonly source_platform: string | null;
  readonly source_platform_id: string | null;
  readonly mode: KeyMode;
  readonly created_by: string | null;
  readonly updated_by: string | null;
  /** ISO 8601 UTC with milliseconds. */
  readonly created_at: string;
  readonly updated_at: string;
}

export class DuplicateCustomerError extends Error {
  override readonly name = 'DuplicateCustomerError';
  readonly existingId: string;
  constructor(existingId: string) {
    super('a customer with this email already exists in this corporation');
    this.existingId = existingId;
  }
}

export interface CustomerDeps {
  readonly now: () => Date;
  readonly newCustomerId: () => string;
}

/** `cust_` and 128 random bits (32 hex digits: what the dialects' ids are made from, see ids.ts). */
export const newCustomerId = () => `cust_${randomBytes(16).toString('hex')}`;
const newAddressId = () => `adr_${randomBytes(12).toString('hex')}`;

const address = (input: AddressInput | null | undefined): Address | null =>
  input
    ? {
        id: newAddressId(),
        line1: input.line1 ?? null,
        line2: input.line2 ?? null,
        city: input.city ?? null,
        state: input.state ?? null,
        postal_code: input.postal_code ?? null,
        country: input.country ?? null,
        country_name: input.country_name ?? null,
        company_name: input.company_name ?? null,
        vat_number: input.vat_number ?? null,
        registration_number: input.registration_number ?? null,
      }
    : null;

export async function createCustomer(store: Store, input: NewCustomer, deps: CustomerDeps): Promise<Customer> {
  const at = deps.now().toISOString();
  const customer: Customer = {
    id: deps.newCustomerId(),
    corporation_id: input.corporation_id,
    email: input.email === null ? null : normaliseEmail(input.email),
    name: input.name ?? null,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    phone: input.phone ?? null,
    locale: input.locale ?? null,
    external_id: input.external_id ?? null,
    reference_origin: input.reference_origin ?? null,
    shipping_address: address(input.shipping_address),
    billing_address: address(input.billing_address),
    metadata: input.metadata ?? null,
    has_password: Boolean(input.password),
    customer_group_id: input.customer_group_id ?? null,
    source_platform: input.source_platform ?? null,
    source_platform_id: input.source_platform_id ?? null,
    mode: input.mode,
    created_by: input.created_by,
    updated_by: input.created_by,
    created_at: at,
    updated_at: at,
  };
  const record = recordItem(customer, input.password ? await hashPassword(input.password) : undefined, 1);
  if (!customer.email) {
    const result = await writeItem(store, { put: record, condition: itemAbsent });
    // Our own write, found by the SDK's retry of it (the first attempt landed, its answer was lost).
    if (!result.written && result.old?.id !== customer.id) throw new Error('customer id collision');
  } else {
    const result = await writeItems(store, [
      { put: record, condition: itemAbsent },
      { put: referenceItem({ ...customer, email: customer.email }), condition: itemAbsent },
    ]);
    const taken = result.written ? undefined : result.failed[0];
    // A retry of our own transaction whose first attempt landed finds our own items.
    if (taken?.conditionFailed && taken.old?.id !== customer.id) {
      throw new DuplicateCustomerError(typeof taken.old?.id === 'string' ? taken.old.id : 'unknown');
    }
  }
  await count(store, customer, 1);
  return customer;
}

/**
 * Keeps the organisation's total (what the dialects' lists report) beside the records: an ADD on
 * the counter of the customer's list partition, after its record is written. Not in the
 * record's transaction: transactions on one counter would conflict under a tenant's concurrent
 * creates, plain ADDs do not.
 *
 * An ADD is not idempotent, so it is sent once, never retried (a retry of one that landed but
 * whose answer was lost would count the customer twice), and its failure does not fail the
 * request, whose record is written. A count can therefore drift by an ADD that failed, or a crash
 * between the two writes; `npm run migrate -- --recount` counts again.
 */
async function count(store: Store, customer: Pick<Customer, 'corporation_id' | 'id'>, change: 1 | -1) {
  const command = new UpdateCommand({
    TableName: store.tableName,
    Key: customerCounterKey(customer.corporation_id, customer.id),
    ...buildExpression({ changes: { set: { entity: 'customer-count' }, add: { customers: change } } }),
  } as UpdateCommandInput);
  // Inside the SDK's retries, which number each attempt in a header: a second one is refused, not sent.
  command.middlewareStack.add(
    (next) => async (args) => {
      const attempt = (args.request as { headers?: Record<string, string> }).headers?.['amz-sdk-request'] ?? '';
      if (!/^attempt=1\b/.test(attempt)) {
        throw Object.assign(new Error('a counter update is sent once'), { name: 'NotRepeated' });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low' },
  );
  await store.doc.send(command).catch(() => undefined);
}

/** The record's item: where it lives (by email, or by id without one), listed, with its version. */
function recordItem(customer: Customer, passwordHash: string | undefined, version: number): Item {
  const { has_password: _, metadata, ...stored } = customer;
  return {
    ...customerKey(customer.corporation_id, customer.email ? { email: customer.email } : { id: customer.id }),
    // Without an email the record is the id item, and is listed itself.
    ...(customer.email ? {} : listed(customer)),
    entity: 'customer',
    ...encode(stored),
    // As JSON text: kept exactly as sent, whatever its nesting (a map's depth is limited).
    ...(metadata ? { metadata: JSON.stringify(metadata) } : {}),
    ...(passwordHash ? { password_hash: passwordHash } : {}),
    version,
  };
}

/**
 * The id item of a customer with an email: where its record is. It is what lists the customer (an
 * item that never moves, whatever the email becomes), with the members lists filter on.
 */
const referenceItem = (customer: Customer & { readonly email: string }): Item => ({
  ...customerIdKey(customer.corporation_id, customer.id),
  entity: 'customer-ref',
  id: customer.id,
  corporation_id: customer.corporation_id,
  email: customer.email,
  ...listed(customer),
});

/** What lists a customer: its list key, and the members a list may filter on. */
const listed = (customer: Customer): Item => ({
  ...customerListKey(customer.corporation_id, customer.id, customer.created_at),
  ...encode({ external_id: customer.external_id, source_platform: customer.source_platform }),
});

const hasEmail = (customer: Customer): customer is Customer & { readonly email: string } => customer.email !== null;

/** The customer's record item, read consistently through its id item, or undefined. */
async function recordById(store: Store, corporationId: string, id: string): Promise<Item | undefined> {
  // Twice at most: an email changed between the two reads moves the record the reference named.
  for (let attempt = 0; attempt < 2; attempt++) {
    const reference = await getItem(store, customerIdKey(corporationId, id));
    if (reference?.entity === 'customer') return reference.id === id ? reference : undefined;
    if (reference?.entity !== 'customer-ref' || typeof reference.email !== 'string') return undefined;
    const record = await getItem(store, customerKey(corporationId, { email: reference.email }));
    if (record?.id === id) return record;
  }
  return undefined;
}

export async function getCustomerById(store: Store, corporationId: string, id: string): Promise<Customer | undefined> {
  const item = await recordById(store, corporationId, id);
  return item && toCustomer(item);
}

export async function getCustomerByEmail(
  store: Store,
  corporationId: string,
  email: string,
): Promise<Customer | undefined> {
  const item = await getItem(store, customerKey(corporationId, { email }));
  return item && toCustomer(item);
}

const toAddress = decoder<Address>({
  id: read.text,
  line1: read.text,
  line2: read.text,
  city: read.text,
  state: read.text,
  postal_code: read.text,
  country: read.text,
  country_name: read.text,
  company_name: read.text,
  vat_number: read.text,
  registration_number: read.text,
});

/** Customers stored before timestamps had milliseconds kept Unix seconds. */
const instant = (value: unknown, item: Item, attribute: string): string =>
  typeof value === 'number' ? new Date(value * 1000).toISOString() : read.string(value, item, attribute);

const toCustomer = decoder<Customer>({
  id: read.string,
  corporation_id: read.string,
  email: read.text,
  name: read.text,
  first_name: read.text,
  last_name: read.text,
  phone: read.text,
  locale: read.text,
  external_id: read.text,
  reference_origin: read.text,
  shipping_address: read.map(toAddress),
  billing_address: read.map(toAddress),
  metadata: (value) => (typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : null),
  has_password: (_value, item) => typeof item.password_hash === 'string',
  customer_group_id: read.text,
  source_platform: read.text,
  source_platform_id: read.text,
  mode: (value) => (value === 'test' ? 'test' : 'live'),
  created_by: read.text,
  updated_by: read.text,
  created_at: instant,
  updated_at: (value, item) =>
    value === undefined ? instant(item.created_at, item, 'created_at') : instant(value, item, 'updated_at'),
});

// Listing. Each list partition is in creation order (created_at, then id); a page queries every
// partition from one position in parallel, merges, and moves the position only as far as every
// partition has been read, so no customer is skipped or given twice, whatever is written meanwhile.

export interface CustomerFilters {
  readonly email?: string | undefined;
  readonly external_id?: string | undefined;
  readonly source_platform?: string | undefined;
}

export interface ListQuery {
  /** Customers wanted (the page size). */
  readonly limit: number;
  /** Where the previous page ended (its `next`). */
  readonly after?: string | undefined;
  /** Oldest first unless descending. */
  readonly descending?: boolean;
  readonly filters?: CustomerFilters;
}

export interface CustomerPage {
  readonly customers: Customer[];
  /** Where the next page starts, when there may be more. */
  readonly next?: string;
  /**
   * Rounds of list partition queries this page took (each: one Query per partition, in parallel);
   * then one more round trip reads the page's records in one batch.
   */
  readonly rounds: number;
}

/** Most rounds of parallel queries one page may take when filters leave pages thin. */
const MAX_LIST_ROUNDS = 3;

export async function listCustomers(store: Store, corporationId: string, query: ListQuery): Promise<CustomerPage> {
  const filters = query.filters ?? {};
  if (filters.email !== undefined) {
    // One person at most: read by its key, consistently; one page, no cursor.
    const found = await getCustomerByEmail(store, corporationId, filters.email);
    const matches = found && matchesFilters(found, filters) ? [found] : [];
    return { customers: matches, rounds: 0 };
  }
  const { listed, ...page } = await collect(store, corporationId, query, MAX_LIST_ROUNDS);
  return { customers: await recordsOf(store, corporationId, listed), ...page };
}

/** Largest offset + size the offset-paged dialects may ask for: deeper pages cost more than a page should. */
export const MAX_OFFSET_WINDOW = 10_000;

/**
 * Offset paging (the dialects' `skip`/`take`, `page[number]`/`page[size]`): the customers at
 * `offset` to `offset + size`. Reads every customer before them, so the window is bounded
 * (MAX_OFFSET_WINDOW): a RangeError past it.
 */
export async function customersAt(store: Store, corporationId: string, window: CustomerWindow): Promise<Customer[]> {
  if (window.offset + window.size > MAX_OFFSET_WINDOW) throw new RangeError('offset window too deep');
  const filters = window.filters ?? {};
  if (filters.email !== undefined) {
    const { customers } = await listCustomers(store, corporationId, { limit: 1, filters });
    return customers.slice(window.offset, window.offset + window.size);
  }
  const page = await collect(
    store,
    corporationId,
    { limit: window.offset + window.size, descending: window.descending, filters },
    Number.POSITIVE_INFINITY,
  );
  // Only the window's records are read: the customers before it are passed over as id items.
  return recordsOf(store, corporationId, page.listed.slice(window.offset));
}

/** A window of offset paging (`customersAt`). */
export interface CustomerWindow {
  readonly offset: number;
  readonly size: number;
  readonly descending?: boolean;
  readonly filters?: CustomerFilters;
}

/**
 * What an offset-paged list answers: the customers of the window and how many match in all, read
 * in parallel (an email is one read for both). A RangeError past MAX_OFFSET_WINDOW.
 */
export async function customersPage(
  store: Store,
  corporationId: string,
  window: CustomerWindow,
): Promise<{ readonly customers: Customer[]; readonly total: number }> {
  if (window.filters?.email !== undefined) {
    const { customers } = await listCustomers(store, corporationId, { limit: 1, filters: window.filters });
    return { customers: customers.slice(window.offset, window.offset + window.size), total: customers.length };
  }
  const [customers, total] = await Promise.all([
    window.size === 0 ? [] : customersAt(store, corporationId, window),
    countCustomers(store, corporationId, window.filters),
  ]);
  return { customers, total };
}

/**
 * How many customers the organisation has: its counters, in one batch read (1 round trip,
 * whatever its size). With a filter, the matching customers of every list partition, counted
 * (a cost that grows with the organisation).
 */
export async function countCustomers(
  store: Store,
  corporationId: string,
  filters: CustomerFilters = {},
): Promise<number> {
  if (filters.email !== undefined) {
    return (await listCustomers(store, corporationId, { limit: 1, filters })).customers.length;
  }
  if (filters.external_id === undefined && filters.source_platform === undefined) {
    const counters = await getItems(store, customerCounterKeys(corporationId));
    return counters.reduce((sum, counter) => sum + (typeof counter.customers === 'number' ? counter.customers : 0), 0);
  }
  const counts = await Promise.all(
    customerListPartitions(corporationId).map((partition) =>
      countIndexPartition(store, partition, filterCondition(filters)),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** A page of id items (listed customers), before their records are read. */
interface ListedPage {
  readonly listed: readonly Item[];
  readonly next?: string;
  readonly rounds: number;
}

async function collect(store: Store, corporationId: string, query: ListQuery, maxRounds: number): Promise<ListedPage> {
  const descending = query.descending === true;
  const before = (a: string, b: string) => (descending ? a > b : a < b);
  const filter = filterCondition(query.filters ?? {});
  const partitions = customerListPartitions(corporationId);
  // The id items given, across rounds (the caller reads their records once, in one batch).
  const given: Item[] = [];
  const page = (next?: string): ListedPage => ({ listed: given, ...(next === undefined ? {} : { next }), rounds });
  let position = query.after;
  let open = partitions;
  let rounds = 0;
  while (given.length < query.limit && open.length > 0 && rounds < maxRounds) {
    rounds++;
    const need = query.limit - given.length;
    const pages = await Promise.all(
      open.map(async (partition) => ({
        partition,
        ...(await queryIndexPage(store, { partition, after: position, limit: need, descending, filter })),
      })),
    );
    // How far every partition still open has been read: nothing beyond it may be given yet.
    let frontier: string | undefined;
    for (const page of pages) {
      if (page.last !== undefined && (frontier === undefined || before(page.last, frontier))) frontier = page.last;
    }
    const merged = pages
      .flatMap((page) => page.items)
      .filter((item) => frontier === undefined || !before(frontier, String(item.gsi1sk)))
      .sort((a, b) => (before(String(a.gsi1sk), String(b.gsi1sk)) ? -1 : 1));
    const taken = merged.slice(0, need);
    given.push(...taken);
    // Given up to here: the last customer taken (a full page), or the frontier (all below it taken).
    const reached = taken.length === need ? String(taken[taken.length - 1]?.gsi1sk) : frontier;
    if (reached === undefined) return page();
    position = reached;
    // A partition stays open while it may hold customers past the position: unread ones, or ones
    // read this round beyond what could be given (a partition read to its end included).
    open = pages
      .filter((page) => page.last !== undefined || page.items.some((item) => before(reached, String(item.gsi1sk))))
      .map((page) => page.partition);
    if (taken.length === need) return page(open.length > 0 ? position : undefined);
  }
  return page(open.length > 0 ? position : undefined);
}

/**
 * The customers of listed id items, in their order: a customer without an email is its id item; the
 * others' records are read in one consistent batch. A record that moved meanwhile (its email
 * changed) is found again through its id item; one erased meanwhile is left out.
 */
async function recordsOf(store: Store, corporationId: string, listedItems: readonly Item[]): Promise<Customer[]> {
  const references = listedItems.filter((item) => item.entity === 'customer-ref' && typeof item.email === 'string');
  const found = new Map<unknown, Item>();
  for (const record of await getItems(
    store,
    references.map((reference) => customerKey(corporationId, { email: String(reference.email) })),
  )) {
    found.set(record.id, record);
  }
  const records = await Promise.all(
    listedItems.map((item) =>
      item.entity === 'customer' ? item : (found.get(item.id) ?? recordById(store, corporationId, String(item.id))),
    ),
  );
  return records.filter((record): record is Item => record !== undefined).map(toCustomer);
}

const filterCondition = (filters: CustomerFilters): Condition | undefined => {
  const conditions = [
    ...(filters.external_id !== undefined ? [equals('external_id', filters.external_id)] : []),
    ...(filters.source_platform !== undefined ? [equals('source_platform', filters.source_platform)] : []),
  ];
  return conditions.length === 0 ? undefined : conditions.length === 1 ? conditions[0] : and(...conditions);
};

const matchesFilters = (customer: Customer, filters: CustomerFilters) =>
  (filters.external_id === undefined || customer.external_id === filters.external_id) &&
  (filters.source_platform === undefined || customer.source_platform === filters.source_platform);

// Changing and erasing. Both read the record, then write conditionally on its version, so a
// concurrent change is never overwritten: the loser reads again and reapplies (a few times, then
// 503). A change that moves the record (its email changed, set or cleared) is one transaction.

/**
 * What a change sets: any member a contract may write (addresses whole: the route merges a patch
 * onto the current one); absent members keep their value, null clears it.
 */
export type CustomerChanges = {
  readonly [K in keyof ChangeableFields]?: ChangeableFields[K] | null;
};
type ChangeableFields = Omit<
  NewCustomer,
  'corporation_id' | 'created_by' | 'mode' | 'source_platform' | 'source_platform_id'
>;

export interface ChangeDeps {
  readonly now: () => Date;
  /** The API key making the change. */
  readonly by: string | null;
}

const CHANGE_ATTEMPTS = 4;

/**
 * Applies the changes `change` computes from the customer as stored; undefined when there is no
 * such customer. A new email taken by another customer is a DuplicateCustomerError.
 */
export async function updateCustomer(
  store: Store,
  corporationId: string,
  id: string,
  change: (current: Customer) => CustomerChanges,
  deps: ChangeDeps,
): Promise<Customer | undefined> {
  for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
    const item = await recordById(store, corporationId, id);
    if (!item) return undefined;
    const current = toCustomer(item);
    const changes = change(current);
    const next = applyChanges(current, changes, deps);
    const passwordHash =
      changes.password === undefined
        ? typeof item.password_hash === 'string'
          ? item.password_hash
          : undefined
        : changes.password === null
          ? undefined
          : await hashPassword(changes.password);
    const record = recordItem({ ...next, has_password: passwordHash !== undefined }, passwordHash, versionOf(item) + 1);
    const writes = moveWrites(item, record, next);
    const result = writes.length === 1 ? await writeOne(store, writes[0]!) : await writeItems(store, writes);
    if (result.written) return { ...next, has_password: passwordHash !== undefined };
    const newKey = result.failed.find((failure, i) => failure.conditionFailed && isFreshKey(writes[i]));
    if (newKey && newKey.old?.id !== id) {
      throw new DuplicateCustomerError(typeof newKey.old?.id === 'string' ? newKey.old.id : 'unknown');
    }
  }
  throw new StoreBusyError('the customer kept changing under this update');
}

/**
 * Erases the customer's personal data, keeping a tombstone: answers the customer as it was (for a
 * contract that shows what it erased), or undefined when there is no such customer.
 */
export async function eraseCustomer(
  store: Store,
  corporationId: string,
  id: string,
  deps: ChangeDeps,
): Promise<Customer | undefined> {
  for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
    const item = await recordById(store, corporationId, id);
    if (!item) return undefined;
    const tombstone: Item = {
      ...customerIdKey(corporationId, id),
      entity: 'customer-erased',
      id,
      corporation_id: corporationId,
      created_at: item.created_at,
      erased_at: deps.now().toISOString(),
      ...(deps.by ? { erased_by: deps.by } : {}),
    };
    const unchanged = sameVersion(item);
    const writes: ItemWrite[] =
      item.entity === 'customer' && typeof item.email === 'string'
        ? [
            { delete: keyOf(item), condition: unchanged },
            { put: tombstone, condition: and(equals('entity', 'customer-ref'), equals('id', id)) },
          ]
        : [{ put: tombstone, condition: unchanged }];
    const result = writes.length === 1 ? await writeOne(store, writes[0]!) : await writeItems(store, writes);
    if (result.written) {
      // Stored answers (Idempotency-Key) that held the customer's data go too.
      await Promise.all([
        forgetAnswersAbout(store, replaysPartition(corporationId, id)),
        count(store, { corporation_id: corporationId, id }, -1),
      ]);
      return toCustomer(item);
    }
  }
  throw new StoreBusyError('the customer kept changing under this erasure');
}

/** A single write as a transaction's result (one write needs no transaction: half the write units). */
async function writeOne(store: Store, write: ItemWrite): Promise<TransactionResult> {
  const result = await writeItem(store, write);
  return result.written
    ? result
    : { written: false, failed: [{ conditionFailed: true, ...(result.old ? { old: result.old } : {}) }] };
}

const keyOf = (item: Item): ItemKey => ({ pk: String(item.pk), sk: String(item.sk) });
const versionOf = (item: Item) => (typeof item.version === 'number' ? item.version : 1);
/** The record is as it was read: same id, same version (records from before versions have none). */
const sameVersion = (item: Item): Condition =>
  and(equals('id', item.id), typeof item.version === 'number' ? equals('version', item.version) : absent('version'));

/** A write that takes a key no item may hold yet (the record's new key after an email change). */
const isFreshKey = (write: ItemWrite | undefined) =>
  write !== undefined && 'put' in write && write.put.entity === 'customer' && write.condition === itemAbsent;

/**
 * The writes that replace `old` (the record as read) with `record`: in place when the key stays;
 * otherwise the record at its new key (free, or the customer's own id item), the old one deleted
 * (unless the new record overwrites it, at the id item), and the id item pointing at the new email.
 */
function moveWrites(old: Item, record: Item, next: Customer): ItemWrite[] {
  const unchanged = sameVersion(old);
  const idKey = customerIdKey(next.corporation_id, next.id);
  const ownIdItem = and(equals('id', next.id), equals('entity', 'customer-ref'));
  if (old.pk === record.pk) {
    // The id item lists the customer with its external_id: kept in step when that changes.
    const relist = hasEmail(next) && (old.external_id ?? null) !== next.external_id;
    return [
      { put: record, condition: unchanged },
      ...(relist ? [{ put: referenceItem(next), condition: ownIdItem }] : []),
    ];
  }
  const writes: ItemWrite[] = [];
  if (record.pk === idKey.pk) {
    // Email cleared: the record becomes the id item, replacing the reference.
    writes.push({ put: record, condition: ownIdItem }, { delete: keyOf(old), condition: unchanged });
  } else {
    writes.push({ put: record, condition: itemAbsent });
    if (old.pk === idKey.pk) {
      // Email set on a customer that had none: its id item becomes a reference.
      writes.push({ put: referenceItem({ ...next, email: String(next.email) }), condition: unchanged });
    } else {
      writes.push(
        { delete: keyOf(old), condition: unchanged },
        { put: referenceItem({ ...next, email: String(next.email) }), condition: ownIdItem },
      );
    }
  }
  return writes;
}

function applyChanges(current: Customer, changes: CustomerChanges, deps: ChangeDeps): Customer {
  const pick = <K extends keyof CustomerChanges & keyof Customer>(field: K): Customer[K] =>
    (changes[field] === undefined ? current[field] : (changes[field] ?? null)) as Customer[K];
  return {
    ...current,
    email: changes.email === undefined ? current.email : changes.email === null ? null : normaliseEmail(changes.email),
    name: pick('name'),
    first_name: pick('first_name'),
    last_name: pick('last_name'),
    phone: pick('phone'),
    locale: pick('locale'),
    external_id: pick('external_id'),
    reference_origin: pick('reference_origin'),
    customer_group_id: pick('customer_group_id'),
    metadata: changes.metadata === undefined ? current.metadata : changes.metadata,
    shipping_address:
      changes.shipping_address === undefined
        ? current.shipping_address
        : keepId(address(changes.shipping_address), current.shipping_address),
    billing_address:
      changes.billing_address === undefined
        ? current.billing_address
        : keepId(address(changes.billing_address), current.billing_address),
    updated_by: deps.by,
    updated_at: deps.now().toISOString(),
  };
}

/** A changed address keeps the id it had. */
const keepId = (next: Address | null, previous: Address | null): Address | null =>
  next && previous?.id ? { ...next, id: previous.id } : next;

/**
 * Brings customers stored before id items and list partitions existed to today's layout (each gets
 * its id item, its list key and version 1): `npm start` runs it on the local data, `npm run
 * migrate` on a deployed table. Safe to repeat and to run while the API serves: each customer is
 * rewritten only if still unversioned. Answers how many it upgraded.
 */
export async function upgradeStoredCustomers(store: Store): Promise<number> {
  let upgraded = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new ScanCommand({
        TableName: store.tableName,
        FilterExpression: '#entity = :customer AND attribute_not_exists(#version)',
        ExpressionAttributeNames: { '#entity': 'entity', '#version': 'version' },
        ExpressionAttributeValues: { ':customer': 'customer' },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) {
      const customer = toCustomer(item);
      // The old index key (the id) goes; the customer is listed by its id item.
      const { gsi1pk: _, gsi1sk: __, ...kept } = item;
      const unchanged = and(equals('id', customer.id), absent('version'));
      const result = hasEmail(customer)
        ? await writeItems(store, [
            { put: { ...kept, version: 1 }, condition: unchanged },
            { put: referenceItem(customer), condition: itemAbsent },
          ])
        : await writeOne(store, { put: { ...kept, ...listed(customer), version: 1 }, condition: unchanged });
      if (!result.written) continue;
      await count(store, customer, 1);
      upgraded++;
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return upgraded;
}

/**
 * Sets every organisation's customer counters to what the table holds (a full scan): for a count
 * that drifted. Counters that change while it runs may be off again by those changes, so run it
 * when the organisations are quiet. Answers the organisations recounted.
 */
export async function recountCustomers(store: Store): Promise<number> {
  const counts = new Map<string, Map<string, number>>();
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new ScanCommand({
        TableName: store.tableName,
        FilterExpression: '#entity = :customer',
        ProjectionExpression: '#id, corporation_id',
        ExpressionAttributeNames: { '#entity': 'entity', '#id': 'id' },
        ExpressionAttributeValues: { ':customer': 'customer' },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) {
      const org = String(item.corporation_id);
      const counters = counts.get(org) ?? new Map<string, number>();
      const { pk } = customerCounterKey(org, String(item.id));
      counters.set(pk, (counters.get(pk) ?? 0) + 1);
      counts.set(org, counters);
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  for (const [org, counters] of counts) {
    await Promise.all(
      customerCounterKeys(org).map((key) =>
        writeItem(store, { put: { ...key, entity: 'customer-count', customers: counters.get(key.pk) ?? 0 } }),
      ),
    );
  }
  return counts.size;
}
