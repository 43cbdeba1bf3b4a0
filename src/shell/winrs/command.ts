// One running WinRS command: runs its Program, buffers its output for Receive within a bound
// (back-pressure pauses the program; nothing is truncated), queues stdin from Send, and tracks
// its state (states.ts). Sans-I/O: time comes from the injected clock.
import type { Clock, Timer } from '../../core/clock.js';
import type { CommandSpec, ProcessContext, Program, SignalKind, StreamName } from '../backend.js';
import { STATUS_CONTROL_C_EXIT } from '../backend.js';
import { createDecoder, encodeText } from './codepage.js';
import { commandTransition, type CommandAction, type CommandState } from './states.js';

export interface OutputChunk {
  readonly stream: StreamName;
  readonly data: Buffer;
}

export interface CommandLimits {
  /** Buffered output above which the program's writes wait (back-pressure). */
  readonly maxBufferedOutput: number;
  /** Queued stdin not yet read by the program; over it Send faults with QuotaLimit. */
  readonly maxQueuedStdin: number;
}

/** Largest piece one write is split into, so the buffer overshoots its bound by at most this. */
const WRITE_PIECE = 64 * 1024;

/** The first bytes of each stream, kept for the journal of what ran; totals count everything. */
export class Transcript {
  static readonly LIMIT = 64 * 1024;
  private readonly parts = { stdin: [] as Buffer[], stdout: [] as Buffer[], stderr: [] as Buffer[] };
  readonly totals = { stdin: 0, stdout: 0, stderr: 0 };
  add(stream: 'stdin' | 'stdout' | 'stderr', data: Buffer): void {
    const kept = this.totals[stream];
    this.totals[stream] += data.length;
    if (kept < Transcript.LIMIT) this.parts[stream].push(data.subarray(0, Transcript.LIMIT - kept));
  }
  bytes(stream: 'stdin' | 'stdout' | 'stderr'): Buffer {
    return Buffer.concat(this.parts[stream]);
  }
}

export class CommandRun {
  state: CommandState = 'Running';
  exitCode: number | undefined;
  /** Done (with ExitCode) has been delivered to a Receive. */
  doneDelivered = false;
  readonly startedAt: number;
  endedAt: number | undefined;
  readonly transcript = new Transcript();
  /** Which backend and rule answered (journal). */
  info: { backend?: string; rule?: string } = {};

  private readonly output: OutputChunk[] = [];
  private buffered = 0;
  private readonly stdin: Buffer[] = [];
  private stdinQueued = 0;
  private stdinEnded = false;
  private readonly decodeStdin: (b: Uint8Array, end: boolean) => string;
  private stdinWaiter: (() => void) | undefined;
  private readonly drainWaiters: Array<() => void> = [];
  private readonly changeWaiters = new Set<() => void>();
  private readonly abortController = new AbortController();

  constructor(
    readonly id: string,
    readonly spec: CommandSpec,
    private readonly clock: Clock,
    private readonly limits: CommandLimits,
    /** Called once when the program ends (for per-shell process counts, journals). */
    private readonly onExit: (cmd: CommandRun) => void,
  ) {
    this.startedAt = clock.now();
    this.decodeStdin = createDecoder(spec.codepage);
  }

  start(program: Program): void {
    this.info = { ...(program.backend !== undefined ? { backend: program.backend } : {}), ...(program.rule !== undefined ? { rule: program.rule } : {}) };
    const ctx = this.context();
    let result: Promise<number>;
    try {
      result = program(ctx);
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (code) => this.exit(code),
      (e: unknown) => {
        if (this.abortController.signal.aborted) {
          this.exit(this.abortController.signal.reason === 'ctrl_c' || this.abortController.signal.reason === 'ctrl_break' ? STATUS_CONTROL_C_EXIT : 1);
          return;
        }
        this.pushOutput('stderr', encodeText(`${e instanceof Error ? e.message : String(e)}\r\n`, this.spec.codepage));
        this.exit(1);
      },
    );
  }

  private transition(action: CommandAction): void {
    this.state = commandTransition(this.state, action);
  }

  private exit(code: number): void {
    if (this.state !== 'Running') return;
    this.transition('Exit');
    // Exit codes go out as unsigned 32-bit decimals (wsman-protocol.md §4.5 rule 5).
    this.exitCode = Math.trunc(code) >>> 0;
    this.endedAt = this.clock.now();
    this.stdinWaiter?.();
    this.notify();
    this.onExit(this);
  }

  private notify(): void {
    for (const w of [...this.changeWaiters]) w();
  }

  /** Resolves when there is output, or the command has ended; returns an unsubscribe. */
  onChange(fn: () => void): () => void {
    this.changeWaiters.add(fn);
    return () => this.changeWaiters.delete(fn);
  }

  hasOutput(): boolean {
    return this.output.length > 0;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  private pushOutput(stream: StreamName, data: Buffer): void {
    if (data.length === 0) return;
    this.transcript.add(stream, data);
    this.output.push({ stream, data });
    this.buffered += data.length;
    this.notify();
  }

  /**
   * Take buffered chunks whose base64 fits in `budget` bytes of envelope, in order; a chunk that
   * does not fit is split (the client concatenates bytes per stream, so no byte is lost).
   * `perChunkOverhead` is the size of one `<rsp:Stream …></rsp:Stream>` wrapper.
   */
  take(budget: number, perChunkOverhead: number, streams: ReadonlySet<string>): OutputChunk[] {
    const out: OutputChunk[] = [];
    let left = budget;
    while (this.output.length > 0) {
      const head = this.output[0]!;
      if (!streams.has(head.stream)) {
        // A stream the client did not ask for in DesiredStream can never be delivered; keeping
        // it would hold Done back forever, so it is discarded.
        this.output.shift();
        this.buffered -= head.data.length;
        continue;
      }
      const room = left - perChunkOverhead;
      if (room < 4) break;
      const fitBytes = Math.floor(room / 4) * 3;
      if (head.data.length <= fitBytes) {
        out.push(head);
        this.output.shift();
        this.buffered -= head.data.length;
        left -= perChunkOverhead + Math.ceil(head.data.length / 3) * 4;
      } else {
        if (fitBytes <= 0) break;
        out.push({ stream: head.stream, data: head.data.subarray(0, fitBytes) });
        this.output[0] = { stream: head.stream, data: head.data.subarray(fitBytes) };
        this.buffered -= fitBytes;
        break;
      }
    }
    this.releaseDrain();
    return out;
  }

  private releaseDrain(): void {
    if (this.buffered < this.limits.maxBufferedOutput) {
      const waiters = this.drainWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  /** Stdin from Send. Returns false when the queue bound would be exceeded. */
  sendInput(data: Buffer, end: boolean): boolean {
    this.transition('Send');
    if (this.state !== 'Running' || this.stdinEnded) return true; // discarded [WSMV 3.1.4.13]
    if (this.stdinQueued + data.length > this.limits.maxQueuedStdin) return false;
    if (data.length > 0) {
      this.transcript.add('stdin', data);
      this.stdin.push(data);
      this.stdinQueued += data.length;
    }
    if (end) this.stdinEnded = true;
    this.stdinWaiter?.();
    return true;
  }

  stdinHasRoom(bytes: number): boolean {
    return this.stdinQueued + bytes <= this.limits.maxQueuedStdin;
  }

  signal(kind: SignalKind): void {
    if (kind === 'terminate') {
      const wasRunning = this.state === 'Running';
      this.transition('Terminate');
      if (wasRunning) {
        this.abortController.abort('terminate');
        this.endedAt = this.clock.now();
        this.stdinWaiter?.();
        for (const w of this.drainWaiters.splice(0)) w();
        this.notify();
        this.onExit(this);
      }
      return;
    }
    this.transition('Signal');
    if (this.state === 'Running') this.abortController.abort(kind);
  }

  private context(): ProcessContext {
    const abort = this.abortController.signal;
    const aborted = () => new Error(`command stopped by signal ${String(abort.reason)}`);
    const readStdin = async (): Promise<string | null> => {
      for (;;) {
        if (abort.aborted) throw aborted();
        const chunk = this.stdin.shift();
        if (chunk) {
          this.stdinQueued -= chunk.length;
          this.notify(); // a Send waiting for room may go on
          return this.decodeStdin(chunk, false);
        }
        if (this.stdinEnded || this.state !== 'Running') {
          const tail = this.decodeStdin(new Uint8Array(0), true);
          return tail === '' ? null : tail;
        }
        await new Promise<void>((resolve) => {
          this.stdinWaiter = () => {
            this.stdinWaiter = undefined;
            resolve();
          };
          abort.addEventListener('abort', () => this.stdinWaiter?.(), { once: true });
        });
      }
    };
    return {
      spec: this.spec,
      clock: this.clock,
      abort,
      readStdin,
      readAllStdin: async (): Promise<string> => {
        let all = '';
        for (let s = await readStdin(); s !== null; s = await readStdin()) all += s;
        return all;
      },
      write: async (stream: StreamName, data: string | Uint8Array): Promise<void> => {
        if (this.state !== 'Running' || abort.aborted) throw aborted();
        const bytes = typeof data === 'string' ? encodeText(data, this.spec.codepage) : Buffer.from(data);
        for (let off = 0; off < bytes.length; off += WRITE_PIECE) {
          if (this.state !== 'Running' || abort.aborted) throw aborted();
          this.pushOutput(stream, bytes.subarray(off, Math.min(bytes.length, off + WRITE_PIECE)));
          if (this.buffered >= this.limits.maxBufferedOutput) {
            // Back-pressure: wait until a Receive drains the buffer below its bound.
            await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
          }
        }
      },
      sleep: (ms: number): Promise<void> =>
        new Promise((resolve, reject) => {
          if (abort.aborted) return reject(aborted());
          const onAbort = () => {
            timer.cancel();
            reject(aborted());
          };
          const timer: Timer = this.clock.schedule(ms, () => {
            abort.removeEventListener('abort', onAbort);
            resolve();
          });
          abort.addEventListener('abort', onAbort, { once: true });
        }),
    };
  }
}
