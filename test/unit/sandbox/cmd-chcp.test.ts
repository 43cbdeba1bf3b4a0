// chcp.com in the emulated System32: Ansible's bootstrap_wrapper.ps1 starts with `&chcp.com 65001 > $null`.
import { describe, expect, it } from 'vitest';
import { Harness } from './harness.js';

describe('chcp', () => {
  const h = new Harness();
  it('shows the console code page (the shell\'s), as chcp and chcp.com', async () => {
    expect(await h.run('chcp')).toMatchObject({ stdout: 'Active code page: 437\r\n', stderr: '', exitCode: 0 });
    expect(await h.run('chcp.com', { codepage: 65001 })).toMatchObject({ stdout: 'Active code page: 65001\r\n', exitCode: 0 });
    expect((await h.run('where chcp')).stdout).toBe('C:\\Windows\\System32\\chcp.com\r\n');
  });

  it('accepts an installed code page and reports it; refuses others and bad arguments', async () => {
    expect(await h.run('chcp 65001')).toMatchObject({ stdout: 'Active code page: 65001\r\n', stderr: '', exitCode: 0 });
    expect(await h.run('chcp 1252 & echo %errorlevel%')).toMatchObject({ stdout: 'Active code page: 1252\r\n0\r\n' });
    expect(await h.run('chcp 12345')).toMatchObject({ stdout: '', stderr: 'Invalid code page\r\n', exitCode: 1 });
    expect(await h.run('chcp abc')).toMatchObject({ stdout: '', stderr: 'Parameter format not correct - abc\r\n', exitCode: 1 });
  });
});
