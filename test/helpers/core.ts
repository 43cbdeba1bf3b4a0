// A WS-Man core without sockets: the service, the shell manager, a fake clock and sequential
// ids, plus builders for the envelopes pywinrm sends (architecture.md §4 layer 1).
import { loadConfig, type DeepPartial } from '../../src/config/load.js';
import type { EmulatorConfig } from '../../src/config/types.js';
import { FakeClock, SequentialIds } from '../../src/core/clock.js';
import { Host } from '../../src/hosts/host.js';
import { WsmanService, type ServiceResponse } from '../../src/wsman/service.js';
import { ShellManager } from '../../src/shell/winrs/shells.js';
import { minimalBackend } from '../../src/shell/minimal-backend.js';
import type { CommandBackend } from '../../src/shell/backend.js';
import type { Principal } from '../../src/auth/types.js';

const SHELL_NS = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const CMD = `${SHELL_NS}/cmd`;
let msg = 0;

export function env(opts: { action: string; resourceUri?: string; shellId?: string; body?: string; timeout?: string; maxEnvelope?: number; options?: Record<string, string> }): string {
  const sel = opts.shellId ? `<w:SelectorSet><w:Selector Name="ShellId">${opts.shellId}</w:Selector></w:SelectorSet>` : '';
  const optionSet = opts.options
    ? `<w:OptionSet>${Object.entries(opts.options).map(([k, v]) => `<w:Option Name="${k}">${v}</w:Option>`).join('')}</w:OptionSet>`
    : '';
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="${SHELL_NS}"><s:Header><a:To>http://windows-host:5985/wsman</a:To><a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><w:MaxEnvelopeSize s:mustUnderstand="true">${opts.maxEnvelope ?? 153600}</w:MaxEnvelopeSize><a:MessageID>uuid:00000000-0000-0000-0000-${String(++msg).padStart(12, '0')}</a:MessageID><w:OperationTimeout>${opts.timeout ?? 'PT20S'}</w:OperationTimeout><w:ResourceURI s:mustUnderstand="true">${opts.resourceUri ?? CMD}</w:ResourceURI><a:Action s:mustUnderstand="true">${opts.action}</a:Action>${sel}${optionSet}</s:Header><s:Body>${opts.body ?? ''}</s:Body></s:Envelope>`;
}

export const A = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  get: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
  command: `${SHELL_NS}/Command`,
  send: `${SHELL_NS}/Send`,
  receive: `${SHELL_NS}/Receive`,
  signal: `${SHELL_NS}/Signal`,
};

export interface Core {
  readonly clock: FakeClock;
  readonly host: Host;
  readonly shells: ShellManager;
  readonly service: WsmanService;
  as(user: string): Principal;
  call(xml: string, who?: string): Promise<ServiceResponse>;
  createShell(opts?: { body?: string; options?: Record<string, string>; who?: string }): Promise<string>;
  runCommand(shellId: string, command: string, args?: string[], who?: string): Promise<string>;
  receive(shellId: string, commandId: string, opts?: { timeout?: string; maxEnvelope?: number; who?: string }): Promise<ServiceResponse>;
  /** Receive until Done, advancing the fake clock; returns decoded streams and the exit code. */
  collect(shellId: string, commandId: string): Promise<{ stdout: string; stderr: string; exitCode: number; responses: number }>;
}

export function pick(re: RegExp, s: string): string {
  const m = re.exec(s);
  if (!m?.[1]) throw new Error(`no ${re} in ${s.slice(0, 2000)}`);
  return m[1];
}

export function createCore(overrides: DeepPartial<EmulatorConfig> = {}, backend: CommandBackend = minimalBackend): Core {
  const config = loadConfig({ env: {}, overrides }).config;
  const clock = new FakeClock();
  const ids = new SequentialIds();
  const host = new Host(config);
  const shells = new ShellManager({ host, clock, ids, backend });
  const h = shells.handlers();
  const service = new WsmanService({ host, clock, ids, resources: { cmdShell: h.cmdShell, shell: h.shell } });
  const as = (name: string): Principal => {
    const user = host.findLocalUser(name);
    if (!user) throw new Error(`no user ${name}`);
    return { user, mechanism: 'Basic', displayName: `${host.computerName}\\${user.name}` };
  };
  const call = (xml: string, who = 'Administrator') =>
    service.handle({ text: xml, principal: as(who), tls: true, machine: '127.0.0.1', clientIp: '127.0.0.1', signal: new AbortController().signal });
  const core: Core = {
    clock,
    host,
    shells,
    service,
    as,
    call,
    async createShell(opts = {}) {
      const r = await call(env({ action: A.create, body: opts.body ?? '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>', ...(opts.options ? { options: opts.options } : {}) }), opts.who);
      if (r.status !== 200) throw new Error(r.xml);
      return pick(/<rsp:ShellId>([^<]+)</, r.xml);
    },
    async runCommand(shellId, command, args = [], who) {
      const body = `<rsp:CommandLine><rsp:Command>${command}</rsp:Command>${args.map((a) => `<rsp:Arguments>${a}</rsp:Arguments>`).join('')}</rsp:CommandLine>`;
      const r = await call(env({ action: A.command, shellId, body }), who);
      if (r.status !== 200) throw new Error(r.xml);
      return pick(/<rsp:CommandId>([^<]+)</, r.xml);
    },
    receive(shellId, commandId, opts = {}) {
      const body = `<rsp:Receive><rsp:DesiredStream CommandId="${commandId}">stdout stderr</rsp:DesiredStream></rsp:Receive>`;
      return call(env({ action: A.receive, shellId, body, ...(opts.timeout ? { timeout: opts.timeout } : {}), ...(opts.maxEnvelope ? { maxEnvelope: opts.maxEnvelope } : {}) }), opts.who);
    },
    async collect(shellId, commandId) {
      const out: Record<string, Buffer[]> = { stdout: [], stderr: [] };
      for (let n = 1; n < 10_000; n++) {
        const p = core.receive(shellId, commandId);
        // Let the long poll and the program make progress on the fake clock.
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setImmediate(r));
          clock.advance(0);
        }
        const r = await p;
        if (r.status !== 200) throw new Error(r.xml);
        for (const m of r.xml.matchAll(/<rsp:Stream Name="(\w+)" CommandId="[^"]+">([^<]+)<\/rsp:Stream>/g)) out[m[1]!]!.push(Buffer.from(m[2]!, 'base64'));
        const done = /CommandState\/Done"><rsp:ExitCode>(\d+)</.exec(r.xml);
        if (done) return { stdout: Buffer.concat(out.stdout!).toString('utf8'), stderr: Buffer.concat(out.stderr!).toString('utf8'), exitCode: Number(done[1]), responses: n };
      }
      throw new Error('command never finished');
    },
  };
  return core;
}
