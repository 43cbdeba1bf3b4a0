// Time and identity sources injected into the sans-I/O cores (architecture.md §2.1), so tests
// can advance a fake clock instead of sleeping and pin ids for golden replays.
import { randomUUID } from 'node:crypto';

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs fn after ms; the returned handle cancels it. */
  schedule(ms: number, fn: () => void): Timer;
}

export interface IdSource {
  /** An upper-case GUID without braces, as Windows issues ShellIds and MessageIDs. */
  uuid(): string;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    // Not unref'd: a pending long poll or a program's sleep is real work. Shutdown cancels them
    // (ShellManager.closeAll).
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

export const randomIds: IdSource = { uuid: () => randomUUID().toUpperCase() };

/** A manual clock for tests: time moves only when advance() is called. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  schedule(ms: number, fn: () => void): Timer {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn });
    return { cancel: () => void this.pending.delete(id) };
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

/** Deterministic ids for tests and golden replays. */
export class SequentialIds implements IdSource {
  private n = 0;
  uuid(): string {
    const hex = (++this.n).toString(16).toUpperCase().padStart(12, '0');
    return `00000000-0000-4000-8000-${hex}`;
  }
}
