// pino, one line per operation (architecture.md §2.9). Secrets never reach a log line: the
// pipeline never logs headers or bodies, and these redaction paths are a second belt. They name
// exact paths: pino's `*.x` wildcards cost 3 µs on every line, more than the line's own
// serialisation (decision 0006); no call site logs a nested object holding credentials.
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization',
  'password',
  'ntHash',
  'token',
  'req.headers.authorization',
  'headers.authorization',
  'principal.password',
  'user.password',
  'user.ntHash',
];

export interface LogWriting {
  /** Write synchronously (true) or through pino's asynchronous writer (false). */
  readonly sync?: boolean;
  /**
   * 0: every line is written as it is logged. Above 0: lines collect in memory (up to 4 KiB) and
   * are written together when that fills, every `flushIntervalMs`, and when the process exits
   * (decision 0007).
   */
  readonly flushIntervalMs?: number;
}

/** Lines collect up to this many bytes before a write, when buffering (sonic-boom's minLength). */
export const LOG_BUFFER_BYTES = 4096;

const buffered = new Set<{ flushSync(): void; destroyed?: boolean }>();
let exitHookInstalled = false;

/**
 * pino's destination for `dest` (a file descriptor or path) written as `writing` says. A
 * buffering destination is flushed synchronously on process exit (normal exit, process.exit()
 * after SIGTERM, an uncaught error); only a SIGKILL loses the lines of the last interval.
 */
export function logDestination(dest: number | string, writing: LogWriting = {}): ReturnType<typeof pino.destination> {
  const interval = writing.flushIntervalMs ?? 0;
  const stream = pino.destination({ dest, sync: writing.sync ?? true, ...(interval > 0 ? { minLength: LOG_BUFFER_BYTES, periodicFlush: interval } : {}) });
  if (interval > 0) {
    buffered.add(stream);
    stream.on('close', () => buffered.delete(stream));
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const s of buffered) if (!s.destroyed) s.flushSync();
      });
    }
  }
  return stream;
}

/** A logger writing JSON lines to `destination`, or to stdout as `writing` says. */
export function createLogger(level: string, destination?: DestinationStream, writing: LogWriting = {}): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { name: 'winrm-emulator' } };
  return pino(opts, destination ?? logDestination(1, writing));
}
