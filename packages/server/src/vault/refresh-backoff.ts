/**
 * How long the vault leaves a link's upstream alone after consecutive failed refreshes (5xx, timeout):
 * 1 s, 2 s, 4 s, ... capped at 5 minutes, with ±20 % jitter so that nodes and links do not retry in step.
 */
const baseMs = 1000;
const capMs = 300_000;

export function refreshBackoffMs(failures: number, random: () => number = Math.random): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
