// $host.UI.PromptForChoice / Prompt / PromptForCredential and Get-Credential on the emulated
// PowerShell: the blocking host call with the argument encoding Windows used (recorded:
// test_psrp_pshost_ui_mocked_methods.yml #10 Prompt, #12 PromptForCredential2, #14 PromptForChoice),
// and the answer handed to the script with its type (Int32, Dictionary<String,PSObject>,
// PSCredential). Without a host UI each fails with PowerShell's HostException
// (InternalHostUserInterface.ThrowPromptNotInteractive).
import { describe, expect, it } from 'vitest';
import { openSandboxClient } from '../../helpers/psrp-core.js';
import { esc, openSecureString, prop, value, type HostCall, type HostResponder, type HostSpec, type Node, type PsrpTestClient } from '../../helpers/psrp-client.js';

const RAW: HostSpec = { bufferWidth: 100, foreground: 7, background: 0 };
const NO_RAW: HostSpec = { bufferWidth: 100, noRawUI: true };

const client = openSandboxClient;

async function run(c: PsrpTestClient, text: string, host: HostSpec | undefined, answer?: HostResponder) {
  return c.collect(await c.command([{ cmd: text, isScript: true }], host ? { host } : {}), answer ? { onHostCall: answer } : {});
}

/** A host call argument as plain data: strings, numbers, Nil, and objects' MS / LST members. */
function plain(n: Node): unknown {
  if (n.tag === 'Nil') return null;
  if (n.tag === 'S') return n.text ?? '';
  if (n.tag === 'I32') return `I32:${n.text}`;
  if (n.tag === 'B') return n.text === 'true';
  const lst = n.children.find((c) => c.tag === 'LST');
  if (lst) return lst.children.map(plain);
  const ms = n.children.find((c) => c.tag === 'MS');
  if (ms) return Object.fromEntries(ms.children.map((c) => [c.attrs?.N ?? '', plain(c)]));
  return n.text;
}
const args = (call: HostCall) => call.args.map(plain);
const outputs = (r: { sequence: Array<{ type: string; node: Node | undefined }> }) => r.sequence.filter((m) => m.type === 'PIPELINE_OUTPUT').map((m) => m.node!);
const typeNames = (n: Node) => n.children.find((c) => c.tag === 'TN')?.children.map((t) => t.text);

describe('$host.UI.PromptForChoice', () => {
  it('sends PromptForChoice with the ChoiceDescriptions (label, helpMessage) and the I32 default; the Int32 answer is the result', async () => {
    const c = await client();
    const script = [
      "$yes = New-Object System.Management.Automation.Host.ChoiceDescription '&Yes','Do it'",
      "$no = New-Object -TypeName System.Management.Automation.Host.ChoiceDescription -ArgumentList '&No'",
      "$no.HelpMessage = 'Skip'",
      "$r = $host.UI.PromptForChoice('Confirm', 'Go on?', [System.Management.Automation.Host.ChoiceDescription[]]($yes, $no), 1)",
      '$r; $r.GetType().FullName',
    ].join('\n');
    const r = await run(c, script, NO_RAW, () => '<I32>0</I32>');
    expect(r.hostCalls.map((h) => [h.method, h.ci])).toEqual([['PromptForChoice', 1]]);
    expect(args(r.hostCalls[0]!)).toEqual([
      'Confirm',
      'Go on?',
      [
        { label: '&Yes', helpMessage: 'Do it' },
        { label: '&No', helpMessage: 'Skip' },
      ],
      'I32:1',
    ]);
    expect(r.pending).toBe(1);
    expect(r.output).toEqual([0, 'System.Int32']);
  });

  it('takes strings through the ChoiceDescription constructor ([ChoiceDescription[]] casts and a plain array)', async () => {
    const c = await client();
    const r = await run(c, "$c = [System.Management.Automation.Host.ChoiceDescription[]]('&Yes', '&No'); $host.UI.PromptForChoice($null, 'Pick', $c, 0); $host.UI.PromptForChoice('T', 'Pick again', @('&A', '&B', '&C'), -1)", RAW, (call) => (call.ci === 1 ? '<I32>1</I32>' : '<I32>2</I32>'));
    expect(args(r.hostCalls[0]!)).toEqual(['', 'Pick', [{ label: '&Yes', helpMessage: '' }, { label: '&No', helpMessage: '' }], 'I32:0']);
    expect(args(r.hostCalls[1]!)[2]).toHaveLength(3);
    expect(args(r.hostCalls[1]!)[3]).toBe('I32:-1');
    expect(r.output).toEqual([1, 2]);
  });

  it('without a host: HostException HostFunctionNotImplemented naming the message, no host call', async () => {
    const c = await client();
    const r = await run(c, "try { $host.UI.PromptForChoice('c', 'Really?', @('&Yes'), 0) } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }", undefined);
    expect(r.hostCalls).toEqual([]);
    expect(String(r.output[0])).toContain('A command that prompts the user failed because the host program or the command type does not support user interaction. The host was attempting to request confirmation with the following message: Really?');
  });
});

describe('$host.UI.Prompt', () => {
  it('sends the FieldDescriptions as recorded; the answers come back as Dictionary<String,PSObject>, converted to each field\'s type', async () => {
    const c = await client();
    const script = [
      "$f1 = New-Object -TypeName System.Management.Automation.Host.FieldDescription -ArgumentList @('prompt field')",
      "$f1.Label = 'PromptLabel'",
      "$f2 = New-Object System.Management.Automation.Host.FieldDescription 'count'",
      '$f2.SetParameterType([int])',
      "$f2.HelpMessage = 'How many'",
      '$f2.IsMandatory = $false',
      "$fields = New-Object 'System.Collections.ObjectModel.Collection[System.Management.Automation.Host.FieldDescription]'",
      '$fields.Add($f1); $fields.Add($f2)',
      "$a = $host.UI.Prompt('Prompt caption', 'Prompt message', $fields)",
      "$a; $a['count'].GetType().FullName; $a['count'] + 1",
    ].join('\n');
    const r = await run(c, script, NO_RAW, () => '<Obj><TN><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT><En><S N="Key">prompt field</S><S N="Value">prompt response</S></En><En><S N="Key">count</S><S N="Value">41</S></En></DCT></Obj>');
    expect(r.hostCalls.map((h) => h.method)).toEqual(['Prompt']);
    const [caption, message, fields] = args(r.hostCalls[0]!) as [string, string, Array<Record<string, unknown>>];
    expect([caption, message]).toEqual(['Prompt caption', 'Prompt message']);
    // Recorded #10, field by field.
    expect(fields[0]).toEqual({
      name: 'prompt field',
      label: 'PromptLabel',
      parameterTypeName: 'String',
      parameterTypeFullName: 'System.String',
      parameterAssemblyFullName: 'System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089',
      helpMessage: '',
      isMandatory: true,
      metadata: [],
      modifiedByRemotingProtocol: false,
      isFromRemoteHost: false,
    });
    expect(fields[1]).toMatchObject({ name: 'count', parameterTypeName: 'Int32', parameterTypeFullName: 'System.Int32', helpMessage: 'How many', isMandatory: false });
    const dict = outputs(r)[0]!;
    expect(typeNames(dict)?.[0]).toMatch(/^System\.Collections\.Generic\.Dictionary`2\[\[System\.String, mscorlib.*\],\[System\.Management\.Automation\.PSObject, System\.Management\.Automation/);
    expect(r.output.slice(1)).toEqual(['System.Int32', 42]);
  });

  it('a single FieldDescription stands for the collection (the recorded script)', async () => {
    const c = await client();
    const r = await run(c, "$f = New-Object System.Management.Automation.Host.FieldDescription 'x'; $host.UI.Prompt('', '', $f)['x']", RAW, () => '<Obj><DCT><En><S N="Key">x</S><S N="Value">y</S></En></DCT></Obj>');
    expect((args(r.hostCalls[0]!)[2] as unknown[]).length).toBe(1);
    expect(r.output).toEqual(['y']);
  });
});

describe('$host.UI.PromptForCredential and Get-Credential', () => {
  const credential = (c: PsrpTestClient, user: string, pw: string) =>
    `<Obj><TN><T>System.Management.Automation.PSCredential</T><T>System.Object</T></TN><ToString>System.Management.Automation.PSCredential</ToString><Props><S N="UserName">${esc(user)}</S>${c.secureString(pw).replace('<SS>', '<SS N="Password">')}</Props></Obj>`;

  it('four arguments go out as PromptForCredential2 with Default (3) and Default (1); six with the flags given; a PSCredential comes back', async () => {
    const c = await client();
    const key = await c.exchangeKeys();
    const script = [
      "$cred = $host.UI.PromptForCredential('PromptForCredential caption', 'PromptForCredential message', 'PromptForCredential user', 'PromptForCredential target')",
      '$cred.GetType().FullName; $cred.UserName; $cred.GetNetworkCredential().Password',
      "$host.UI.PromptForCredential('c', 'm', $null, '', 'Generic', 'AlwaysPrompt, ReadOnlyUserName').UserName",
      '$cred',
    ].join('\n');
    const r = await run(c, script, NO_RAW, (call) => credential(c, call.ci === 1 ? 'username' : 'other', 'password'));
    expect(r.hostCalls.map((h) => [h.method, h.ci])).toEqual([
      ['PromptForCredential2', 1],
      ['PromptForCredential2', 2],
    ]);
    // Recorded #12.
    expect(args(r.hostCalls[0]!)).toEqual(['PromptForCredential caption', 'PromptForCredential message', 'PromptForCredential user', 'PromptForCredential target', 'I32:3', 'I32:1']);
    expect(args(r.hostCalls[1]!)).toEqual(['c', 'm', null, '', 'I32:1', 'I32:6']);
    expect(r.output.slice(0, 4)).toEqual(['System.Management.Automation.PSCredential', 'username', 'password', 'other']);
    // The credential goes back out with its password under the session key (recorded #14).
    const out = outputs(r)[4]!;
    expect(typeNames(out)).toEqual(['System.Management.Automation.PSCredential', 'System.Object']);
    const ss = prop(out, 'Password')!;
    expect(ss.tag).toBe('SS');
    expect(openSecureString(key, ss.text!)).toBe('password');
  });

  it('Get-Credential prompts with 5.1\'s caption and message, or -Title/-Message/-UserName; a user name as -Credential prompts too', async () => {
    const c = await client();
    await c.exchangeKeys();
    const r = await run(c, "(Get-Credential).UserName; (Get-Credential -UserName bob -Message 'Why' -Title 'T').UserName; (Get-Credential alice).UserName; $x = Get-Credential -Credential (Get-Credential); $x.UserName", RAW, () => credential(c, 'u', 'p'));
    expect(r.hostCalls.map((h) => args(h).slice(0, 4))).toEqual([
      ['Windows PowerShell credential request', 'Enter your credentials.', null, ''],
      ['T', 'Why', 'bob', ''],
      ['Windows PowerShell credential request', 'Enter your credentials.', 'alice', ''],
      ['Windows PowerShell credential request', 'Enter your credentials.', null, ''],
    ]);
    expect(r.output).toEqual(['u', 'u', 'u', 'u']);
  });

  it('Get-Credential without a host fails like Windows: HostException HostFunctionNotImplemented (a user name: ParameterArgumentTransformationError)', async () => {
    const c = await client();
    // Sent by name, as a console sends a plain command line: the pipeline fails with it.
    const r = await c.collect(await c.command([{ cmd: 'Get-Credential' }]));
    expect(r.hostCalls).toEqual([]);
    expect(r.state).toBe(5);
    expect(value(prop(r.failure!, 'FullyQualifiedErrorId'))).toBe('HostFunctionNotImplemented,Microsoft.PowerShell.Commands.GetCredentialCommand');
    expect(String(value(prop(prop(r.failure!, 'Exception')!, 'Message')!))).toBe(
      'A command that prompts the user failed because the host program or the command type does not support user interaction. The host was attempting to request confirmation with the following message: Enter your credentials.',
    );
    const named = await c.collect(await c.command([{ cmd: 'Get-Credential', args: [[undefined, '<S>bob</S>']] }]));
    expect(value(prop(named.failure!, 'FullyQualifiedErrorId'))).toBe('ParameterArgumentTransformationError,Microsoft.PowerShell.Commands.GetCredentialCommand');
  });

  it('a host that answers with an error (me) fails the method', async () => {
    const c = await client();
    const r = await run(c, "try { $host.UI.PromptForChoice('c', 'm', @('&Yes'), 0) } catch { 'failed' }", RAW, () => ({
      error: '<Obj><TN><T>System.Management.Automation.ErrorRecord</T><T>System.Object</T></TN><ToString>cancelled</ToString><MS><Obj N="Exception"><Props><S N="Message">cancelled</S></Props></Obj></MS></Obj>',
    }));
    expect(r.output).toEqual(['failed']);
  });
});
