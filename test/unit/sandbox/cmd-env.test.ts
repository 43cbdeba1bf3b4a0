// cmd.exe's environment block: copies share their variables until one of them changes (decision 0007).
import { describe, expect, it } from 'vitest';
import { Environment } from '../../../src/sandbox/cmd/env.js';

describe('Environment.copyOnWrite', () => {
  it('keeps a copy and its source apart once either changes', () => {
    const start = new Environment([
      ['Path', 'C:\\Windows'],
      ['USERNAME', 'Administrator'],
    ]);
    const a = start.copyOnWrite();
    const b = start.copyOnWrite();
    a.set('path', 'C:\\Tools');
    a.set('FOO', 'bar');
    b.delete('USERNAME');
    expect(start.list().map((e) => `${e.name}=${e.value}`)).toEqual(['Path=C:\\Windows', 'USERNAME=Administrator']);
    expect(a.list().map((e) => `${e.name}=${e.value}`)).toEqual(['FOO=bar', 'Path=C:\\Tools', 'USERNAME=Administrator']);
    expect(b.list().map((e) => `${e.name}=${e.value}`)).toEqual(['Path=C:\\Windows']);
    start.set('USERNAME', 'alice');
    expect(a.get('username')).toBe('Administrator');
    expect(start.copyOnWrite().get('USERNAME')).toBe('alice');
  });
});
