// Output formats against the recorded Windows exchanges in shared/fixtures/pypsrp.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { createCmd } from '../../../src/sandbox/cmd/index.js';
import { createHostVfs } from '../../../src/sandbox/vfs/memory.js';
import { fixture } from '../../helpers/fixtures.js';
import { Harness, hostFacts, makeSpec, recordedStreams } from './harness.js';

/** The stdout of the recorded exchange, all Receive responses joined. */
function recordedStdout(name: string): string {
  return recordedStreams(fixture(`pypsrp/${name}`))
    .filter((s) => s.name === 'stdout')
    .map((s) => s.text)
    .join('');
}

describe('recorded: test_client_execute_cmd.yml', () => {
  it('dir prints the volume, directory, entries and totals exactly as Windows did', async () => {
    // Rebuild C:\Users\vagrant with the recorded timestamps and sizes.
    const clock = new FakeClock(Date.UTC(2018, 4, 15, 9, 49));
    const vfs = createHostVfs({ clock, users: [], bare: true, limitBytes: 28_319_084_544 + 6 + 1 });
    for (const d of ['Contacts', 'Desktop', 'Documents', 'Downloads', 'Favorites', 'Links', 'Music', 'Pictures', 'Saved Games', 'Searches', 'Videos', 'AppData']) {
      vfs.mkdir(`C:\\Users\\vagrant\\${d}`, { recursive: true });
    }
    vfs.setAttributes('C:\\Users\\vagrant\\AppData', { hidden: true });
    clock.advance(60_000); // 09:50
    vfs.writeFile('C:\\Users\\vagrant\\.vbox_version', new TextEncoder().encode('5.2.12'));
    vfs.mkdir('C:\\Users\\tmp');
    vfs.remove('C:\\Users\\tmp');
    clock.advance(Date.UTC(2018, 5, 11, 9, 46) - clock.now());
    vfs.writeFile('C:\\Users\\vagrant\\Documents\\x', new TextEncoder().encode('x'));
    const cmd = createCmd({ vfs, volumeLabel: 'Windows 2016', volumeSerial: '7869-2C66' });
    const h = new Harness();
    const spec = makeSpec({ command: 'dir', commandLine: 'dir', host: hostFacts({ name: 'vagrant' }) });
    const r = await h.exec((ctx) => cmd.program(ctx), spec);
    const recorded = recordedStdout('test_client_execute_cmd.yml');
    const recordedDir = recorded.slice(0, recorded.indexOf('abc\r\n'));
    expect(r.stdout).toBe(recordedDir);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('echo abc', async () => {
    const r = await new Harness().run('echo abc');
    expect(r.stdout).toBe('abc\r\n');
    expect(recordedStdout('test_client_execute_cmd.yml').endsWith(r.stdout)).toBe(true);
  });
});

describe('recorded: set lists the environment in the order Windows keeps it', () => {
  it.each([
    ['test_winrs_environment.yml', 'cmd.exe /c set'],
    ['test_winrs_noprofile.yml', 'cmd.exe /c set'],
    ['test_client_execute_cmd_environment.yml', 'set'],
  ])('%s (%s), PROMPT inserted by cmd.exe where Windows put it', async (file, line) => {
    const recorded = recordedStdout(file);
    // The shell's environment is the recorded one without PROMPT, which cmd.exe itself adds.
    const env = new Map<string, string>();
    for (const l of recorded.split('\r\n')) {
      const eq = l.indexOf('=', 1);
      if (eq < 0 || l.startsWith('PROMPT=')) continue;
      env.set(l.slice(0, eq), l.slice(eq + 1));
    }
    const r = await new Harness().run(line, { environment: env });
    expect(r.stdout).toBe(recorded);
    expect(r.exitCode).toBe(0);
  });
});

describe('recorded: test_winrs_stderr_rc.yml and test_winrs_standard.yml', () => {
  it('cmd.exe /c echo out && echo err>&2 && exit 1 keeps the spaces before the operators', async () => {
    const streams = recordedStreams(fixture('pypsrp/test_winrs_stderr_rc.yml'));
    const r = await new Harness().run('cmd.exe /c echo out && echo err>&2 && exit 1');
    expect(r.stdout).toBe(streams.filter((s) => s.name === 'stdout').map((s) => s.text).join(''));
    expect(r.stderr).toBe(streams.filter((s) => s.name === 'stderr').map((s) => s.text).join(''));
    expect(r.stdout).toBe('out \r\n');
    expect(r.stderr).toBe('err \r\n');
    expect(r.exitCode).toBe(1);
  });

  it('cmd.exe /c echo hi', async () => {
    const r = await new Harness().run('cmd.exe /c echo hi');
    expect(r.stdout).toBe(recordedStdout('test_winrs_standard.yml'));
  });
});
