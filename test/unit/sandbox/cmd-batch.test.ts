// Batch files run by the emulated cmd.exe (what Ansible's `script` module starts for a .bat).
import { describe, expect, it } from 'vitest';
import { Harness } from './harness.js';

const write = (h: Harness, path: string, text: string) => h.vfs.writeFile(h.vfs.resolve('C:\\', path), new TextEncoder().encode(text));

describe('batch files', () => {
  it('runs each line with %0-%9, %~1, %* and %%; @echo off silences the echo', async () => {
    const h = new Harness();
    write(h, 'C:\\Users\\vagrant\\t.bat', '@echo off\r\necho one %1 two %~2\r\necho all: %*\r\necho name %0 100%%\r\n');
    const r = await h.run('t.bat a "b c" d');
    expect(r).toMatchObject({ stdout: 'one a two b c\r\nall: a "b c" d\r\nname t.bat 100%\r\n', stderr: '', exitCode: 0 });
  });

  it('echoes each command after the prompt while echo is on', async () => {
    const h = new Harness();
    write(h, 'C:\\Users\\vagrant\\e.cmd', 'echo hi\r\n@echo quiet\r\n');
    const r = await h.run('e.cmd');
    expect(r.stdout).toBe('\r\nC:\\Users\\vagrant>echo hi\r\nhi\r\nquiet\r\n');
  });

  it('goto, labels, :: comments, shift and exit /b N (the batch ends, cmd goes on)', async () => {
    const h = new Harness();
    write(h, 'C:\\Users\\vagrant\\g.bat', '@echo off\r\n:: a comment\r\ngoto skip\r\necho skipped\r\n:skip\r\nshift\r\necho first is now %1\r\nexit /b 4\r\necho never\r\n');
    const r = await h.run('g.bat x y & echo after %errorlevel%');
    expect(r.stdout).toBe('first is now y\r\nafter 0\r\n');
    const code = await h.run('g.bat x y');
    expect(code.exitCode).toBe(4);
    write(h, 'C:\\Users\\vagrant\\bad.bat', '@goto nowhere\r\n');
    expect(await h.run('bad.bat')).toMatchObject({ stderr: 'The system cannot find the batch label specified - nowhere\r\n', exitCode: 1 });
  });
});
