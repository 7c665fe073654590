// Lambda entry of GET /v4/organisations/{trkref}/purchasers/{email}/purchases (route ListPurchases; api.ts).
import { containerCursorSigner } from '../http/cursor.ts';
import { listPurchasesRoute } from './api.ts';
import { containerReadDeps } from './container-deps.ts';

export const handler = listPurchasesRoute({ ...containerReadDeps(), cursors: containerCursorSigner() });
