// What a purchaser and a purchase are, without any storage code: shared by the domain
// (purchasers.ts, review-lifecycle.ts), the domain events and the tests.

export const REVIEW_STATES = [
  'published',
  'rejected',
  'pending_moderation',
  'pending_publication',
  'pending_order',
  'not_reviewed',
  'undefined',
] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const PURCHASER_FIELDS = ['title', 'first_name', 'surname', 'country', 'postcode'] as const;
export type PurchaserField = (typeof PURCHASER_FIELDS)[number];

export interface Purchaser {
  /** `pur_` + 128 random bits: how domain events name the purchaser (instead of the email). */
  readonly id: string;
  readonly trkref: string;
  readonly email: string;
  readonly title: string | null;
  readonly first_name: string | null;
  readonly surname: string | null;
  readonly country: string | null;
  readonly postcode: string | null;
  /** ISO 8601 UTC to the second. */
  readonly created_at: string;
  readonly updated_at: string;
}

export interface Purchase {
  readonly order_ref: string;
  readonly sku: string;
  /** `pending_order` while only review events know the purchase (its order has not arrived). */
  readonly review_state: ReviewState;
  /** Random id behind the purchase's questionnaire link; null until the order arrives. */
  readonly review_token: string | null;
  /** Link to the published review, once there is one. */
  readonly review_url: string | null;
  readonly purchase_date: string | null;
  readonly contacted_at: string | null;
}
