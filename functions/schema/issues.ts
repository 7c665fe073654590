// valibot issues as field errors: the `errors` of a 422 problem, the reason an event is rejected,
// the parameter a 404 names. Apart from fields.ts so code that only reports issues (the HTTP
// boundary of every route, the fallback's included) does not bundle the schemas themselves.
import type * as v from 'valibot';

export interface FieldError {
  /** JSON Pointer (RFC 6901) to the offending member; `` is the whole value. */
  readonly pointer: string;
  readonly detail: string;
}

/** JSON Pointer (RFC 6901) of the member an issue is about. */
function pointerOf(issue: v.BaseIssue<unknown>): string {
  let pointer = '';
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    pointer += `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
  }
  return pointer;
}

/** Every field valibot rejected, once each, as `{ pointer, detail }`. */
export function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const pointer = pointerOf(issue);
    if (seen.has(pointer)) continue;
    seen.add(pointer);
    const last = issue.path?.at(-1) as { origin?: string } | undefined;
    const detail = last?.origin === 'key' && issue.input === undefined ? 'is required' : issue.message;
    errors.push({ pointer, detail });
  }
  return errors;
}
