// The log's second belt: whatever a call site passes by mistake under a credential's name is
// censored, at the top level and under the request and principal objects.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logging.js';

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
