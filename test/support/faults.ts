// SDK middlewares for what DynamoDB Local cannot do: fail like a throttled or slow service, or
// leave keys unprocessed. They sit at the start of the client's stack, so they see and return
// plain (document) values, as the domain code does.
import type { Store } from '../../functions/store/client.ts';

/** The parts of a DynamoDB (document client) command input that faults and holds look at. */
export interface CommandInput {
  readonly Key?: Record<string, unknown>;
  readonly Item?: Record<string, unknown>;
  readonly RequestItems?: Record<string, unknown>;
  readonly TransactItems?: readonly { readonly Put?: { readonly Item?: Record<string, unknown> } }[];
}

/** Whether a command writes an item of `entity`, alone (PutItem) or in a transaction. */
export const writesEntity = (command: string, input: CommandInput, entity: string) =>
  (command === 'PutItemCommand' && input.Item?.entity === entity) ||
  (command === 'TransactWriteItemsCommand' &&
    (input.TransactItems ?? []).some((write) => write.Put?.Item?.entity === entity));

export type Fault = (
  command: string,
  input: CommandInput,
) => { error: Error } | { output: Record<string, unknown> } | undefined;

export function injectFault(store: Store, fault: Fault): void {
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const outcome = fault(context.commandName ?? '', args.input as CommandInput);
      if (outcome && 'error' in outcome) throw outcome.error;
      if (outcome) return { output: { $metadata: {}, ...outcome.output }, response: {} } as never;
      return next(args);
    },
    { step: 'initialize', name: 'testFault' },
  );
}

/** Records the name of every command sent (`UpdateItemCommand`, ...). */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

export function recordCommands(store: Store): Set<string> {
  const seen = new Set<string>();
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      if (command === 'TransactWriteItemsCommand') {
        // IAM authorises each write of a transaction as its own action (PutItem, DeleteItem, …).
        const items = (args.input as { TransactItems?: Record<string, unknown>[] }).TransactItems ?? [];
        for (const item of items) for (const kind of Object.keys(item)) seen.add(`${TRANSACT_ACTIONS[kind]}Command`);
      } else {
        seen.add(command);
      }
      return next(args);
    },
    { step: 'initialize', name: 'testRecorder' },
  );
  return seen;
}

/**
 * Holds the first command `matches` accepts until `release()` is called; `held` resolves once it
 * is being held. For proving what happens while a request is still running, without timing.
 */
export function holdCommand(store: Store, matches: (command: string, input: CommandInput) => boolean) {
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = new Promise<void>((resolve) => (reached = resolve));
  let used = false;
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!used && matches(context.commandName ?? '', args.input as CommandInput)) {
        used = true;
        reached();
        await gate;
      }
      return next(args);
    },
    { step: 'initialize', name: 'testHold' },
  );
  return { held, release };
}

/**
 * The first `command` sent is carried out by the engine, but its answer is lost (a timeout on the
 * way back), so the SDK retries a write that already landed: what a slow table does to a client
 * with a request timeout. Sits inside the SDK's retry loop, unlike the faults above.
 */
export function loseFirstAnswer(store: Store, command: string): { readonly lost: () => boolean } {
  let lost = false;
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      if (!lost && context.commandName === command) {
        lost = true;
        throw Object.assign(new Error('the answer timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
      }
      return output;
    },
    { step: 'deserialize', name: 'testLoseFirstAnswer', priority: 'low' },
  );
  return { lost: () => lost };
}
