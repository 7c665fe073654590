// What the operating system says about processes, for tests that check what a run leaves behind.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';

/**
 * For the environment of what a test starts that starts DynamoDB Local: Java compiles with its first
 * tier only. An engine that lives for a few seconds then starts on about half the CPU time (2.5 s
 * instead of 4.5 s), which the other test files running meanwhile get instead. Java announces it on
 * stderr (`Picked up JAVA_TOOL_OPTIONS`), which DynamoDB Local's start-up keeps to itself.
 */
export const quickJava = { JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1' } as const;

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /**
   * ps's state letters: an ended process its parent has not collected yet is Z; Z with l (threads)
   * is one whose first thread has ended but not the others, as Java's while it shuts down.
   */
  stat: string;
  args: string;
}

/** Every process, with its full command line. */
export function processTable(): ProcessEntry[] {
  const out = execFileSync('ps', ['-A', '-ww', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').flatMap((line) => {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    return match ? [{ pid: Number(match[1]), ppid: Number(match[2]), stat: match[3]!, args: match[4]! }] : [];
  });
}

const live = (entry: ProcessEntry) => !(entry.stat.startsWith('Z') && !entry.stat.includes('l'));

/** The live processes below `pid` (children, their children, ...). */
export function descendants(pid: number, table = processTable()): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of table) {
      if (parents.has(entry.ppid) && !parents.has(entry.pid)) {
        parents.add(entry.pid);
        if (live(entry)) found.push(entry);
        grew = true;
      }
    }
  }
  return found;
}

/** The live DynamoDB Local processes persisting under `dataDir`. */
export function enginesOn(dataDir: string, table = processTable()): ProcessEntry[] {
  return table.filter(
    (entry) => live(entry) && entry.args.includes('DynamoDBLocal.jar') && entry.args.includes(`-dbPath ${dataDir}`),
  );
}

/** Which of `pids` are still live processes, polled until none is or `ms` has passed. */
export async function stillRunning(pids: readonly number[], ms = 30_000): Promise<ProcessEntry[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = processTable().filter((entry) => live(entry) && pids.includes(entry.pid));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGKILL, ignoring processes that have already ended: for cleaning up after a failed test. */
export function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Whether anything accepts connections on the port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
