// Commands per second through the WinRS core (Command, Receive until Done, Signal; no HTTP) for a
// scripted rule, the emulated cmd.exe and the emulated PowerShell, beside the same loop on the
// minimal backend's `echo` measured in the same run (the baseline: shell plumbing only).
import { loadConfig } from '../src/config/load.js';
import { randomIds, systemClock } from '../src/core/clock.js';
import { Host } from '../src/hosts/host.js';
import { WsmanService } from '../src/wsman/service.js';
import { ShellManager } from '../src/shell/winrs/shells.js';
import { minimalBackend } from '../src/shell/minimal-backend.js';
import type { CommandBackend } from '../src/shell/backend.js';
import { createRulesBackend } from '../src/sandbox/rules.js';
import { createSandboxBackend } from '../src/sandbox/backend.js';
import { createHostVfs } from '../src/sandbox/vfs/memory.js';
import { createPowerShell } from '../src/sandbox/powershell/index.js';
import { median } from './lib/load.js';

const NS = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"';
let n = 0;
const env = (action: string, body: string, shellId?: string) =>
  `<s:Envelope ${NS}><s:Header><a:To>http://h:5985/wsman</a:To><a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><a:MessageID>uuid:${++n}</a:MessageID><w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><a:Action>${action}</a:Action>${shellId ? `<w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet>` : ''}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
const SH = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';

async function measure(backend: CommandBackend, command: string, durationMs: number): Promise<number> {
  const config = loadConfig({ env: {} }).config;
  const host = new Host(config);
  const shells = new ShellManager({ host, clock: systemClock, ids: randomIds, backend });
  const h = shells.handlers();
  const service = new WsmanService({ host, clock: systemClock, ids: randomIds, resources: { cmdShell: h.cmdShell } });
  const principal = { user: host.findLocalUser('Administrator')!, mechanism: 'Basic' as const, displayName: 'WIN-EMU01\\Administrator' };
  const signal = new AbortController().signal;
  const call = async (xml: string) => (await service.handle({ text: xml, principal, tls: true, machine: 'h', clientIp: '127.0.0.1', signal })).xml;
  const shell = /<rsp:ShellId>([^<]+)</.exec(await call(env('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', '<rsp:Shell/>')))![1]!;
  const end = performance.now() + durationMs;
  let done = 0;
  const start = performance.now();
  while (performance.now() < end && done < 1_000_000) {
    const cmd = /<rsp:CommandId>([^<]+)</.exec(await call(env(`${SH}/Command`, `<rsp:CommandLine><rsp:Command>${command}</rsp:Command></rsp:CommandLine>`, shell)))![1]!;
    for (let i = 0; i < 1000; i++) {
      const r = await call(env(`${SH}/Receive`, `<rsp:Receive><rsp:DesiredStream CommandId="${cmd}">stdout stderr</rsp:DesiredStream></rsp:Receive>`, shell));
      if (r.includes('CommandState/Done')) break;
      if (r.includes('s:Fault')) throw new Error(r);
    }
    await call(env(`${SH}/Signal`, `<rsp:Signal CommandId="${cmd}"><rsp:Code>${SH}/signal/terminate</rsp:Code></rsp:Signal>`, shell));
    done++;
  }
  shells.closeAll();
  return done / ((performance.now() - start) / 1000);
}

export async function benchSandbox(opts: { durationMs: number; rounds: number; powershell?: boolean }): Promise<Array<Record<string, string | number>>> {
  const vfs = createHostVfs({ clock: systemClock, users: ['Administrator'] });
  const ps = createPowerShell({ vfs });
  const sandbox = createSandboxBackend({ vfs, powershell: (script, ctx, o) => ps.runScript(script, ctx, o) });
  const rules = createRulesBackend({ strict: true, fallback: minimalBackend, rules: [{ name: 'r', match: { exact: 'deploy --now' }, host: '', user: '', stdout: 'deployed\r\n', stderr: '', exitCode: 0, delayMs: 0, chunkSize: 0, chunkDelayMs: 0 }] });
  const subjects: Array<[string, CommandBackend, string]> = [
    ['scripted rule', rules, 'deploy --now'],
    ['emulated cmd.exe: echo', sandbox, 'echo hi'],
    ['emulated cmd.exe: dir | findstr', sandbox, 'dir C:\\Windows | findstr /i system'],
  ];
  if (opts.powershell) subjects.push(['emulated PowerShell pipeline', sandbox, `powershell -NoProfile -Command "1..20 | Where-Object { $_ % 2 } | Measure-Object -Sum"`]);
  const rows: Array<Record<string, string | number>> = [];
  const base: number[] = [];
  const results = new Map<string, number[]>();
  for (let r = 0; r < opts.rounds; r++) {
    base.push(await measure(minimalBackend, 'echo hi', opts.durationMs));
    for (const [name, backend, command] of subjects) results.set(name, [...(results.get(name) ?? []), await measure(backend, command, opts.durationMs)]);
  }
  const b = median(base);
  for (const [name] of subjects) {
    const v = median(results.get(name)!);
    rows.push({ benchmark: `sandbox: ${name}`, figure: `${Math.round(v)} commands/s`, baseline: `${Math.round(b)} commands/s minimal echo`, ratio: +(v / b).toFixed(2) });
  }
  return rows;
}
