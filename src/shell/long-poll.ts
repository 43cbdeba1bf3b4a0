// The wait behind a long-poll Receive (and a Send waiting for stdin room), shared by cmd and
// PowerShell shells: it ends when the condition holds, with w:TimedOut at the deadline
// (OperationTimeout, wsman-protocol.md §4.5), with 995 when the client goes away or the shell
// is deleted (the shell calls its waiters with the fault).
import type { Clock } from '../core/clock.js';
import { WsmanFault } from '../wsman/faults.js';

export interface WaitOptions {
  readonly clock: Clock;
  /** Absolute time (clock ms) at which the wait ends with w:TimedOut. */
  readonly deadline: number;
  /** Aborted when the client's connection closes. */
  readonly signal: AbortSignal;
  /** The shell's waiters: called with a fault when the shell goes away. */
  readonly shellWaiters: Set<(fault: WsmanFault) => void>;
  /** Subscribe to changes that may make `ready()` true; returns the unsubscribe. */
  readonly onChange: (fn: () => void) => () => void;
  readonly ready: () => boolean;
}

export function waitUntil(o: WaitOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (o.ready()) return resolve();
    const cleanup = () => {
      off();
      timer.cancel();
      o.shellWaiters.delete(onShellGone);
      o.signal.removeEventListener('abort', onClientGone);
    };
    const onShellGone = (f: WsmanFault) => {
      cleanup();
      reject(f);
    };
    const onClientGone = () => {
      cleanup();
      reject(new WsmanFault('OperationAborted'));
    };
    const off = o.onChange(() => {
      if (o.ready()) {
        cleanup();
        resolve();
      }
    });
    const timer = o.clock.schedule(Math.max(0, o.deadline - o.clock.now()), () => {
      cleanup();
      reject(new WsmanFault('TimedOut'));
    });
    o.shellWaiters.add(onShellGone);
    o.signal.addEventListener('abort', onClientGone, { once: true });
  });
}

/** One clock tick, so a burst of writes lands in the same response (as Windows returns what is buffered). */
export function tick(clock: Clock): Promise<void> {
  return new Promise((resolve) => clock.schedule(0, resolve));
}

/**
 * Operations in progress per user, bounded by Service/MaxConcurrentOperationsPerUser across all
 * of a host's shells, cmd and PowerShell alike (over it: w:QuotaLimit 2150859174).
 */
export class UserOperations {
  private readonly inFlight = new Map<string, number>();

  async run<T>(user: string, max: number, fn: () => Promise<T>): Promise<T> {
    const n = this.inFlight.get(user) ?? 0;
    if (n >= max) throw new WsmanFault('QuotaMaxOperations');
    this.inFlight.set(user, n + 1);
    try {
      return await fn();
    } finally {
      const left = (this.inFlight.get(user) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(user);
      else this.inFlight.set(user, left);
    }
  }
}
