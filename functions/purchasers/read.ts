// Lambda entry of GET /v4/organisations/{trkref}/purchasers/{email} (route GetPurchaser; api.ts).
import { getPurchaserRoute } from './api.ts';
import { containerReadDeps } from './container-deps.ts';

export const handler = getPurchaserRoute(containerReadDeps());
