// A small in-test ProcessContext: stdout/stderr collected as text (bytes decoded as latin1, the
// way code page 437 shows ASCII), stdin from a queue of chunks, a FakeClock that sleep() waits on.
import { FakeClock } from '../../../src/core/clock.js';
import type { CommandSpec, HostFacts, ProcessContext, StreamName } from '../../../src/shell/backend.js';
import { machineSidFor } from '../../../src/authz/sids.js';
import { createHostVfs, type HostVfs } from '../../../src/sandbox/vfs/memory.js';
import { createCmd, type CmdEngine } from '../../../src/sandbox/cmd/index.js';
import type { CmdDeps, PowerShellRunner } from '../../../src/sandbox/cmd/types.js';

export const COMPUTER = 'WIN-LAB';

export function hostFacts(user: { name: string; rid?: number; groups?: string[] } = { name: 'vagrant', groups: ['Administrators'] }): HostFacts {
  const machineSid = machineSidFor(COMPUTER);
  const rid = user.rid ?? (user.name.toLowerCase() === 'administrator' ? 500 : 1000);
  return {
    computerName: COMPUTER,
    machineSid,
    os: { version: '10.0.17763', productName: 'Windows Server 2019 Datacenter', servicePack: '0.0' },
    user: { name: user.name, rid, sid: `${machineSid}-${rid}`, groups: user.groups ?? [] },
  };
}

/** Windows' environment for a WinRS shell of `user` (recorded: test_winrs_environment.yml, trimmed). */
export function windowsEnvironment(user: string): Map<string, string> {
  return new Map([
    ['ALLUSERSPROFILE', 'C:\\ProgramData'],
    ['APPDATA', `C:\\Users\\${user}\\AppData\\Roaming`],
    ['CommonProgramFiles', 'C:\\Program Files\\Common Files'],
    ['COMPUTERNAME', COMPUTER],
    ['ComSpec', 'C:\\Windows\\system32\\cmd.exe'],
    ['LOCALAPPDATA', `C:\\Users\\${user}\\AppData\\Local`],
    ['NUMBER_OF_PROCESSORS', '2'],
    ['OS', 'Windows_NT'],
    ['Path', 'C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\'],
    ['PATHEXT', '.COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC'],
    ['ProgramData', 'C:\\ProgramData'],
    ['ProgramFiles', 'C:\\Program Files'],
    ['PUBLIC', 'C:\\Users\\Public'],
    ['SystemDrive', 'C:'],
    ['SystemRoot', 'C:\\Windows'],
    ['TEMP', `C:\\Users\\${user}\\AppData\\Local\\Temp`],
    ['TMP', `C:\\Users\\${user}\\AppData\\Local\\Temp`],
    ['USERDOMAIN', COMPUTER],
    ['USERNAME', user],
    ['USERPROFILE', `C:\\Users\\${user}`],
    ['windir', 'C:\\Windows'],
  ]);
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** Everything in write order, with the stream name: for interleaving checks. */
  readonly chunks: readonly { stream: StreamName; text: string }[];
}

export interface SpecOptions {
  command?: string;
  arguments?: string[];
  commandLine?: string;
  environment?: Map<string, string>;
  workingDirectory?: string;
  skipCmdShell?: boolean;
  host?: HostFacts;
  codepage?: number;
}

export function makeSpec(o: SpecOptions = {}): CommandSpec {
  const host = o.host ?? hostFacts();
  const command = o.command ?? 'cmd';
  const args = o.arguments ?? [];
  return {
    shellId: 'SHELL',
    commandId: 'CMD',
    command,
    arguments: args,
    commandLine: o.commandLine ?? [command, ...args].join(' '),
    environment: o.environment ?? windowsEnvironment(host.user.name),
    workingDirectory: o.workingDirectory ?? `C:\\Users\\${host.user.name}`,
    codepage: o.codepage ?? 437,
    skipCmdShell: o.skipCmdShell ?? false,
    noProfile: false,
    host,
  };
}

export class Harness {
  readonly clock = new FakeClock(Date.UTC(2026, 0, 15, 9, 30, 0));
  readonly vfs: HostVfs;
  readonly cmd: CmdEngine;
  readonly host: HostFacts;
  constructor(
    opts: { users?: string[]; host?: HostFacts; powershell?: PowerShellRunner; deps?: Partial<CmdDeps>; limitBytes?: number; maxFiles?: number } = {},
  ) {
    this.host = opts.host ?? hostFacts();
    this.vfs = createHostVfs({
      clock: this.clock,
      users: opts.users ?? [this.host.user.name],
      ...(opts.limitBytes !== undefined ? { limitBytes: opts.limitBytes } : {}),
      ...(opts.maxFiles !== undefined ? { maxFiles: opts.maxFiles } : {}),
    });
    this.cmd = createCmd({ ...(opts.deps ?? {}), vfs: this.vfs, ...(opts.powershell !== undefined ? { powershell: opts.powershell } : {}) });
  }

  spec(o: SpecOptions = {}): CommandSpec {
    return makeSpec({ host: this.host, ...o });
  }

  /** Run `cmd.exe /c <line>` as WinRS does. */
  run(line: string, o: SpecOptions & { stdin?: string[]; abort?: AbortController } = {}): Promise<RunResult> {
    const spec = this.spec({ commandLine: line, ...o });
    return this.exec((ctx) => this.cmd.program(ctx), spec, o.stdin ?? [], o.abort);
  }

  async exec(program: (ctx: ProcessContext) => Promise<number>, spec: CommandSpec, stdin: string[] = [], abort = new AbortController()): Promise<RunResult> {
    const chunks: { stream: StreamName; text: string }[] = [];
    const queue = [...stdin];
    const clock = this.clock;
    const ctx: ProcessContext = {
      spec,
      clock,
      abort: abort.signal,
      readStdin: async () => queue.shift() ?? null,
      readAllStdin: async () => {
        const all = queue.join('');
        queue.length = 0;
        return all;
      },
      write: async (stream, data) => {
        chunks.push({ stream, text: typeof data === 'string' ? data : Buffer.from(data).toString('latin1') });
      },
      sleep: (ms) =>
        new Promise<void>((resolve, reject) => {
          if (abort.signal.aborted) {
            reject(new Error('aborted'));
            return;
          }
          const t = clock.schedule(ms, resolve);
          abort.signal.addEventListener('abort', () => {
            t.cancel();
            reject(new Error('aborted'));
          });
        }),
    };
    const exitCode = await program(ctx);
    const join = (s: StreamName): string =>
      chunks
        .filter((c) => c.stream === s)
        .map((c) => c.text)
        .join('');
    return { stdout: join('stdout'), stderr: join('stderr'), exitCode, chunks };
  }

  text(path: string): string {
    return Buffer.from(this.vfs.readFile(path)).toString('latin1');
  }
}

/** Decode every `<rsp:Stream Name=… >base64</rsp:Stream>` of a recorded exchange, in order. */
export function recordedStreams(yaml: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const re = /<rsp:Stream Name="(\w+)"[^>]*>([^<]*)<\/rsp:Stream>/g;
  for (const m of yaml.matchAll(re)) out.push({ name: m[1] ?? '', text: Buffer.from(m[2] ?? '', 'base64').toString('latin1') });
  return out;
}
