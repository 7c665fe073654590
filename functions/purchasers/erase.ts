// Lambda entry of DELETE /v4/organisations/{trkref}/purchasers/{email} (route ErasePurchaser; api.ts).
import { erasePurchaserRoute } from './api.ts';
import { containerDeps } from './container-deps.ts';

export const handler = erasePurchaserRoute({ ...containerDeps(), now: () => new Date() });
