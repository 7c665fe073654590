// What the read-only ops tools (npm run purchaser, npm run customer) share: two positional
// arguments and --table, one lookup, the record as JSON on stdout. Exit code 2 for bad arguments,
// 1 when there is no such record or the lookup fails.
import { parseArgs } from 'node:util';
import type { Store } from '../functions/store/client.ts';
import { toolStore } from './dynamodb.ts';

export async function lookupTool(tool: {
  readonly name: string;
  readonly usage: string;
  readonly find: (store: Store, organisation: string, id: string) => Promise<unknown>;
  readonly notFound: (organisation: string, id: string) => string;
}): Promise<void> {
  const fail = (message: string, code: number): never => {
    process.stderr.write(`${message}\n`);
    process.exit(code);
  };
  let args: { values: { table?: string | undefined }; positionals: string[] };
  try {
    args = parseArgs({ allowPositionals: true, options: { table: { type: 'string' } } });
  } catch (error) {
    return fail(`${(error as Error).message}\n${tool.usage}`, 2);
  }
  const [organisation, id, ...rest] = args.positionals;
  if (!organisation || !id || rest.length) return fail(tool.usage, 2);
  const { store } = toolStore(args.values.table);
  const found = await tool
    .find(store, organisation, id)
    .catch((error: Error) => fail(`${tool.name}: ${error.message}`, 1));
  if (!found) return fail(tool.notFound(organisation, id), 1);
  process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
}
