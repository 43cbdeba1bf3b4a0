// The built-in command backend: the emulated cmd.exe for every command WinRS runs through the
// shell (WINRS_SKIP_CMD_SHELL false), and with WINRS_SKIP_CMD_SHELL true only the console
// programs the emulator knows, named by full path, as CreateProcess without a search path would
// find them (recorded: fixtures/pypsrp/test_winrs_no_cmd_shell.yml — `powershell.exe` alone is
// "The system cannot find the file specified.", the full path runs).
import type { CommandBackend, CommandSpec, Program } from '../shell/backend.js';
import { createCmd, type CmdEngine } from './cmd/index.js';
import type { PowerShellRunner } from './cmd/types.js';
import type { Vfs } from './vfs/types.js';

export interface SandboxBackendDeps {
  readonly vfs: Vfs;
  readonly powershell?: PowerShellRunner;
  /** Further cmd options (token, network, volume…); vfs and powershell above win. */
  readonly cmd?: Omit<Parameters<typeof createCmd>[0], 'vfs' | 'powershell'>;
}

export interface SandboxBackend extends CommandBackend {
  readonly cmd: CmdEngine;
}

/** Is `command` a drive-qualified absolute path (`C:\…`)? CreateProcess needs one without cmd.exe. */
function isFullPath(command: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(command);
}

export function createSandboxBackend(deps: SandboxBackendDeps): SandboxBackend {
  const cmd = createCmd({ ...(deps.cmd ?? {}), vfs: deps.vfs, ...(deps.powershell !== undefined ? { powershell: deps.powershell } : {}) });
  return {
    cmd,
    resolve(spec: CommandSpec): Program | undefined {
      // `backend` names what answered in the journal of what ran.
      if (!spec.skipCmdShell) return Object.assign((ctx: Parameters<Program>[0]) => cmd.program(ctx), { backend: 'cmd' });
      const command = spec.command.replace(/^"(.*)"$/s, '$1');
      if (!isFullPath(command)) return undefined;
      const candidates = /\.[^.\\/]+$/.test(command) ? [command] : [command, `${command}.exe`];
      for (const c of candidates) {
        // Without a PowerShell engine powershell.exe is as absent as any unknown program.
        if (deps.powershell === undefined && /(?:^|[\\/])(?:powershell|pwsh)\.exe$/i.test(c)) return undefined;
        const run = cmd.executable(c);
        if (run !== undefined) return Object.assign((ctx: Parameters<Program>[0]) => run(ctx, spec.arguments.join(' ')), { backend: 'process' });
      }
      return undefined;
    },
  };
}
