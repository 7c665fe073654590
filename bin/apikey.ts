// npm run apikey -- create|list|revoke: partner API keys, for ops.
//
// Talks to the local DynamoDB of `npm start` (DYNAMODB_PORT, TABLE_NAME) by default, and to a
// deployed table with --table <name>, using the standard AWS credential chain and region.
//
// A key is live unless created with --mode test (what it creates is then marked test: `livemode`,
// `meta.mode`, a token's `test` claim).
import { parseArgs } from 'node:util';
import { type ApiKey, createApiKey, listApiKeys, revokeApiKey } from '../functions/auth/api-keys.ts';
import { toolStore } from '../local/dynamodb.ts';

const USAGE = `usage: npm run apikey -- create --org <id> [--org <id> ...] [--label <text>] [--platform <name>] [--mode live|test] [--json] [--table <name>]
       npm run apikey -- list [--json] [--table <name>]
       npm run apikey -- revoke <key id> [--json] [--table <name>]`;

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      org: { type: 'string', multiple: true },
      label: { type: 'string' },
      platform: { type: 'string' },
      mode: { type: 'string' },
      table: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  usage((error as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [command, ...rest] = positionals;
// A key's own settings, which only create takes.
const createOnly = [values.org, values.label, values.platform, values.mode].some((value) => value !== undefined);

const { store, where, local } = toolStore(values.table);

const print = (text: string) => process.stdout.write(`${text}\n`);
const describe = (key: ApiKey) =>
  `${key.id}  ${key.revoked_at ? `revoked ${key.revoked_at}` : 'active'}  orgs ${key.orgs.join(',')}  mode ${key.mode}` +
  `${key.label ? `  label "${key.label}"` : ''}${key.platform ? `  platform ${key.platform}` : ''}  created ${key.created_at}`;

try {
  switch (command) {
    case 'create': {
      if (rest.length) usage(`unexpected argument: ${rest[0]}`);
      if (!values.org?.length) usage('create needs at least one --org');
      const mode = values.mode ?? 'live';
      if (mode !== 'live' && mode !== 'test') usage(`--mode is live or test, not ${JSON.stringify(mode)}`);
      const created = await createApiKey(store, {
        orgs: values.org,
        label: values.label,
        platform: values.platform,
        mode,
      }).catch((error: unknown) => (error instanceof RangeError ? usage(error.message) : Promise.reject(error)));
      if (values.json) {
        print(
          JSON.stringify({
            id: created.key.id,
            secret: created.secret,
            token: created.token,
            orgs: created.key.orgs,
            mode: created.key.mode,
          }),
        );
      } else {
        const basic = Buffer.from(`${created.key.id}:${created.secret}`).toString('base64');
        print(`Created ${describe(created.key)}`);
        print(`Secret (shown once, only its hash is kept): ${created.secret}`);
        print(`Authorization: Bearer ${created.token}`);
        print(`Authorization: Basic ${basic}`);
      }
      break;
    }
    case 'list': {
      if (rest.length || createOnly) usage('list takes no arguments but --json and --table');
      const keys = await listApiKeys(store);
      if (values.json) print(JSON.stringify(keys));
      else print(keys.length ? keys.map(describe).join('\n') : `No API keys in ${where}.`);
      break;
    }
    case 'revoke': {
      if (rest.length !== 1 || createOnly) usage('revoke takes one key id');
      const key = await revokeApiKey(store, rest[0]!);
      if (!key) {
        process.stderr.write(`No API key ${rest[0]} in ${where}.\n`);
        process.exit(1);
      }
      print(values.json ? JSON.stringify(key) : `Revoked ${describe(key)}`);
      break;
    }
    default:
      usage(command ? `unknown command: ${command}` : undefined);
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
  const hint =
    local && (code === 'ECONNREFUSED' || (error as Error).name === 'ResourceNotFoundException')
      ? ` Is npm start running? (${where})`
      : '';
  process.stderr.write(`apikey ${command}: ${(error as Error).message || code}.${hint}\n`);
  process.exit(1);
}
