// powershell.exe / pwsh.exe command-line handling (`powershell /?`): the parameters pywinrm,
// Ansible and people send, then the script handed to the PowerShell engine (CmdDeps.powershell).
// Arguments are split by the C runtime rules and, after -Command or the first non-parameter,
// joined with spaces, as powershell.exe does.
import { VfsError } from '../vfs/types.js';
import { splitArgv } from './argv.js';
import { notRecognized, NOT_RECOGNIZED_EXIT } from './common.js';
import { decodeText } from './text.js';
import type { CmdProgram, Invocation, PowerShellRunOptions } from './types.js';

/** Exit code powershell.exe gives for a bad command line. */
export const POWERSHELL_BAD_COMMAND_LINE = 64;

export type PowerShellCommandLine =
  | { readonly kind: 'run'; readonly script: string; readonly opts: PowerShellRunOptions; readonly file?: string; readonly nonInteractive: boolean }
  | { readonly kind: 'error'; readonly message: string; readonly exitCode: number };

/** Parameters of powershell.exe (Windows PowerShell 5.1) and the shortest prefix each accepts. */
const PARAMETERS: readonly (readonly [string, number])[] = [
  ['command', 1],
  ['configurationname', 4],
  ['encodedcommand', 1],
  ['encodedarguments', 8],
  ['executionpolicy', 2],
  ['file', 1],
  ['help', 1],
  ['inputformat', 2],
  ['mta', 1],
  ['noexit', 3],
  ['nologo', 3],
  ['noninteractive', 4],
  ['noprofile', 3],
  ['outputformat', 1],
  ['psconsolefile', 2],
  ['sta', 1],
  ['version', 1],
  ['windowstyle', 1],
];

/** Aliases that are not prefixes. */
const ALIASES: Readonly<Record<string, string>> = { ec: 'encodedcommand', enc: 'encodedcommand', ep: 'executionpolicy', ex: 'executionpolicy', exec: 'executionpolicy', nop: 'noprofile', noni: 'noninteractive', nol: 'nologo', if: 'inputformat', of: 'outputformat', c: 'command', e: 'encodedcommand' };

function parameterName(arg: string): string | undefined {
  if (!(arg.startsWith('-') || arg.startsWith('/')) || arg.length < 2) return undefined;
  const name = arg.slice(1).toLowerCase();
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  for (const [full, min] of PARAMETERS) if (name.length >= min && full.startsWith(name)) return full;
  return undefined;
}

const WITH_VALUE = new Set(['configurationname', 'encodedcommand', 'encodedarguments', 'executionpolicy', 'inputformat', 'outputformat', 'psconsolefile', 'version', 'windowstyle']);

/** Decode -EncodedCommand: base64 of UTF-16LE; undefined when it is not valid base64. */
export function decodeEncodedCommand(b64: string): string | undefined {
  const clean = b64.replace(/\s+/g, '');
  if (clean === '' || clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  return new TextDecoder('utf-16le').decode(Buffer.from(clean, 'base64'));
}

/** Parse a powershell.exe argument string (what follows the program name). */
export function parsePowerShellCommandLine(argsText: string): PowerShellCommandLine {
  const args = splitArgv(argsText);
  let noProfile = false;
  let nonInteractive = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-') {
      return { kind: 'run', script: '', opts: { encoded: false, fromStdin: true, noProfile }, nonInteractive };
    }
    const p = parameterName(a);
    if (p === undefined) break; // the command starts here
    if (p === 'noprofile') noProfile = true;
    else if (p === 'noninteractive') nonInteractive = true;
    else if (p === 'command') {
      const rest = args.slice(i + 1);
      if (rest.length === 0) return { kind: 'error', message: 'Cannot process the command because of a missing parameter. A command must follow -Command.\r\n', exitCode: POWERSHELL_BAD_COMMAND_LINE };
      if (rest.length === 1 && rest[0] === '-') return { kind: 'run', script: '', opts: { encoded: false, fromStdin: true, noProfile }, nonInteractive };
      return { kind: 'run', script: rest.join(' '), opts: { encoded: false, fromStdin: false, noProfile }, nonInteractive };
    } else if (p === 'file') {
      const file = args[i + 1];
      if (file === undefined) return { kind: 'error', message: 'Cannot process the command because of a missing parameter. A file path must follow -File.\r\n', exitCode: POWERSHELL_BAD_COMMAND_LINE };
      return { kind: 'run', script: '', file, opts: { encoded: false, fromStdin: false, noProfile }, nonInteractive };
    } else if (WITH_VALUE.has(p)) {
      const v = args[i + 1];
      if (v === undefined) return { kind: 'error', message: `Missing ${p === 'encodedcommand' ? 'EncodedCommand' : p} parameter argument.\r\n`, exitCode: POWERSHELL_BAD_COMMAND_LINE };
      i++;
      if (p === 'encodedcommand') {
        const script = decodeEncodedCommand(v);
        if (script === undefined) {
          return {
            kind: 'error',
            message: 'Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.\r\n',
            exitCode: POWERSHELL_BAD_COMMAND_LINE,
          };
        }
        return { kind: 'run', script, opts: { encoded: true, fromStdin: false, noProfile: noProfile || args.slice(i + 1).some((x) => parameterName(x) === 'noprofile') }, nonInteractive };
      }
      if ((p === 'inputformat' || p === 'outputformat') && v.toLowerCase() !== 'text') {
        if (v.toLowerCase() === 'xml') return { kind: 'error', message: `-${p === 'inputformat' ? 'InputFormat' : 'OutputFormat'} xml is not emulated by winrm-emulator; use text.\r\n`, exitCode: POWERSHELL_BAD_COMMAND_LINE };
        return { kind: 'error', message: `Invalid argument '${v}' for -${p === 'inputformat' ? 'InputFormat' : 'OutputFormat'}. Use 'text' or 'xml'.\r\n`, exitCode: POWERSHELL_BAD_COMMAND_LINE };
      }
    }
    // -NoLogo, -Sta, -Mta, -NoExit, -Help…: accepted, nothing to do here.
  }
  const rest = args.slice(i);
  if (rest.length === 0) return { kind: 'run', script: '', opts: { encoded: false, fromStdin: true, noProfile }, nonInteractive };
  return { kind: 'run', script: rest.join(' '), opts: { encoded: false, fromStdin: false, noProfile }, nonInteractive };
}

/** powershell.exe / pwsh.exe as a console program. */
export const powershell: CmdProgram = async (inv: Invocation) => {
  const runner = inv.rt.deps.powershell;
  if (runner === undefined) {
    await inv.ctx.write('stderr', notRecognized(inv.name));
    return NOT_RECOGNIZED_EXIT;
  }
  const parsed = parsePowerShellCommandLine(inv.args);
  if (parsed.kind === 'error') {
    await inv.ctx.write('stderr', parsed.message);
    return parsed.exitCode;
  }
  let script = parsed.script;
  if (parsed.file !== undefined) {
    try {
      script = decodeText(inv.rt.vfs.readFile(inv.rt.resolve(inv.state, parsed.file)), 65001);
    } catch (e) {
      if (!(e instanceof VfsError)) throw e;
      await inv.ctx.write(
        'stderr',
        `The argument '${parsed.file}' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.\r\n`,
      );
      return 4294770688; // -196608 as Windows reports it
    }
  }
  return runner(script, inv.ctx, parsed.opts);
};
