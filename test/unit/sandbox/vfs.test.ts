import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../../src/core/clock.js';
import { createHostVfs, MemoryVfs, type HostVfs } from '../../../src/sandbox/vfs/memory.js';
import { DEFAULT_HOSTS } from '../../../src/sandbox/vfs/default-tree.js';
import { resolvePath } from '../../../src/sandbox/vfs/path.js';
import { VfsError } from '../../../src/sandbox/vfs/types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function bare(opts: { limitBytes?: number; maxFiles?: number } = {}): { vfs: HostVfs; clock: FakeClock } {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  return { vfs: createHostVfs({ clock, users: [], bare: true, ...opts }), clock };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof VfsError) return e.code;
    throw e;
  }
}

describe('Windows path resolution', () => {
  it.each([
    ['C:\\Users', 'foo', 'C:\\Users\\foo'],
    ['C:\\Users', 'foo/bar\\baz.txt', 'C:\\Users\\foo\\bar\\baz.txt'],
    ['C:\\Users\\x', '..', 'C:\\Users'],
    ['C:\\Users\\x', '..\\..\\..\\..', 'C:\\'],
    ['C:\\Users\\x', '.\\a\\.\\b\\..\\c', 'C:\\Users\\x\\a\\c'],
    ['C:\\Users\\x', '\\Windows', 'C:\\Windows'],
    ['C:\\Users\\x', '/Windows//System32/', 'C:\\Windows\\System32'],
    ['C:\\Users\\x', 'd:\\data', 'D:\\data'],
    ['C:\\Users\\x', 'C:rel', 'C:\\Users\\x\\rel'],
    ['C:\\Users\\x', 'D:rel', 'D:\\rel'],
    ['c:\\users', 'file.txt...', 'C:\\users\\file.txt'],
    ['C:\\', 'name.  . ', 'C:\\name'],
    ['C:\\', 'dir.\\x', 'C:\\dir\\x'],
    ['C:\\', '...\\x', 'C:\\x'],
    ['C:\\', 'a \\b', 'C:\\a\\b'],
  ])('resolve(%s, %s) = %s', (cwd, p, expected) => {
    expect(resolvePath(cwd, p)).toBe(expected);
  });

  it.each(['nul', 'NUL', 'C:\\x\\nul.txt', 'con', 'aux.log', 'COM1', 'lpt9', 'prn ', 'nul.'])('a reserved device name (%s) resolves to the device', (p) => {
    expect(resolvePath('C:\\Users', p)).toMatch(/^\\\\\.\\(NUL|CON|AUX|COM1|LPT9|PRN)$/);
  });

  it.each(['\\\\server\\share\\x', '//server/share', '\\\\.\\C:\\x', '\\\\?\\C:\\x', '\\??\\C:\\x', 'a<b', 'a>b', 'a|b', 'a"b', 'a*b', 'a?b', 'a\u0001b', 'C:\\a:stream', 'ab:c', '', 'x\u0000y'])(
    'refuses %j with EINVAL',
    (p) => {
      expect(code(() => resolvePath('C:\\Users', p))).toBe('EINVAL');
    },
  );

  it('refuses a name longer than 255 characters and a path beyond 32767', () => {
    expect(code(() => resolvePath('C:\\', 'a'.repeat(256)))).toBe('EINVAL');
    expect(code(() => resolvePath('C:\\', 'a\\'.repeat(20_000)))).toBe('EINVAL');
  });
});

describe('MemoryVfs', () => {
  it('looks names up case-insensitively and keeps the case they were created with', () => {
    const { vfs } = bare();
    vfs.mkdir('C:\\Data\\Sub', { recursive: true });
    vfs.writeFile('C:\\data\\SUB\\ReadMe.TXT', enc('hi'));
    expect(vfs.stat('c:\\DATA\\sub\\readme.txt')?.path).toBe('C:\\Data\\Sub\\ReadMe.TXT');
    expect(vfs.readdir('C:\\DATA').map((s) => s.name)).toEqual(['Sub']);
    expect(dec(vfs.readFile('C:/data/sub/README.txt'))).toBe('hi');
  });

  it('lists a directory in NTFS order (upper-cased comparison)', () => {
    const { vfs } = bare();
    for (const n of ['b', 'A', '_x', '.hidden', 'a1', 'Z']) vfs.writeFile(`C:\\${n}`, enc(''));
    expect(vfs.readdir('C:\\').map((s) => s.name)).toEqual(['.hidden', 'A', 'a1', 'b', 'Z', '_x']);
  });

  it('answers the Win32 error codes programs turn into messages', () => {
    const { vfs } = bare();
    vfs.mkdir('C:\\d');
    vfs.writeFile('C:\\d\\f', enc('x'));
    expect(code(() => vfs.readFile('C:\\nope'))).toBe('ENOENT');
    expect(code(() => vfs.writeFile('C:\\nope\\f', enc('')))).toBe('ENOENT');
    expect(code(() => vfs.readFile('C:\\d'))).toBe('EISDIR');
    expect(code(() => vfs.writeFile('C:\\d', enc('')))).toBe('EISDIR');
    expect(code(() => vfs.mkdir('C:\\d'))).toBe('EEXIST');
    expect(code(() => vfs.mkdir('C:\\d\\f\\g'))).toBe('ENOTDIR');
    expect(code(() => vfs.remove('C:\\d'))).toBe('ENOTEMPTY');
    expect(code(() => vfs.readdir('C:\\d\\f'))).toBe('ENOTDIR');
    expect(code(() => vfs.remove('C:\\'))).toBe('EACCES');
    vfs.setAttributes('C:\\d\\f', { readOnly: true });
    expect(code(() => vfs.writeFile('C:\\d\\f', enc('y')))).toBe('EACCES');
    expect(code(() => vfs.remove('C:\\d', { recursive: true }))).toBe('EACCES');
  });

  it('swallows writes to NUL and reads it as empty', () => {
    const { vfs } = bare();
    const nul = vfs.resolve('C:\\', 'nul');
    vfs.writeFile(nul, enc('gone'));
    expect(vfs.readFile(nul)).toEqual(new Uint8Array(0));
    expect(vfs.usage().bytes).toBe(0);
    expect(code(() => vfs.readFile(vfs.resolve('C:\\', 'com1')))).toBe('ENOENT');
    expect(code(() => vfs.mkdir(nul))).toBe('EINVAL');
  });

  it('appends, renames, copies and removes recursively, keeping usage exact', () => {
    const { vfs } = bare();
    vfs.mkdir('C:\\a\\b', { recursive: true });
    vfs.writeFile('C:\\a\\b\\f.txt', enc('12'));
    vfs.writeFile('C:\\a\\b\\f.txt', enc('345'), { append: true });
    expect(dec(vfs.readFile('C:\\a\\b\\f.txt'))).toBe('12345');
    vfs.copyFile('C:\\a\\b\\f.txt', 'C:\\a\\g.txt');
    expect(vfs.usage().bytes).toBe(10);
    vfs.rename('C:\\a\\b', 'C:\\a\\B2');
    expect(vfs.stat('C:\\a\\b2\\F.TXT')?.path).toBe('C:\\a\\B2\\f.txt');
    expect(code(() => vfs.rename('C:\\a', 'C:\\a\\B2\\inside'))).toBe('EINVAL');
    expect(code(() => vfs.rename('C:\\a\\g.txt', 'C:\\a\\B2\\f.txt'))).toBe('EEXIST');
    vfs.rename('C:\\a\\g.txt', 'C:\\a\\G.TXT');
    expect(vfs.readdir('C:\\a').map((s) => s.name)).toEqual(['B2', 'G.TXT']);
    vfs.remove('C:\\a', { recursive: true });
    expect(vfs.usage().bytes).toBe(0);
    expect(vfs.entries().count).toBe(0);
  });

  it('takes timestamps from the injected clock and updates the parent on changes', () => {
    const { vfs, clock } = bare();
    vfs.mkdir('C:\\d');
    clock.advance(60_000);
    vfs.writeFile('C:\\d\\f', enc('x'));
    const f = vfs.stat('C:\\d\\f');
    expect(f?.created).toBe(Date.UTC(2026, 0, 1, 0, 1));
    expect(vfs.stat('C:\\d')?.created).toBe(Date.UTC(2026, 0, 1));
    expect(vfs.stat('C:\\d')?.modified).toBe(Date.UTC(2026, 0, 1, 0, 1));
  });

  it('refuses with ENOSPC past the byte bound and the entry bound, changing nothing', () => {
    const { vfs } = bare({ limitBytes: 10, maxFiles: 3 });
    vfs.writeFile('C:\\a', enc('123456'));
    expect(code(() => vfs.writeFile('C:\\b', enc('12345')))).toBe('ENOSPC');
    expect(code(() => vfs.writeFile('C:\\a', enc('12345'), { append: true }))).toBe('ENOSPC');
    expect(dec(vfs.readFile('C:\\a'))).toBe('123456');
    vfs.writeFile('C:\\a', enc('1234567890'));
    vfs.mkdir('C:\\d');
    vfs.writeFile('C:\\e', enc(''));
    expect(code(() => vfs.mkdir('C:\\f'))).toBe('ENOSPC');
    expect(vfs.usage()).toEqual({ bytes: 10, limit: 10 });
    expect(vfs.entries()).toEqual({ count: 3, limit: 3 });
  });

  it('seeds from a plain description with text and base64 content', () => {
    const clock = new FakeClock();
    const vfs = createHostVfs({
      clock,
      users: [],
      bare: true,
      seed: { directories: ['C:\\inetpub\\wwwroot'], files: [{ path: 'C:\\data\\a.txt', text: 'hello' }, { path: 'D:\\b.bin', base64: 'AAEC' }] },
    });
    expect(vfs.stat('C:\\inetpub\\wwwroot')?.type).toBe('directory');
    expect(dec(vfs.readFile('C:\\data\\a.txt'))).toBe('hello');
    expect([...vfs.readFile('d:\\B.BIN')]).toEqual([0, 1, 2]);
  });

  it('snapshots to JSON and restores the same tree, refusing a tampered snapshot', () => {
    const h = createHostVfs({ clock: new FakeClock(), users: ['alice'] });
    h.writeFile('C:\\Users\\alice\\x.txt', enc('data'));
    h.setAttributes('C:\\Users\\alice\\x.txt', { readOnly: true });
    const json = JSON.parse(JSON.stringify(h.snapshot()));
    const other = new MemoryVfs({ clock: new FakeClock() });
    other.restore(json);
    expect(other.snapshot()).toEqual(h.snapshot());
    expect(other.usage()).toEqual(h.usage());
    expect(other.entries()).toEqual(h.entries());
    expect(other.stat('C:\\Users\\alice\\x.txt')?.readOnly).toBe(true);
    const evil = { version: 1, drives: [{ letter: 'C', root: { type: 'directory', name: '', created: 0, modified: 0, children: [{ type: 'file', name: '..\\..\\etc\\passwd', created: 0, modified: 0, data: '' }] } }] };
    expect(code(() => other.restore(evil as never))).toBe('EINVAL');
    expect(other.stat('C:\\Users\\alice\\x.txt')).toBeDefined();
  });
});

describe('the default Windows Server 2019 tree', () => {
  const vfs = createHostVfs({ clock: new FakeClock(), users: ['Administrator', 'alice'] });

  it("has Windows' default hosts file, 824 bytes with CRLF", () => {
    const hosts = vfs.readFile('C:\\Windows\\System32\\drivers\\etc\\hosts');
    expect(hosts.length).toBe(824);
    expect(dec(hosts)).toBe(DEFAULT_HOSTS);
    expect(dec(hosts)).toContain('# localhost name resolution is handled within DNS itself.\r\n#\t127.0.0.1       localhost\r\n');
  });

  it('has a profile per user with the usual folders, AppData hidden, and Public and Default', () => {
    for (const u of ['Administrator', 'alice']) {
      const names = vfs.readdir(`C:\\Users\\${u}`).map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['Desktop', 'Documents', 'Downloads', 'AppData']));
      expect(vfs.stat(`C:\\Users\\${u}\\AppData`)?.hidden).toBe(true);
      expect(vfs.stat(`C:\\Users\\${u}\\AppData\\Local\\Temp`)?.type).toBe('directory');
    }
    expect(vfs.stat('C:\\Users\\Public')?.type).toBe('directory');
    expect(vfs.stat('C:\\Users\\Default')?.hidden).toBe(true);
    expect(vfs.readdir('C:\\').map((s) => s.name)).toEqual(['PerfLogs', 'Program Files', 'Program Files (x86)', 'ProgramData', 'Users', 'Windows']);
  });

  it('has placeholder programs where `where` looks for them', () => {
    for (const p of ['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\whoami.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Windows\\Temp', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData']) {
      expect(vfs.stat(p), p).toBeDefined();
    }
  });
});

describe('no path escapes the virtual tree (property)', () => {
  // Segments people and fuzzers try: traversal, separators, devices, UNC, drive letters, junk.
  const segment = fc.oneof(
    fc.constantFrom('..', '.', '...', '', '\\', '/', '\\\\', '//', 'C:', 'c:', 'Z:', 'nul', 'CON', 'aux.txt', '\\\\?\\', '\\\\.\\', '\\??\\', 'etc', 'passwd', '~', '$HOME', '%SystemRoot%', ' ', '. ', 'a.', 'x:y'),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
  );
  const pathArb = fc.array(segment, { maxLength: 12 }).map((parts) => parts.join(fc.sample(fc.constantFrom('\\', '/', ''), 1)[0] ?? '\\'));

  it('resolve() yields X:\\… or \\\\.\\DEVICE and only throws VfsError; operations stay inside the tree', () => {
    const { vfs } = bare({ limitBytes: 1_000_000, maxFiles: 500 });
    vfs.mkdir('C:\\sandbox\\inner', { recursive: true });
    fc.assert(
      fc.property(pathArb, pathArb, fc.constantFrom('write', 'mkdir', 'remove', 'rename', 'copy', 'read', 'readdir'), (cwdRel, p, op) => {
        let cwd = 'C:\\sandbox\\inner';
        try {
          cwd = vfs.resolve(cwd, cwdRel);
          if (!/^[A-Z]:\\/.test(cwd)) cwd = 'C:\\sandbox\\inner';
        } catch (e) {
          if (!(e instanceof VfsError)) throw e;
        }
        let resolved: string;
        try {
          resolved = vfs.resolve(cwd, p);
        } catch (e) {
          expect(e).toBeInstanceOf(VfsError);
          return;
        }
        expect(resolved).toMatch(/^(?:[A-Z]:\\(?:[^\\/:*?"<>|\u0000-\u001f]+(?:\\[^\\/:*?"<>|\u0000-\u001f]+)*)?|\\\\\.\\(?:NUL|CON|PRN|AUX|COM[1-9¹²³]|LPT[1-9¹²³]))$/);
        expect(resolved.split('\\').includes('..')).toBe(false);
        expect(vfs.resolve('C:\\', resolved)).toBe(resolved);
        try {
          if (op === 'write') vfs.writeFile(resolved, enc('x'));
          else if (op === 'mkdir') vfs.mkdir(resolved, { recursive: true });
          else if (op === 'remove') vfs.remove(resolved, { recursive: true });
          else if (op === 'rename') vfs.rename(resolved, 'C:\\sandbox\\renamed');
          else if (op === 'copy') vfs.copyFile(resolved, 'C:\\sandbox\\copied');
          else if (op === 'read') vfs.readFile(resolved);
          else vfs.readdir(resolved);
        } catch (e) {
          if (!(e instanceof VfsError)) throw e;
        }
        // Whatever happened, the tree is still a tree of valid names, and the bounds hold.
        const walk = (dir: string): void => {
          for (const s of vfs.readdir(dir)) {
            expect(s.name).not.toMatch(/[\\/:*?"<>|\u0000-\u001f]|^\.{1,2}$/);
            if (s.type === 'directory') walk(s.path);
          }
        };
        walk('C:\\');
        expect(vfs.usage().bytes).toBeLessThanOrEqual(1_000_000);
        expect(vfs.entries().count).toBeLessThanOrEqual(500);
      }),
      { numRuns: 400 },
    );
  });
});
