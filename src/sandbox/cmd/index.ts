// The emulated cmd.exe (issue: the sandbox, item 2). createCmd gives the Program WinRS runs for
// a command with WINRS_SKIP_CMD_SHELL false (`cmd.exe /c <commandLine>`), and entry points for
// cmd.exe with its own switches and for the console programs by full path.
import type { AccessToken } from '../../authz/token.js';
import { buildNetworkLogonToken } from '../../authz/token.js';
import { lookupLocalGroup } from '../../authz/sids.js';
import { STATUS_CONTROL_C_EXIT, type CommandSpec, type ProcessContext, type Program } from '../../shell/backend.js';
import { VfsError } from '../vfs/types.js';
import { baseName } from '../vfs/path.js';
import { ExitSignal } from './common.js';
import { contextFor } from './io.js';
import { CmdProcess, initialState } from './interpreter.js';
import { PROGRAMS } from './programs.js';
import { DEFAULT_NETWORK } from './sysinfo.js';
import type { CmdDeps, CmdRuntime, CmdState, NetworkFacts } from './types.js';

export type { CmdDeps, NetworkFacts, PowerShellRunner, PowerShellRunOptions } from './types.js';
export { CmdSyntaxError, expandPercent, parseCommandLine, type CmdNode, type Redirect } from './parser.js';
export { parsePowerShellCommandLine, decodeEncodedCommand } from './powershell.js';
export { splitArgv } from './argv.js';
export { Environment } from './env.js';

export interface CmdEngine {
  /** What WinRS runs with WINRS_SKIP_CMD_SHELL false: `cmd.exe /c <spec.commandLine>`. */
  readonly program: Program;
  /** `cmd.exe /c <line>` in ctx (ctx.spec gives environment, directory, host facts). */
  runCommandLine(ctx: ProcessContext, line: string): Promise<number>;
  /** cmd.exe started with `argsText` (`/c …`, `/k …`, `/q`, or nothing: commands from stdin). */
  runCmdExe(ctx: ProcessContext, argsText: string): Promise<number>;
  /**
   * A console program the emulator knows (cmd.exe, powershell.exe, whoami.exe…) by its file's
   * full path, if that file exists in the VFS; runs with `argsText` as its argument string.
   */
  executable(path: string): ((ctx: ProcessContext, argsText: string) => Promise<number>) | undefined;
}

/** What cmd.exe prints when started without /c (Windows Server 2019). */
export function versionBanner(version: string): string {
  return `Microsoft Windows [Version ${version}]\r\n(c) 2018 Microsoft Corporation. All rights reserved.\r\n`;
}

/** `7869-2C66`-style serial derived from the computer name (FNV-1a), stable per host. */
function volumeSerialFor(computerName: string): string {
  let h = 0x811c9dc5;
  for (const c of `C:${computerName.toUpperCase()}`) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const hex = h.toString(16).toUpperCase().padStart(8, '0');
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

/** The token whoami shows when none is injected: a network logon (NTLM) under Windows' default UAC policy. */
export function defaultToken(spec: CommandSpec): AccessToken {
  const u = spec.host.user;
  return buildNetworkLogonToken({
    computerName: spec.host.computerName,
    machineSid: spec.host.machineSid,
    // Groups the authz core does not know are left out rather than failing whoami.
    user: { name: u.name, rid: u.rid, groups: u.groups.filter((g) => lookupLocalGroup(g) !== undefined) },
    authPackage: 'NTLM',
    policy: { LocalAccountTokenFilterPolicy: false, FilterAdministratorToken: false },
  });
}

/** cmd's rule for a `/c` line starting with a quote (`cmd /?`): keep both quotes only in the one documented case. */
export function stripOuterQuotes(line: string, stripAlways: boolean, isExecutable: (name: string) => boolean): string {
  if (!line.startsWith('"')) return line;
  const quotes = [...line].filter((c) => c === '"').length;
  if (!stripAlways && quotes === 2) {
    const close = line.indexOf('"', 1);
    const inner = line.slice(1, close);
    if (!/[&<>()@^|]/.test(inner) && /\s/.test(inner) && isExecutable(inner)) return line;
  }
  const last = line.lastIndexOf('"');
  return last <= 0 ? line.slice(1) : line.slice(1, last) + line.slice(last + 1);
}

function expandPrompt(prompt: string, state: CmdState): string {
  return prompt.replace(/\$(.)/gs, (m, c: string) => {
    switch (c.toUpperCase()) {
      case 'P':
        return state.cwd;
      case 'G':
        return '>';
      case 'L':
        return '<';
      case 'Q':
        return '=';
      case 'S':
        return ' ';
      case '$':
        return '$';
      case '_':
        return '\r\n';
      case 'N':
        return state.cwd.slice(0, 1);
      default:
        return m.length > 1 ? '' : m;
    }
  });
}

export function createCmd(deps: CmdDeps): CmdEngine {
  let firstSeen: number | undefined;
  const rt: CmdRuntime = {
    deps,
    vfs: deps.vfs,
    resolve: (state, typed) => deps.vfs.resolve(state.cwd, typed.replace(/"/g, '') || '.'),
    runChildCmd: (ctx, argsText) => runCmdExe(ctx, argsText),
    token: (spec) => (deps.token ?? defaultToken)(spec),
    network: (): NetworkFacts => ({ ...DEFAULT_NETWORK, ...Object.fromEntries(Object.entries(deps.network ?? {}).filter(([, v]) => v !== undefined)) }),
    volume: (spec) => ({ label: deps.volumeLabel, serial: deps.volumeSerial ?? volumeSerialFor(spec.host.computerName) }),
    bootTime: (ctx) => {
      if (deps.bootTime !== undefined) return deps.bootTime;
      firstSeen ??= ctx.clock.now();
      return firstSeen;
    },
    buildRevision: (spec) => {
      const v = spec.host.os.version;
      return v.split('.').length >= 4 ? v : `${v}.${deps.buildRevision ?? 1}`;
    },
  };

  async function runProcess(ctx: ProcessContext, body: (proc: CmdProcess) => Promise<number>, cmdLine: string, echo = true): Promise<number> {
    const state = initialState(ctx, rt);
    state.echo = echo;
    const proc = new CmdProcess(rt, ctx, state, cmdLine);
    try {
      return await body(proc);
    } catch (e) {
      if (e instanceof ExitSignal) return ctx.abort.aborted ? STATUS_CONTROL_C_EXIT : e.code;
      if (ctx.abort.aborted) return STATUS_CONTROL_C_EXIT;
      throw e;
    }
  }

  function isExecutable(ctx: ProcessContext, name: string): boolean {
    const state = initialState(ctx, rt);
    const proc = new CmdProcess(rt, ctx, state, '');
    try {
      const r = proc.resolveProgram(name);
      return typeof r === 'object';
    } catch (e) {
      if (e instanceof VfsError) return false;
      throw e;
    }
  }

  async function runCmdExe(ctx: ProcessContext, argsText: string): Promise<number> {
    let rest = argsText;
    let mode: 'c' | 'k' | undefined;
    let stripAlways = false;
    let echo = true;
    for (;;) {
      rest = rest.replace(/^[\s]+/, '');
      const m = /^\/([a-z?])((?::[^\s/]*)?)/i.exec(rest);
      if (m === null) break;
      const sw = (m[1] ?? '').toLowerCase();
      if (sw === 'c' || sw === 'k') {
        mode = sw;
        rest = rest.slice(2).replace(/^[\s]+/, '');
        break;
      }
      if (sw === 's') stripAlways = true;
      if (sw === 'q') echo = false;
      rest = rest.slice(m[0].length);
    }
    const comspec = ctx.spec.environment.get('ComSpec') ?? 'C:\\Windows\\system32\\cmd.exe';
    const cmdLine = `${comspec} ${argsText.replace(/^\s+/, '')}`;
    if (mode === undefined) return runProcess(ctx, (proc) => interactive(proc, ctx, true), cmdLine, echo);
    const line = stripOuterQuotes(rest, stripAlways, (name) => isExecutable(ctx, name));
    if (mode === 'c') {
      return runProcess(ctx, (proc) => proc.runLine(line), cmdLine, echo);
    }
    return runProcess(
      ctx,
      async (proc) => {
        try {
          await proc.runLine(line);
        } catch (e) {
          if (e instanceof ExitSignal) return e.code;
          throw e;
        }
        return interactive(proc, ctx, false);
      },
      cmdLine,
      echo,
    );
  }

  /** cmd.exe without /c: commands read from stdin, each echoed after the prompt as a console would. */
  async function interactive(proc: CmdProcess, ctx: ProcessContext, banner: boolean): Promise<number> {
    const out = (s: string): Promise<void> => ctx.write('stdout', s);
    if (banner) await out(versionBanner(rt.buildRevision(ctx.spec)));
    for (;;) {
      if (proc.state.echo) await out(`\r\n${expandPrompt(proc.state.env.get('PROMPT') ?? '$P$G', proc.state)}`);
      const line = await proc.lineReader.readLine();
      if (line === null) break;
      if (proc.state.echo) await out(`${line}\r\n`);
      try {
        await proc.runLine(line);
      } catch (e) {
        if (e instanceof ExitSignal) return e.code;
        throw e;
      }
    }
    return proc.state.errorlevel;
  }

  function executable(path: string): ((ctx: ProcessContext, argsText: string) => Promise<number>) | undefined {
    let st;
    try {
      st = deps.vfs.stat(deps.vfs.resolve('C:\\', path));
    } catch (e) {
      if (e instanceof VfsError) return undefined;
      throw e;
    }
    if (st?.type !== 'file') return undefined;
    const name = baseName(st.path).toLowerCase();
    // A batch file runs in a new cmd.exe, as CreateProcess starts one: `cmd.exe /c ""x.bat" args"`.
    if (/\.(bat|cmd)$/.test(name)) return (ctx, argsText) => runCmdExe(ctx, `/c ""${st.path}"${argsText === '' ? '' : ` ${argsText}`}"`);
    const program = PROGRAMS.get(name);
    if (program === undefined) return undefined;
    if (name === 'cmd.exe') return (ctx, argsText) => runCmdExe(ctx, argsText);
    return (ctx, argsText) =>
      runProcess(
        ctx,
        async (proc) => {
          const io = proc.io();
          return program({ name: st.path, args: argsText === '' ? '' : ` ${argsText}`, ctx: contextFor(ctx, io, proc.state), state: proc.state, rt, proc, io });
        },
        `${st.path} ${argsText}`,
      );
  }

  return {
    program: (ctx) => runCmdExe(ctx, `/c ${ctx.spec.commandLine}`),
    runCommandLine: (ctx, line) => runCmdExe(ctx, `/c ${line}`),
    runCmdExe,
    executable,
  };
}
