// The response contracts (openapi/responses.ts), and an assertion that names what breaks them.
import * as v from 'valibot';

export * from '../../openapi/responses.ts';

/** Asserts `value` fits `schema`, with the issues in the failure message. */
export function assertContract<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    const issues = result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
    throw new Error(`response breaks the contract:\n${issues.join('\n')}\n${JSON.stringify(value)}`);
  }
  return result.output;
}
