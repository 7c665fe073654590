// npm run customer -- <corporation_id> <customer id | email>: a customer as stored, from the local
// DynamoDB of `npm start` (DYNAMODB_PORT, TABLE_NAME) or a deployed table (--table <name>).
import { getCustomerByEmail, getCustomerById } from '../functions/customers/customers.ts';
import { lookupTool } from '../local/tools.ts';

await lookupTool({
  name: 'customer',
  usage: 'usage: npm run customer -- <corporation_id> <customer id | email> [--table <name>]',
  find: (store, corporationId, idOrEmail) =>
    idOrEmail.includes('@')
      ? getCustomerByEmail(store, corporationId, idOrEmail)
      : getCustomerById(store, corporationId, idOrEmail),
  notFound: (corporationId, idOrEmail) => `No customer ${idOrEmail} in ${corporationId}.`,
});
