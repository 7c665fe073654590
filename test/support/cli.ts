// Runs an ops tool (bin/<name>.ts) as a developer does, against the run's DynamoDB Local and a
// test file's table (DYNAMODB_PORT, TABLE_NAME), and collects what it printed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dynamoEndpoint, type TestTable } from './dynamo.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function runTool(name: string, table: TestTable, args: readonly string[], input?: string) {
  const result = spawnSync(process.execPath, [`bin/${name}.ts`, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, DYNAMODB_PORT: new URL(dynamoEndpoint()).port, TABLE_NAME: table.tableName },
    encoding: 'utf8',
    input,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
