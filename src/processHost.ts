/**
 * What a run needs of its own process below the entry point: its pid, its signals, and signals to others (a lock
 * holder's liveness). main.ts passes `process` itself; a test can pass its own, so no module below cli/main reaches
 * for the global.
 */
export interface ProcessHost {
  readonly pid: number;
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  listenerCount(signal: NodeJS.Signals): number;
  /** As process.kill: signal 0 only asks whether the pid exists (throws ESRCH if not, EPERM if another user's). */
  kill(pid: number, signal?: NodeJS.Signals | 0): unknown;
}
