// Lambda entry of PUT /v4/organisations/{trkref}/purchasers/{email} (route UpdatePurchaser; api.ts).
import { updatePurchaserRoute } from './api.ts';
import { containerWriteDeps } from './container-deps.ts';

export const handler = updatePurchaserRoute(containerWriteDeps());
