// The journal of what ran keeps the last `capacity` entries, oldest first, and counts the rest.
import { describe, expect, it } from 'vitest';
import { Journal, type JournalEntry } from '../../../src/sandbox/journal.js';

const entry = (n: number): Omit<JournalEntry, 'seq'> => ({
  host: 'WIN-EMU',
  user: n % 2 ? 'alice' : 'Administrator',
  shellId: `S${n}`,
  commandId: `C${n}`,
  commandLine: `echo ${n}`,
  stdin: '',
  stdout: `${n}\r\n`,
  stderr: '',
  bytes: { stdin: 0, stdout: 3, stderr: 0 },
  exitCode: 0,
  startedAt: '2026-11-29T00:00:00.000Z',
  endedAt: '2026-11-29T00:00:00.001Z',
  backend: 'sandbox',
});

describe('Journal', () => {
  it('keeps the last capacity entries in order as it wraps, and counts the dropped ones', () => {
    const j = new Journal(3);
    for (let n = 1; n <= 2; n++) j.record(entry(n));
    expect(j.list().map((e) => e.commandLine)).toEqual(['echo 1', 'echo 2']);
    for (let n = 3; n <= 7; n++) j.record(entry(n));
    expect(j.list().map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(j.size).toBe(3);
    expect(j.dropped).toBe(4);
    expect(j.list({ user: 'ALICE' }).map((e) => e.commandLine)).toEqual(['echo 5', 'echo 7']);
    expect(j.list({ commandLine: /[67]$/ }).map((e) => e.seq)).toEqual([6, 7]);
    j.clear();
    expect(j.list()).toEqual([]);
    j.record(entry(8));
    expect(j.list().map((e) => e.commandLine)).toEqual(['echo 8']);
  });
});
