// [System.IO.File]::Create / Open / OpenRead / OpenWrite and the FileStream they return, over the
// virtual file system (what Ansible's winrm put_file writes with), plus the File statics around it.
import { describe, expect, it } from 'vitest';
import { lines, makeHarness } from './harness.js';

const TEMP = 'C:\\Users\\Administrator\\AppData\\Local\\Temp';
const bytesOf = (h: ReturnType<typeof makeHarness>, p: string) => Buffer.from(h.vfs.readFile(h.vfs.resolve('C:\\', p)));

describe('[System.IO.File]::Create and FileStream', () => {
  it('writes chunks with Write(buffer, offset, count) into the VFS and Close ends the stream', async () => {
    const h = makeHarness();
    const r = await h.run(
      [
        `$fd = [System.IO.File]::Create('${TEMP}\\out.bin')`,
        '$fd.GetType().FullName',
        '$b = [byte[]](72, 105, 33, 10)',
        '$fd.Write($b, 0, 3)',
        '$fd.Write($b, 3, 1)',
        '$fd.Length; $fd.Position; $fd.CanWrite',
        '$fd.Close()',
        '$fd.CanWrite',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['System.IO.FileStream', '4', '4', 'True', 'False']);
    expect(bytesOf(h, `${TEMP}\\out.bin`)).toEqual(Buffer.from('Hi!\n'));
  });

  it('Create truncates an existing file; Dispose closes like Close', async () => {
    const h = makeHarness();
    h.vfs.writeFile(h.vfs.resolve('C:\\', `${TEMP}\\t.txt`), new TextEncoder().encode('old content'));
    const r = await h.run(`$fd = [System.IO.File]::Create('${TEMP}\\t.txt'); $fd.Length; $fd.Dispose()`);
    expect(lines(r.stdout)).toEqual(['0']);
    expect(bytesOf(h, `${TEMP}\\t.txt`).length).toBe(0);
  });

  it('OpenRead + Read fills the buffer and returns the count, 0 at the end', async () => {
    const h = makeHarness();
    h.vfs.writeFile(h.vfs.resolve('C:\\', `${TEMP}\\r.txt`), new TextEncoder().encode('abcde'));
    const r = await h.run(
      [`$s = [System.IO.File]::OpenRead('${TEMP}\\r.txt')`, '$buf = New-Object byte[] 4', '$s.Read($buf, 0, 4)', '$buf -join ","', '$s.Read($buf, 0, 4)', '$s.Read($buf, 0, 4)', '$s.Close()'].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['4', '97,98,99,100', '1', '0']);
  });

  it('Open with FileMode Append adds to the end', async () => {
    const h = makeHarness();
    h.vfs.writeFile(h.vfs.resolve('C:\\', `${TEMP}\\log.txt`), new TextEncoder().encode('one\r\n'));
    const r = await h.run(
      [`$fs = [System.IO.File]::Open('${TEMP}\\log.txt', [System.IO.FileMode]::Append, [System.IO.FileAccess]::Write, [System.IO.FileShare]::ReadWrite)`, '$b = [System.Text.Encoding]::UTF8.GetBytes("two`r`n")', '$fs.Write($b, 0, $b.Length)', '$fs.Close()'].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(bytesOf(h, `${TEMP}\\log.txt`).toString()).toBe('one\r\ntwo\r\n');
  });

  it('misuse gives .NET exceptions through MethodInvocationException, as PowerShell 5.1 shows them', async () => {
    const h = makeHarness();
    const r = await h.run(
      [
        "try { [System.IO.File]::Create('C:\\no\\such\\dir\\x.txt') } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }",
        `$fd = [System.IO.File]::Create('${TEMP}\\y.txt')`,
        'try { $fd.Write([byte[]](1,2), 1, 5) } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }',
        'try { $fd.Write(1) } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }',
        '$fd.Close()',
        'try { $fd.Write([byte[]](1), 0, 1) } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }',
        "try { [System.IO.File]::OpenRead('C:\\nothere.txt') } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }",
      ].join('\n'),
    );
    expect(lines(r.stdout)).toEqual([
      'Exception calling "Create" with "1" argument(s): "Could not find a part of the path \'C:\\no\\such\\dir\\x.txt\'."',
      'DirectoryNotFoundException',
      'Exception calling "Write" with "3" argument(s): "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection."',
      'ArgumentException',
      'Cannot find an overload for "Write" and the argument count: "1".',
      'MethodCountCouldNotFindBest',
      'Exception calling "Write" with "3" argument(s): "Cannot access a closed file."',
      'ObjectDisposedException',
      'Exception calling "OpenRead" with "1" argument(s): "Could not find file \'C:\\nothere.txt\'."',
      'FileNotFoundException',
    ]);
  });

  it('a Write past the VFS size bound fails with IOException "There is not enough space on the disk." and leaves the bound intact', async () => {
    const h = makeHarness();
    const { bytes, limit } = h.vfs.usage();
    // fill the disk but for 10 bytes, then write 16 through a FileStream
    h.vfs.writeFile(h.vfs.resolve('C:\\', `${TEMP}\\filler.bin`), new Uint8Array(limit - bytes - 10));
    const r = await h.run([`$fd = [System.IO.File]::Create('${TEMP}\\big.bin')`, '$b = New-Object byte[] 16', 'try { $fd.Write($b, 0, 8); $fd.Write($b, 0, 8) } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }', '$fd.Length', '$fd.Close()'].join('\n'));
    expect(lines(r.stdout)).toEqual(['Exception calling "Write" with "3" argument(s): "There is not enough space on the disk.', '"', 'IOException', '8']);
    expect(h.vfs.usage().bytes).toBe(limit - 2);
    expect(bytesOf(h, `${TEMP}\\big.bin`).length).toBe(8);
  });

  it('Exists, WriteAllBytes / ReadAllBytes, WriteAllText / ReadAllText and Delete work on the VFS', async () => {
    const h = makeHarness();
    const r = await h.run(
      [
        `$p = '${TEMP}\\f.txt'`,
        '[System.IO.File]::Exists($p)',
        '[System.IO.File]::WriteAllBytes($p, [byte[]](65, 66, 67))',
        '[System.IO.File]::Exists($p)',
        '[System.IO.File]::ReadAllBytes($p) -join ","',
        "[System.IO.File]::WriteAllText($p, 'héllo')",
        '[System.IO.File]::ReadAllText($p)',
        '[System.IO.File]::Delete($p)',
        '[System.IO.File]::Exists($p)',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['False', 'True', '65,66,67', 'héllo', 'False']);
  });
});
