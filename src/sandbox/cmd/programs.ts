// Console programs the emulated cmd.exe runs when it finds their file along PATH, keyed by file
// name (lower case). The files themselves are placeholders in the VFS (default-tree.ts).
import { chcp } from './chcp.js';
import { powershell } from './powershell.js';
import { hostname, ipconfig, systeminfo } from './sysinfo.js';
import { findstr, more, sort, timeout, where } from './tools.js';
import type { CmdProgram } from './types.js';
import { whoami } from './whoami.js';

/** cmd.exe run as a program (nested `cmd /c …`): a new process with the caller's environment. */
const cmdExe: CmdProgram = (inv) => inv.rt.runChildCmd(inv.ctx, inv.args);

export const PROGRAMS: ReadonlyMap<string, CmdProgram> = new Map<string, CmdProgram>([
  ['cmd.exe', cmdExe],
  ['whoami.exe', whoami],
  ['hostname.exe', hostname],
  ['ipconfig.exe', ipconfig],
  ['systeminfo.exe', systeminfo],
  ['where.exe', where],
  ['sort.exe', sort],
  ['findstr.exe', findstr],
  ['more.com', more],
  ['timeout.exe', timeout],
  ['chcp.com', chcp],
  ['powershell.exe', powershell],
  ['pwsh.exe', powershell],
]);
