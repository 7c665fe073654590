// The few statistics the benchmark takes, in one place so every figure means the same thing.

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The two sides of pair `i` in the order they run: which goes first alternates, so neither
 * systematically inherits a warmer engine or the other's garbage.
 */
export const inTurn = <T>(i: number, first: T, second: T): [T, T] => (i % 2 ? [second, first] : [first, second]);
