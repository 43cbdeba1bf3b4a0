import { describe, expect, it } from 'vitest';
import { A, createCore, env, pick } from '../../helpers/core.js';
import type { CommandBackend, Program } from '../../../src/shell/backend.js';
import { minimalBackend } from '../../../src/shell/minimal-backend.js';
import { commandTransition, shellTransition, IllegalTransition, SHELL_ACTIONS, SHELL_STATES, COMMAND_ACTIONS, COMMAND_STATES } from '../../../src/shell/winrs/states.js';

const faultCode = (xml: string) => /Code="(\d+)"/.exec(xml)?.[1];

/** A backend whose programs are given by name, falling back to the minimal backend. */
function programs(map: Record<string, Program>): CommandBackend {
  return { resolve: (spec) => map[spec.command] ?? minimalBackend.resolve(spec) };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('WinRS Create', () => {
  it('answers with ResourceCreated and the Shell element Windows returns', async () => {
    const core = createCore();
    const r = await core.call(env({ action: A.create, body: '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>' }));
    expect(r.status).toBe(200);
    const id = pick(/<w:Selector Name="ShellId">([^<]+)</, r.xml);
    expect(r.xml).toContain(`<rsp:ShellId>${id}</rsp:ShellId><rsp:ResourceUri>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</rsp:ResourceUri><rsp:Owner>Administrator</rsp:Owner><rsp:ClientIP>127.0.0.1</rsp:ClientIP><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams><rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity>`);
    expect(r.xml).toContain('<a:Address>http://windows-host:5985/wsman</a:Address>');
  });

  it('honours a client-supplied ShellId, and refuses a duplicate or a non-GUID one', async () => {
    const core = createCore();
    const body = (id: string) => `<rsp:Shell ShellId="${id}"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`;
    const ok = await core.call(env({ action: A.create, body: body('4283cbdc-3706-415b-88bd-b385f3e51a53') }));
    expect(ok.xml).toContain('<rsp:ShellId>4283CBDC-3706-415B-88BD-B385F3E51A53</rsp:ShellId>');
    expect(faultCode((await core.call(env({ action: A.create, body: body('4283CBDC-3706-415B-88BD-B385F3E51A53') }))).xml)).toBe('2150859223');
    expect(faultCode((await core.call(env({ action: A.create, body: body('not-a-guid') }))).xml)).toBe('2150859221');
  });

  it('echoes IdleTimeOut with millisecond precision and refuses a bare number with SchemaValidationError', async () => {
    const core = createCore();
    const r = await core.call(env({ action: A.create, body: '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams><rsp:IdleTimeOut>PT60S</rsp:IdleTimeOut></rsp:Shell>' }));
    expect(r.xml).toContain('<rsp:IdleTimeOut>PT60.000S</rsp:IdleTimeOut>');
    const bad = await core.call(env({ action: A.create, body: '<rsp:Shell><rsp:IdleTimeOut>3600000</rsp:IdleTimeOut></rsp:Shell>' }));
    expect(bad.xml).toContain('w:SchemaValidationError');
    expect(faultCode(bad.xml)).toBe('2150858817');
  });

  it('echoes Environment variables with quotes escaped as Windows does', async () => {
    const core = createCore();
    const r = await core.call(env({ action: A.create, body: `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams><rsp:Environment><rsp:Variable Name="A">x"y'z</rsp:Variable></rsp:Environment></rsp:Shell>` }));
    expect(r.xml).toContain('<rsp:Environment><rsp:Variable Name="A">x&quot;y&apos;z</rsp:Variable></rsp:Environment>');
  });

  it('refuses an unsupported WINRS_CODEPAGE and an unknown option with MustComply', async () => {
    const core = createCore();
    const r = await core.call(env({ action: A.create, body: '<rsp:Shell/>', options: { WINRS_CODEPAGE: '99999' } }));
    expect(r.xml).toContain('w:InvalidOptions');
    const x = env({ action: A.create, body: '<rsp:Shell/>' }).replace('</s:Header>', '<w:OptionSet><w:Option Name="BOGUS" MustComply="true">1</w:Option></w:OptionSet></s:Header>');
    expect((await core.call(x)).xml).toContain('w:InvalidOptions');
  });

  it('refuses shells when AllowRemoteShellAccess is false', async () => {
    const core = createCore({ winrm: { Winrs: { AllowRemoteShellAccess: false } } });
    const r = await core.call(env({ action: A.create, body: '<rsp:Shell/>' }));
    expect(faultCode(r.xml)).toBe('2150859180');
  });
});

describe('WinRS quotas', () => {
  it('answers w:QuotaLimit 2150859173 over MaxShellsPerUser, per user', async () => {
    const core = createCore({ winrm: { Winrs: { MaxShellsPerUser: 2 } }, policy: { LocalAccountTokenFilterPolicy: true } });
    await core.createShell();
    await core.createShell();
    const r = await core.call(env({ action: A.create, body: '<rsp:Shell/>' }));
    expect(r.xml).toContain('<s:Value>w:QuotaLimit</s:Value>');
    expect(faultCode(r.xml)).toBe('2150859173');
    await core.createShell({ who: 'labadmin' });
  });

  it('answers 2150859179 over MaxConcurrentUsers', async () => {
    const core = createCore({ winrm: { Winrs: { MaxConcurrentUsers: 1 } }, policy: { LocalAccountTokenFilterPolicy: true } });
    await core.createShell();
    await core.createShell();
    const r = await core.call(env({ action: A.create, body: '<rsp:Shell/>' }), 'labadmin');
    expect(faultCode(r.xml)).toBe('2150859179');
  });

  it('answers QuotaLimit over MaxProcessesPerShell while commands run', async () => {
    const forever: Program = (ctx) => ctx.sleep(1e9).then(() => 0);
    const core = createCore({ winrm: { Winrs: { MaxProcessesPerShell: 1 } } }, programs({ forever }));
    const shell = await core.createShell();
    await core.runCommand(shell, 'forever');
    const r = await core.call(env({ action: A.command, shellId: shell, body: '<rsp:CommandLine><rsp:Command>forever</rsp:Command></rsp:CommandLine>' }));
    expect(r.xml).toContain('w:QuotaLimit');
  });
});

describe('WinRS Receive', () => {
  it('returns output, End markers and Done with ExitCode in one response', async () => {
    const core = createCore();
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'cmd.exe', ['/c', 'echo', 'hi']);
    await flush();
    const r = await core.receive(shell, cmd);
    expect(r.xml).toContain(`<rsp:Stream Name="stdout" CommandId="${cmd}">aGkNCg==</rsp:Stream><rsp:Stream Name="stdout" CommandId="${cmd}" End="true"></rsp:Stream><rsp:Stream Name="stderr" CommandId="${cmd}" End="true"></rsp:Stream><rsp:CommandState CommandId="${cmd}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`);
  });

  it('with no output before OperationTimeout answers w:TimedOut 2150858793, then delivers later output', async () => {
    const slow: Program = async (ctx) => {
      await ctx.sleep(30_000);
      await ctx.write('stdout', 'late\r\n');
      return 3;
    };
    const core = createCore({}, programs({ slow }));
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'slow');
    const first = core.receive(shell, cmd, { timeout: 'PT10S' });
    await flush();
    core.clock.advance(9_999);
    await flush();
    let settled = false;
    void first.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    core.clock.advance(1);
    const r = await first;
    expect(r.status).toBe(500);
    expect(r.xml).toContain('<s:Value>w:TimedOut</s:Value>');
    expect(faultCode(r.xml)).toBe('2150858793');
    core.clock.advance(20_000);
    const res = await core.collect(shell, cmd);
    expect(res).toMatchObject({ stdout: 'late\r\n', exitCode: 3 });
  });

  it('caps OperationTimeout at MaxTimeoutms', async () => {
    const slow: Program = (ctx) => ctx.sleep(1e9).then(() => 0);
    const core = createCore({ winrm: { MaxTimeoutms: 5000 } }, programs({ slow }));
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'slow');
    const p = core.receive(shell, cmd, { timeout: 'PT600S' });
    await flush();
    core.clock.advance(5000);
    expect((await p).xml).toContain('w:TimedOut');
  });

  it('keeps responses within MaxEnvelopeSize and loses or reorders nothing', async () => {
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
    const big: Program = async (ctx) => {
      for (let off = 0; off < bytes.length; off += 10_000) await ctx.write('stdout', bytes.subarray(off, off + 10_000));
      return 0;
    };
    const core = createCore({}, programs({ big }));
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'big');
    const got: Buffer[] = [];
    for (let n = 0; n < 100; n++) {
      const p = core.receive(shell, cmd, { maxEnvelope: 16_384 });
      await flush();
      core.clock.advance(0);
      const r = await p;
      expect(Buffer.byteLength(r.xml)).toBeLessThanOrEqual(16_384);
      for (const m of r.xml.matchAll(/<rsp:Stream Name="stdout" CommandId="[^"]+">([^<]+)</g)) got.push(Buffer.from(m[1]!, 'base64'));
      if (r.xml.includes('CommandState/Done')) break;
    }
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
  });

  it('pauses a program whose output is not read (back-pressure) instead of buffering without bound', async () => {
    let written = 0;
    const flood: Program = async (ctx) => {
      for (let i = 0; i < 1000; i++) {
        await ctx.write('stdout', Buffer.alloc(64 * 1024, 0x41));
        written++;
      }
      return 0;
    };
    const core = createCore({}, programs({ flood }));
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'flood');
    await flush();
    expect(written).toBeLessThan(20);
    const run = core.shells.all()[0]!.commands.get(cmd)!;
    expect(run.bufferedBytes).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    const res = await core.collect(shell, cmd);
    expect(res.stdout.length).toBe(1000 * 64 * 1024);
  });

  it('answers a Receive without CommandId with InvalidParameter 87 and an unknown CommandId with 2150858843', async () => {
    const core = createCore();
    const shell = await core.createShell();
    const r = await core.call(env({ action: A.receive, shellId: shell, body: '<rsp:Receive><rsp:DesiredStream>stdout stderr</rsp:DesiredStream></rsp:Receive>' }));
    expect(faultCode(r.xml)).toBe('87');
    const u = await core.receive(shell, '11111111-1111-1111-1111-111111111111');
    expect(faultCode(u.xml)).toBe('2150858843');
  });

  it('completes a pending Receive with 995 when the shell is deleted', async () => {
    const slow: Program = (ctx) => ctx.sleep(1e9).then(() => 0);
    const core = createCore({}, programs({ slow }));
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'slow');
    const p = core.receive(shell, cmd);
    await flush();
    const d = await core.call(env({ action: A.delete, shellId: shell }));
    expect(d.status).toBe(200);
    expect(faultCode((await p).xml)).toBe('995');
  });

  it('serves two Receives in flight on one command without duplicating output', async () => {
    const two: Program = async (ctx) => {
      await ctx.write('stdout', 'a');
      await ctx.sleep(10);
      await ctx.write('stdout', 'b');
      return 0;
    };
    const core = createCore({}, programs({ two }));
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'two');
    const p1 = core.receive(shell, cmd);
    const p2 = core.receive(shell, cmd);
    await flush();
    core.clock.advance(0);
    await flush();
    core.clock.advance(10);
    await flush();
    core.clock.advance(0);
    const texts = (await Promise.all([p1, p2])).map((r) => [...r.xml.matchAll(/CommandId="[^"]+">([^<]+)</g)].map((m) => Buffer.from(m[1]!, 'base64').toString()).join(''));
    expect(texts.sort()).toEqual(['a', 'b']);
  });
});

describe('WinRS Send, Signal, Delete and idle timeout', () => {
  it('feeds stdin in two Sends with End="true"', async () => {
    const core = createCore();
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'type');
    const send = (data: string, end: boolean) =>
      core.call(env({ action: A.send, shellId: shell, body: `<rsp:Send><rsp:Stream Name="stdin" CommandId="${cmd}"${end ? ' End="true"' : ''}>${Buffer.from(data).toString('base64')}</rsp:Stream></rsp:Send>` }));
    expect((await send('first ', false)).xml).toContain('<rsp:SendResponse/>');
    await send('second', true);
    expect(await core.collect(shell, cmd)).toMatchObject({ stdout: 'first second', exitCode: 0 });
  });

  it('accepts Signal ctrl_c after Done (pypsrp) and terminate, then forgets the command', async () => {
    const core = createCore();
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'echo', ['x']);
    await core.collect(shell, cmd);
    const sig = (code: string) => core.call(env({ action: A.signal, shellId: shell, body: `<rsp:Signal CommandId="${cmd}"><rsp:Code>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/${code}</rsp:Code></rsp:Signal>` }));
    expect((await sig('ctrl_c')).xml).toContain('<rsp:SignalResponse/>');
    expect((await sig('Terminate')).xml).toContain('<rsp:SignalResponse/>');
    expect(faultCode((await sig('terminate')).xml)).toBe('2150858843');
  });

  it('stops a running command on ctrl_c with STATUS_CONTROL_C_EXIT', async () => {
    const slow: Program = (ctx) => ctx.sleep(1e9).then(() => 0);
    const core = createCore({}, programs({ slow }));
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'slow');
    await core.call(env({ action: A.signal, shellId: shell, body: `<rsp:Signal CommandId="${cmd}"><rsp:Code>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c</rsp:Code></rsp:Signal>` }));
    expect((await core.collect(shell, cmd)).exitCode).toBe(0xc000013a);
  });

  it('answers any operation on a deleted shell with the shell-not-found fault naming it', async () => {
    const core = createCore();
    const shell = await core.createShell();
    await core.call(env({ action: A.delete, shellId: shell }));
    const r = await core.call(env({ action: A.delete, shellId: shell }));
    expect(r.xml).toContain(`The request for the Windows Remote Shell with ShellId ${shell} failed because the shell was not found on the server.`);
  });

  it("does not let one user touch another user's shell", async () => {
    const core = createCore({ policy: { LocalAccountTokenFilterPolicy: true } });
    const shell = await core.createShell();
    const r = await core.call(env({ action: A.delete, shellId: shell }), 'labadmin');
    expect(faultCode(r.xml)).toBe('2150858843');
  });

  it('reclaims a shell idle for IdleTimeout; later use gets the shell-not-found fault', async () => {
    const core = createCore({ winrm: { Winrs: { IdleTimeout: 60_000 } } });
    const shell = await core.createShell();
    core.clock.advance(59_000);
    expect((await core.call(env({ action: A.get, resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell', shellId: shell }))).status).toBe(200);
    core.clock.advance(59_000);
    expect(core.shells.size).toBe(1);
    core.clock.advance(1_000);
    expect(core.shells.size).toBe(0);
    const r = await core.runCommand(shell, 'echo').catch((e: Error) => e.message);
    expect(r).toContain('was not found on the server');
  });

  it('answers a command line over 8191 characters with 0x800700CE and an empty one with 87', async () => {
    const core = createCore();
    const shell = await core.createShell();
    const long = await core.call(env({ action: A.command, shellId: shell, body: `<rsp:CommandLine><rsp:Command>echo ${'x'.repeat(8200)}</rsp:Command></rsp:CommandLine>` }));
    expect(faultCode(long.xml)).toBe('2147942606');
    const empty = await core.call(env({ action: A.command, shellId: shell, body: '<rsp:CommandLine><rsp:Command> </rsp:Command></rsp:CommandLine>' }));
    expect(faultCode(empty.xml)).toBe('87');
  });

  it('runs a bare executable with WINRS_SKIP_CMD_SHELL only when the backend knows it (0x80070002 otherwise)', async () => {
    const core = createCore();
    const shell = await core.createShell();
    const r = await core.call(env({ action: A.command, shellId: shell, options: { WINRS_SKIP_CMD_SHELL: 'TRUE' }, body: '<rsp:CommandLine><rsp:Command>powershell.exe</rsp:Command></rsp:CommandLine>' }));
    expect(faultCode(r.xml)).toBe('2147942402');
  });

  it("answers an unknown command as cmd.exe does: stderr text and exit code 9009", async () => {
    const core = createCore();
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'nosuchthing');
    expect(await core.collect(shell, cmd)).toMatchObject({
      stdout: '',
      stderr: "'nosuchthing' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n",
      exitCode: 9009,
    });
  });
});

describe('shell and command state machines', () => {
  it('allows exactly the transitions in the table and names the action, state and allowed states otherwise', () => {
    for (const s of SHELL_STATES) {
      for (const a of SHELL_ACTIONS) {
        if (s === 'Connected') expect(shellTransition(s, a)).toBeDefined();
        else expect(() => shellTransition(s, a)).toThrow(new IllegalTransition('shell', a, s, ['Connected']));
      }
    }
    const legal: Record<string, string[]> = { Send: ['Running', 'Done'], Receive: ['Running', 'Done'], Exit: ['Running'], Signal: ['Running', 'Done'], Terminate: ['Running', 'Done'] };
    for (const s of COMMAND_STATES) {
      for (const a of COMMAND_ACTIONS) {
        if (legal[a]!.includes(s)) expect(() => commandTransition(s, a)).not.toThrow();
        else expect(() => commandTransition(s, a)).toThrow(`command cannot ${a} in state ${s}; allowed in: ${legal[a]!.join(', ')}`);
      }
    }
  });
});
