// SDK middlewares for what DynamoDB Local cannot do: fail like a throttled or slow service, or
// leave keys unprocessed. They sit at the start of the client's stack, so they see and return
// plain (document) values, as the domain code does.
import type { Store } from '../../functions/shared/store.ts';

export type Fault = (command: string, input: any) => { error: Error } | { output: Record<string, unknown> } | undefined;

export function injectFault(store: Store, fault: Fault): void {
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const outcome = fault(context.commandName ?? '', args.input);
      if (outcome && 'error' in outcome) throw outcome.error;
      if (outcome) return { output: { $metadata: {}, ...outcome.output }, response: {} } as never;
      return next(args);
    },
    { step: 'initialize', name: 'testFault' },
  );
}

/** Records the name of every command sent (`UpdateItemCommand`, ...). */
export function recordCommands(store: Store): Set<string> {
  const seen = new Set<string>();
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      seen.add(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'testRecorder' },
  );
  return seen;
}
