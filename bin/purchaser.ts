// npm run purchaser -- <trkref> <email>: a purchaser and all its purchases, as stored, from the
// local DynamoDB of `npm start` (DYNAMODB_PORT, TABLE_NAME) or a deployed table (--table <name>).
import { getPurchaser } from '../functions/purchasers/purchasers.ts';
import { lookupTool } from '../local/tools.ts';

await lookupTool({
  name: 'purchaser',
  usage: 'usage: npm run purchaser -- <trkref> <email> [--table <name>]',
  find: (store, trkref, email) => getPurchaser(store, trkref, email),
  notFound: (trkref, email) => `No purchaser ${email} in ${trkref}.`,
});
