// The log's second belt: whatever a call site passes by mistake under a credential's name is
// censored, at the top level and under the request and principal objects. Buffered lines are
// written within the flush interval and when the process exits (decision 0007).
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createLogger, logDestination } from '../../../src/logging.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { lines, logger: createLogger('info', sink) };
}

describe('createLogger', () => {
  it('censors credentials by name wherever the pipeline could pass them', () => {
    const { lines, logger } = capture();
    logger.info({ authorization: 'Basic c2VjcmV0', password: 'Pw-1', ntHash: 'aabb', token: 'tkn', req: { headers: { authorization: 'Negotiate TlRMTVNT' } }, headers: { authorization: 'Basic eA==' }, principal: { password: 'Pw-2' }, user: { password: 'Pw-3', ntHash: 'ccdd', name: 'operator' } }, 'line');
    const all = lines.join('');
    for (const secret of ['c2VjcmV0', 'Pw-1', 'aabb', 'tkn', 'TlRMTVNT', 'eA==', 'Pw-2', 'Pw-3', 'ccdd']) expect(all).not.toContain(secret);
    const line = JSON.parse(lines[0]!) as { user: { name: string; password: string }; msg: string };
    expect(line.user).toEqual({ name: 'operator', password: '[redacted]', ntHash: '[redacted]' });
    expect(line.msg).toBe('line');
  });
});

describe('logDestination with flushIntervalMs', () => {
  it('holds lines for at most the interval, then writes them together', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'winrm-emu-log-'));
    const file = path.join(dir, 'log.jsonl');
    const dest = logDestination(file, { flushIntervalMs: 50 });
    const logger = createLogger('info', dest);
    logger.info({ op: 'Identify' }, 'first');
    logger.info({ op: 'Identify' }, 'second');
    expect(readFileSync(file, 'utf8')).toBe('');
    await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['first', 'second']);
    dest.end();
  });

  it('writes what it holds when the process exits', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'winrm-emu-log-'));
    const file = path.join(dir, 'log.jsonl');
    const script = `import { createLogger, logDestination } from ${JSON.stringify(new URL('../../../src/logging.ts', import.meta.url).href)};
const logger = createLogger('info', logDestination(${JSON.stringify(file)}, { flushIntervalMs: 60000 }));
logger.info('before exit');
process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8').trim()) as { msg: string }).msg).toBe('before exit');
  });
});
