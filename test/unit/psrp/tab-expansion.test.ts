// TabExpansion2 over PSRP (psrp.md §3.4 step 7): the console sends AddCommand('TabExpansion2') with
// the line, the cursor column and an options hashtable as positional arguments and takes one
// CommandCompletion, which it rehydrates by its property names (CurrentMatchIndex,
// ReplacementIndex, ReplacementLength, CompletionMatches of CompletionResult: CompletionText,
// ListItemText, ResultType, ToolTip) [pwsh@60b3b304f2:SMA/engine/serialization.cs RehydrateCommandCompletion].
import { describe, expect, it } from 'vitest';
import { openSandboxClient } from '../../helpers/psrp-core.js';
import { esc, prop, value, type Node, type PsrpTestClient } from '../../helpers/psrp-client.js';

const client = openSandboxClient;

const OPTIONS = '<Obj><TN><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT /></Obj>';

async function complete(c: PsrpTestClient, line: string, cursor = line.length) {
  const r = await c.collect(await c.command([{ cmd: 'TabExpansion2', args: [[undefined, `<S>${esc(line)}</S>`], [undefined, `<I32>${cursor}</I32>`], [undefined, OPTIONS]] }]));
  expect(r.state).toBe(4);
  const out = r.sequence.filter((m) => m.type === 'PIPELINE_OUTPUT');
  expect(out).toHaveLength(1);
  const cc = out[0]!.node!;
  const matches = prop(cc, 'CompletionMatches')!
    .children.find((x) => x.tag === 'LST')!
    .children.map((m: Node) => ({
      text: value(prop(m, 'CompletionText')),
      item: value(prop(m, 'ListItemText')),
      type: prop(m, 'ResultType')!.children.find((x) => x.tag === 'ToString')?.text,
      typeValue: prop(m, 'ResultType')!.children.find((x) => x.tag === 'I32')?.text,
      tip: value(prop(m, 'ToolTip')),
    }));
  return {
    types: cc.children.find((x) => x.tag === 'TN')?.children.map((t) => t.text),
    current: value(prop(cc, 'CurrentMatchIndex')),
    index: value(prop(cc, 'ReplacementIndex')),
    length: value(prop(cc, 'ReplacementLength')),
    matches,
    node: cc,
  };
}

describe('TabExpansion2 on the emulated PowerShell', () => {
  it('returns one CommandCompletion with the properties the client rehydrates; command names in command position', async () => {
    const c = await client();
    const r = await complete(c, 'Get-ChildI');
    expect(r.types).toEqual(['System.Management.Automation.CommandCompletion', 'System.Object']);
    expect([r.current, r.index, r.length]).toEqual([-1, 0, 10]);
    expect(r.matches).toEqual([{ text: 'Get-ChildItem', item: 'Get-ChildItem', type: 'Command', typeValue: '2', tip: 'Get-ChildItem' }]);
    // Props, as Windows serialises .NET properties; the list typed as Collection<CompletionResult>.
    expect(r.node.children.some((x) => x.tag === 'Props')).toBe(true);
    const after = await complete(c, 'Get-Process | Sort-Ob');
    expect(after.matches.map((m) => m.text)).toEqual(['Sort-Object']);
    expect(after.index).toBe(14);
  });

  it('file paths of the session: `.\\` before a relative path, quoted with a space, containers first', async () => {
    const c = await client();
    // The session starts in C:\Users\Administrator\Documents.
    const up = await complete(c, 'cd ..\\Doc');
    expect(up.matches).toEqual([{ text: '..\\Documents', item: 'Documents', type: 'ProviderContainer', typeValue: '4', tip: 'C:\\Users\\Administrator\\Documents' }]);
    expect([up.index, up.length]).toEqual([3, 6]);
    await c.collect(await c.command([{ cmd: "New-Item -ItemType Directory 'My Dir' | Out-Null; Set-Content notes.txt x; Set-Location C:\\Users\\Administrator\\Documents", isScript: true }]));
    const rel = await complete(c, 'Get-Content ');
    expect(rel.matches.map((m) => [m.text, m.type])).toEqual([
      ["'.\\My Dir'", 'ProviderContainer'],
      ['.\\notes.txt', 'ProviderItem'],
    ]);
    const cmdPos = await complete(c, '.\\no');
    expect(cmdPos.matches.map((m) => m.text)).toEqual(['.\\notes.txt']);
    const abs = await complete(c, 'Get-ChildItem C:\\Pro');
    expect(abs.matches.map((m) => m.text)).toEqual(["'C:\\Program Files'", "'C:\\Program Files (x86)'"]);
    expect(abs.matches[0]!.tip).toBe('C:\\Program Files');
    const win = await complete(c, 'dir C:\\Windows\\System32\\drivers\\etc\\ho');
    expect(win.matches.map((m) => [m.text, m.type])).toEqual([['C:\\Windows\\System32\\drivers\\etc\\hosts', 'ProviderItem']]);
  });

  it('parameter names of the segment\'s command (aliases resolved) and variables; the cursor column cuts the line', async () => {
    const c = await client();
    const p = await complete(c, 'gci -Recu');
    expect(p.matches).toEqual([{ text: '-Recurse', item: 'Recurse', type: 'ParameterName', typeValue: '7', tip: '[switch] Recurse' }]);
    const v = await complete(c, '$PSVersionT');
    expect(v.matches.map((m) => [m.text, m.type])).toEqual([['$PSVersionTable', 'Variable']]);
    const mid = await complete(c, 'Get-Ite | Out-Null', 7);
    expect(mid.matches.map((m) => m.text)).toEqual(['Get-Item', 'Get-ItemProperty'].filter((n) => mid.matches.some((m) => m.text === n)));
    expect(mid.matches[0]!.text).toBe('Get-Item');
    const none = await complete(c, 'Zzz-Nothing');
    expect(none.matches).toEqual([]);
  });
});
