// A small ProcessContext harness for the PowerShell engine: a fake clock, an in-memory VFS,
// captured stdout / stderr, and a fake external-program hook (hostname, whoami, cmd /c exit N).
import { FakeClock } from '../../../../src/core/clock.js';
import type { HostFacts, ProcessContext } from '../../../../src/shell/backend.js';
import { createHostVfs, type HostVfs } from '../../../../src/sandbox/vfs/memory.js';
import { createPowerShell, type PowerShellEngine, type PowerShellOptions } from '../../../../src/sandbox/powershell/index.js';

export const HOST: HostFacts = {
  computerName: 'WIN-EMU01',
  machineSid: 'S-1-5-21-1004336348-1177238915-682003330',
  os: { version: '10.0.17763', productName: 'Windows Server 2019 Datacenter', servicePack: '0.0' },
  user: { name: 'Administrator', rid: 500, sid: 'S-1-5-21-1004336348-1177238915-682003330-500', groups: ['Administrators', 'Users'] },
};

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface Harness {
  readonly clock: FakeClock;
  readonly vfs: HostVfs;
  readonly ps: PowerShellEngine;
  readonly externalCalls: { name: string; args: string[]; stdin: string }[];
  run(script: string, opts?: { encoded?: boolean; fromStdin?: boolean; stdin?: string; abort?: AbortController; cwd?: string }): Promise<RunResult>;
  ctx(opts?: { stdin?: string; abort?: AbortController; cwd?: string }): ProcessContext & { out: { stdout: string; stderr: string } };
}

export function makeHarness(options: Partial<PowerShellOptions> = {}): Harness {
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 9, 30, 5));
  const vfs = createHostVfs({ clock, users: ['Administrator'] });
  const externalCalls: { name: string; args: string[]; stdin: string }[] = [];
  const ps = createPowerShell({
    vfs,
    externals: (name, args, ctx) => {
      const n = name.toLowerCase().replace(/\.exe$/, '');
      if (!['hostname', 'whoami', 'cmd'].includes(n)) return undefined;
      return (async () => {
        const stdin = await ctx.readAllStdin();
        externalCalls.push({ name, args, stdin });
        if (n === 'hostname') await ctx.write('stdout', `${ctx.spec.host.computerName}\r\n`);
        if (n === 'whoami') await ctx.write('stdout', `${ctx.spec.host.computerName.toLowerCase()}\\${ctx.spec.host.user.name.toLowerCase()}\r\n`);
        if (n === 'cmd') {
          const m = /exit\s+(\d+)/i.exec(args.join(' '));
          if (/echo/i.test(args.join(' '))) await ctx.write('stdout', `${args.slice(args.findIndex((a) => /echo/i.test(a)) + 1).join(' ')}\r\n`);
          if (/cd/i.test(args.join(' '))) await ctx.write('stdout', `${ctx.spec.workingDirectory}\r\n`);
          return m !== null ? Number(m[1]) : 0;
        }
        return 0;
      })();
    },
    ...options,
  });
  const ctx = (o: { stdin?: string; abort?: AbortController; cwd?: string } = {}): ProcessContext & { out: { stdout: string; stderr: string } } => {
    const out = { stdout: '', stderr: '' };
    let stdinRead = false;
    const abort = o.abort ?? new AbortController();
    return {
      out,
      spec: {
        shellId: '11111111-2222-3333-4444-555555555555',
        commandId: '66666666-7777-8888-9999-000000000000',
        command: 'powershell',
        arguments: [],
        commandLine: 'powershell',
        environment: new Map([
          ['COMPUTERNAME', HOST.computerName],
          ['USERNAME', 'Administrator'],
          ['USERPROFILE', 'C:\\Users\\Administrator'],
          ['SystemRoot', 'C:\\Windows'],
          ['Path', 'C:\\Windows\\system32;C:\\Windows'],
          ['TEMP', 'C:\\Users\\Administrator\\AppData\\Local\\Temp'],
        ]),
        workingDirectory: o.cwd ?? 'C:\\Users\\Administrator',
        codepage: 437,
        skipCmdShell: false,
        noProfile: true,
        host: HOST,
      },
      clock,
      abort: abort.signal,
      readStdin: async () => {
        if (stdinRead) return null;
        stdinRead = true;
        return o.stdin ?? '';
      },
      readAllStdin: async () => {
        if (stdinRead) return '';
        stdinRead = true;
        return o.stdin ?? '';
      },
      write: async (stream, data) => {
        const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
        if (stream === 'stdout') out.stdout += text;
        else out.stderr += text;
      },
      sleep: async (ms) => {
        clock.advance(ms);
      },
    };
  };
  return {
    clock,
    vfs,
    ps,
    externalCalls,
    ctx,
    run: async (script, o = {}) => {
      const c = ctx(o);
      const code = await ps.runScript(script, c, { encoded: o.encoded ?? false, fromStdin: o.fromStdin ?? false, noProfile: true });
      return { stdout: c.out.stdout, stderr: c.out.stderr, code };
    },
  };
}

/** Lines of output (CRLF-terminated, as powershell.exe writes them). */
export function lines(s: string): string[] {
  const l = s.split('\r\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}
