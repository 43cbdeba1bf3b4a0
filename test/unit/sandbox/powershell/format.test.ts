import { describe, it, expect } from 'vitest';
import { lines, makeHarness } from './harness.js';
import { computeColumnWidths, renderObjects } from '../../../../src/sandbox/powershell/format/out-default.js';
import { wrapLines } from '../../../../src/sandbox/powershell/format/text.js';
import { PSObject, PSVersion } from '../../../../src/sandbox/powershell/index.js';

const h = makeHarness();
async function show(script: string): Promise<string[]> {
  const r = await h.run(script);
  if (r.stderr !== '') throw new Error(r.stderr);
  return lines(r.stdout);
}

describe('line breaking (StringManipulationHelper)', () => {
  it('keeps the trailing delimiter on the line and breaks before the word that does not fit', () => {
    // the layout of a real CommandNotFound error written by powershell.exe under WinRS (80 columns)
    const text = "thisCommandDoesNotExistAEFafiee3d : The term 'thisCommandDoesNotExistAEFafiee3d' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.";
    expect(wrapLines(text, 79, 79)).toEqual([
      'thisCommandDoesNotExistAEFafiee3d : The term ',
      "'thisCommandDoesNotExistAEFafiee3d' is not recognized as the name of a cmdlet, ",
      'function, script file, or operable program. Check the spelling of the name, or ',
      'if a path was included, verify that the path is correct and try again.',
    ]);
  });

  it('cuts a word longer than the line and moves surplus spaces to the next line', () => {
    expect(wrapLines('abcdefghij', 4, 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapLines('ab    cd', 4, 4)).toEqual(['ab  ', '  cd']);
  });
});

describe('column widths (ColumnWidthManager)', () => {
  it('gives columns without a width the rest of the line', () => {
    expect(computeColumnWidths([30, 0], 79)).toEqual([30, 48]);
    expect(computeColumnWidths([7, 25, 14, 0], 79)).toEqual([7, 25, 14, 30]);
  });

  it('shrinks, then hides, the last columns when the table does not fit', () => {
    expect(computeColumnWidths([30, 30, 30], 79)).toEqual([30, 30, 17]);
    expect(computeColumnWidths([70, 20], 72)).toEqual([70, 1]);
    expect(computeColumnWidths([100, 5], 40)).toEqual([40, -1]);
  });
});

describe('Out-Default as Windows PowerShell 5.1 renders objects', () => {
  it('writes strings and numbers as they are', async () => {
    expect(await show("'a'; 42; 3.5; $true")).toEqual(['a', '42', '3.5', 'True']);
  });

  it('renders objects with up to four properties as a table sized to its content', async () => {
    expect(await show("[pscustomobject]@{ Name = 'alpha'; Size = 5 }; [pscustomobject]@{ Name = 'b'; Size = 12345 }")).toEqual([
      '',
      'Name   Size',
      '----   ----',
      'alpha     5',
      'b     12345',
      '',
      '',
    ]);
  });

  it('renders objects with five or more properties as a list', async () => {
    expect(await show('[pscustomobject]@{ A = 1; B = 2; C = 3; D = 4; LongerName = "x" }')).toEqual(['', '', 'A          : 1', 'B          : 2', 'C          : 3', 'D          : 4', 'LongerName : x', '', '', '']);
  });

  it('shows later objects of another shape in the first table (the first object picks the columns)', async () => {
    expect(await show("[pscustomobject]@{ a = 1 }; [pscustomobject]@{ b = 2 }; 'text'")).toEqual(['', 'a', '-', '1', ' ', 'text', '', '']);
  });

  it('renders a hashtable as Name / Value with the Name column 30 wide', async () => {
    const out = await show("[ordered]@{ Key = 'v'; Other = 2 }");
    expect(out).toEqual(['', 'Name                           Value' + ' '.repeat(43), '----                           -----' + ' '.repeat(43), 'Key                            v' + ' '.repeat(47), 'Other                          2' + ' '.repeat(47), '', '']);
    expect(out.every((l) => l.length <= 79)).toBe(true);
  });

  it('renders $PSVersionTable like Windows PowerShell 5.1 on Server 2019', async () => {
    const out = (await show('$PSVersionTable')).map((l) => l.trimEnd());
    expect(out).toEqual([
      '',
      'Name                           Value',
      '----                           -----',
      'PSVersion                      5.1.17763.1971',
      'PSEdition                      Desktop',
      'PSCompatibleVersions           {1.0, 2.0, 3.0, 4.0...}',
      'BuildVersion                   10.0.17763.1971',
      'CLRVersion                     4.0.30319.42000',
      'WSManStackVersion              3.0',
      'PSRemotingProtocolVersion      2.3',
      'SerializationVersion           1.1.0.1',
      '',
      '',
    ]);
  });

  it('renders a directory listing with its Directory: header and the FileSystem view', async () => {
    h.vfs.setAttributes('C:\\Users\\Public', { readOnly: true });
    const out = (await show('Get-ChildItem C:\\Users')).map((l) => l.trimEnd());
    expect(out).toEqual([
      '',
      '',
      '    Directory: C:\\Users',
      '',
      '',
      'Mode                LastWriteTime         Length Name',
      '----                -------------         ------ ----',
      'd-----        1/15/2026   9:30 AM                Administrator',
      'd-r---        1/15/2026   9:30 AM                Public',
      '',
      '',
    ]);
  });

  it('renders services with the service view (fixed widths, cut with ...)', async () => {
    // the same lines as the recorded Windows output in shared/fixtures/psrp (test_client_execute_ps)
    expect(await show('Get-Service winrm')).toEqual([
      '',
      'Status   Name               DisplayName                           ',
      '------   ----               -----------                           ',
      'Running  WinRM              Windows Remote Management (WS-Manag...',
      '',
      '',
    ]);
  });

  it('renders versions and dates with their views', async () => {
    expect((await show('$PSVersionTable.PSVersion')).map((l) => l.trimEnd())).toEqual(['', 'Major  Minor  Build  Revision', '-----  -----  -----  --------', '5      1      17763  1971', '', '']);
    expect(await show('Get-Date')).toEqual(['', 'Thursday, January 15, 2026 9:30:05 AM', '', '']);
  });

  it('renders Measure-Object results as a list', async () => {
    expect(await show('1,2,3 | Measure-Object -Sum')).toEqual(['', '', 'Count    : 3', 'Average  : ', 'Sum      : 6', 'Maximum  : ', 'Minimum  : ', 'Property : ', '', '', '']);
  });

  it('Format-Table -AutoSize and -Property, Format-List -Property', async () => {
    // an enum is a scalar: the column (and its header) is right-aligned
    expect(await show("Get-Service winrm, bits | Format-Table Name, Status -AutoSize")).toEqual(['', 'Name   Status', '----   ------', 'WinRM Running', 'BITS  Stopped', '', '']);
    expect(await show("Get-Service winrm | Format-List Name, Status")).toEqual(['', '', 'Name   : WinRM', 'Status : Running', '', '', '']);
    expect(await show("[pscustomobject]@{ a = 1 } | Format-Table @{ Label = 'Double'; Expression = { $_.a * 2 } }")).toEqual(['', 'Double', '------', '     2', '', '']);
  });

  it('writes arrays inside properties as {a, b, c...} (FormatEnumerationLimit 4)', async () => {
    // Windows PowerShell 5.1 pads every column, the last one too
    expect(await show('[pscustomobject]@{ L = 1..6 }')).toEqual(['', 'L              ', '-              ', '{1, 2, 3, 4...}', '', '']);
  });

  it('renders Out-String with the console width and keeps a trailing line break', async () => {
    // "\r\nx\r\n-\r\n1\r\n\r\n\r\n"
    expect(await show("([pscustomobject]@{ x = 1 } | Out-String).Length")).toEqual(['15']);
  });

  it('cuts long cells with ... and keeps lines within the width', () => {
    const o = new PSObject();
    o.setNote('Name', 'x'.repeat(100));
    o.setNote('Other', 'y');
    const out = renderObjects([o], 40);
    // Name takes the whole width; Other no longer fits and is hidden
    expect(out[1]).toBe('Name'.padEnd(40));
    expect(out.every((l) => l.length <= 40)).toBe(true);
    expect(out[3]?.startsWith('xxxxxxxx')).toBe(true);
    expect(out[3]?.includes('...')).toBe(true);
  });

  it('renders a System.Version given directly', () => {
    expect(renderObjects([new PSVersion(1, 2, 3, 4)], 79).map((l) => l.trimEnd())).toEqual(['', 'Major  Minor  Build  Revision', '-----  -----  -----  --------', '1      2      3      4', '', '']);
  });
});
