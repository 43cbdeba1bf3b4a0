// Write-Host -ForegroundColor / -BackgroundColor and `$host.UI.Write(fg, bg, text)` reach the
// client's host as Windows sends them: WriteLine3 / Write2 with the ConsoleColor values as plain
// I32 in `mp` (recorded: test_psrp_pshost_ui_mocked_methods.yml #10). An unset colour is the host
// RawUI's; without a RawUI its getter throws HostException, which WriteHostCommand swallows after
// ForegroundColor (so a lone -BackgroundColor is dropped), and MshCommandRuntime fills a missing
// one with Gray / Black [pwsh:ConsoleColorCmdlet.cs, WriteConsoleCmdlet.cs, MshCommandRuntime.cs WriteInformation].
import { describe, expect, it } from 'vitest';
import { openSandboxClient } from '../../helpers/psrp-core.js';
import { prop, value, type HostSpec, type Node, type PsrpTestClient } from '../../helpers/psrp-client.js';

/** A console host whose RawUI is Gray on DarkBlue, a host UI without a RawUI (pypsrp's), and no host. */
const RAW: HostSpec = { bufferWidth: 100, foreground: 7, background: 1 };
const NO_RAW: HostSpec = { bufferWidth: 100, noRawUI: true };

const client = openSandboxClient;

const run = async (c: PsrpTestClient, text: string, host?: HostSpec) => c.collect(await c.command([{ cmd: text, isScript: true }], host ? { host } : {}));
/** Each host call as `Method arg, arg…` with the argument tags (I32 for colours). */
const calls = (r: { hostCalls: Array<{ method: string; args: Node[] }> }) => r.hostCalls.map((h) => `${h.method} ${h.args.map((a) => `${a.tag}:${a.text ?? ''}`).join(' ')}`);
/** The Write-Host records' ForegroundColor / BackgroundColor (ToString of the ConsoleColor, or null). */
const recordColors = (r: { sequence: Array<{ type: string; node: Node | undefined }> }) =>
  r.sequence
    .filter((m) => m.type === 'INFORMATION_RECORD')
    .map((m) => {
      const data = prop(m.node!, 'MessageData')!;
      const color = (n: string) => {
        const c = prop(data, n)!;
        return c.tag === 'Nil' ? null : `${c.children.find((x) => x.tag === 'ToString')?.text}=${c.children.find((x) => x.tag === 'I32')?.text}`;
      };
      return [color('ForegroundColor'), color('BackgroundColor')];
    });

describe('Write-Host colours reach the host call', () => {
  it('with a RawUI: WriteLine3 / Write2 with the colours given, the RawUI colour for the other', async () => {
    const c = await client();
    const r = await run(c, 'Write-Host -ForegroundColor Red -BackgroundColor White both; Write-Host -ForegroundColor yellow fg; Write-Host -BackgroundColor 10 -NoNewline bg; Write-Host plain', RAW);
    expect(calls(r)).toEqual(['WriteLine3 I32:12 I32:15 S:both', 'WriteLine3 I32:14 I32:1 S:fg', 'Write2 I32:7 I32:10 S:bg', 'WriteLine3 I32:7 I32:1 S:plain']);
    expect(recordColors(r)).toEqual([
      ['Red=12', 'White=15'],
      ['Yellow=14', 'DarkBlue=1'],
      ['Gray=7', 'Green=10'],
      ['Gray=7', 'DarkBlue=1'],
    ]);
  });

  it('without a RawUI: a lone -ForegroundColor goes out with Black, a lone -BackgroundColor is dropped (WriteLine2)', async () => {
    const c = await client();
    const r = await run(c, 'Write-Host -ForegroundColor Red fg; Write-Host -BackgroundColor Red bg; Write-Host -ForegroundColor Cyan -BackgroundColor DarkRed -NoNewline both; Write-Host plain', NO_RAW);
    expect(calls(r)).toEqual(['WriteLine3 I32:12 I32:0 S:fg', 'WriteLine2 S:bg', 'Write2 I32:11 I32:4 S:both', 'WriteLine2 S:plain']);
    expect(recordColors(r)).toEqual([
      ['Red=12', null],
      [null, null],
      ['Cyan=11', 'DarkRed=4'],
      [null, null],
    ]);
  });

  it('without a host: no host call, the record keeps the colours given', async () => {
    const c = await client();
    const r = await run(c, 'Write-Host -ForegroundColor Magenta -BackgroundColor ([System.ConsoleColor]::Black) x; Write-Host y');
    expect(r.hostCalls).toEqual([]);
    expect(recordColors(r)).toEqual([
      ['Magenta=13', 'Black=0'],
      [null, null],
    ]);
  });

  it('a colour that is not a ConsoleColor fails binding with PowerShell 5.1 text', async () => {
    const c = await client();
    const r = await run(c, 'Write-Host -ForegroundColor Purple x; Write-Host -BackgroundColor 16 y', RAW);
    expect(r.hostCalls).toEqual([]);
    const messages = r.errors.map((e) => String(value(prop(prop(e, 'Exception')!, 'Message')!)));
    expect(messages).toEqual([
      'Cannot bind parameter \'ForegroundColor\'. Cannot convert value "Purple" to type "System.ConsoleColor". Error: "Unable to match the identifier name Purple to a valid enumerator name. Specify one of the following enumerator names and try again:\r\nBlack, DarkBlue, DarkGreen, DarkCyan, DarkRed, DarkMagenta, DarkYellow, Gray, DarkGray, Blue, Green, Cyan, Red, Magenta, Yellow, White"',
      'Cannot bind parameter \'BackgroundColor\'. Cannot convert value "16" to type "System.ConsoleColor" due to enumeration values that are not valid. Specify one of the following enumeration values and try again. The possible enumeration values are "Black,DarkBlue,DarkGreen,DarkCyan,DarkRed,DarkMagenta,DarkYellow,Gray,DarkGray,Blue,Green,Cyan,Red,Magenta,Yellow,White".',
    ]);
    expect(r.errors.map((e) => value(prop(e, 'FullyQualifiedErrorId')!))).toEqual(['CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.WriteHostCommand', 'CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.WriteHostCommand']);
  });
});

describe('$host.UI.Write / WriteLine with colours (the recorded script)', () => {
  it('[System.ConsoleColor] values and colour names give Write2 / WriteLine3 with I32 colours', async () => {
    const c = await client();
    const r = await run(
      c,
      '$host.UI.Write([System.ConsoleColor]::Blue, [System.ConsoleColor]::White, "Write2")\n$host.UI.WriteLine([System.ConsoleColor]::Gray, [System.ConsoleColor]::Green, "WriteLine3")\n$host.UI.WriteLine("Red", 0, "names")',
      NO_RAW,
    );
    // Recorded #10: Write2 [9, 15, "Write2"], WriteLine3 [7, 10, "WriteLine3"].
    expect(calls(r)).toEqual(['Write2 I32:9 I32:15 S:Write2', 'WriteLine3 I32:7 I32:10 S:WriteLine3', 'WriteLine3 I32:12 I32:0 S:names']);
  });

  it('[System.ConsoleColor] is an enum: static values, casts from names and numbers, -is, output as the enum', async () => {
    const c = await client();
    const r = await run(c, "[int]([System.ConsoleColor]::Red); [ConsoleColor]'yellow'; ([ConsoleColor]3).ToString(); [System.ConsoleColor]::Blue -is [System.Enum]; [System.ConsoleColor]::DarkGray");
    expect(r.output.slice(0, 4)).toEqual([12, 'Yellow', 'DarkCyan', true]);
    const last = r.sequence.filter((m) => m.type === 'PIPELINE_OUTPUT').at(-1)!.node!;
    expect(last.children.find((x) => x.tag === 'TN')?.children.map((t) => t.text)).toEqual(['System.ConsoleColor', 'System.Enum', 'System.ValueType', 'System.Object']);
    expect(last.children.find((x) => x.tag === 'ToString')?.text).toBe('DarkGray');
    expect(last.children.find((x) => x.tag === 'I32')?.text).toBe('8');
  });
});
