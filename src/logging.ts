// pino, one line per operation (architecture.md §2.9). Secrets never reach a log line: the
// pipeline never logs headers or bodies, and these redaction paths are a second belt.
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization',
  'password',
  'ntHash',
  'token',
  'req.headers.authorization',
  'headers.authorization',
  '*.authorization',
  '*.password',
  '*.ntHash',
  '*.token',
  'users[*].password',
  'users[*].ntHash',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { name: 'winrm-emulator' } };
  return destination ? pino(opts, destination) : pino(opts);
}
