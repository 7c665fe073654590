// Configuration from environment variables, read once at module load. Apart from container.ts so
// an entry that needs a setting and no table (the publisher) does not bundle the DynamoDB client.

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is required`);
  return value;
}
