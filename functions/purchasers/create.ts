// Lambda entry of POST /v4/organisations/{trkref}/purchasers (route CreatePurchaser; api.ts).
import { createPurchaserRoute } from './api.ts';
import { containerWriteDeps } from './container-deps.ts';

export const handler = createPurchaserRoute(containerWriteDeps());
