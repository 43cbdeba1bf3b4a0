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

/**
 * A logger writing JSON lines to `destination`, or to stdout: synchronously when `sync` (the
 * default), else through pino's asynchronous stream (lines written while a write is in flight
 * go out together; pino flushes them on exit).
 */
export function createLogger(level: string, destination?: DestinationStream, options: { readonly sync?: boolean } = {}): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { name: 'winrm-emulator' } };
  return pino(opts, destination ?? pino.destination({ dest: 1, sync: options.sync ?? true }));
}
