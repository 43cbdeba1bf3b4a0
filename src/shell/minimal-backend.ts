// The smallest backend that lets the WinRS layer be tested on its own: `echo`, `exit /b N`,
// `hostname`, `whoami`, `type`/`more` (of stdin) and cmd.exe's answer for anything else (exit 9009),
// with `&&`, `&`, `||` and `>&2`. The sandbox's emulated cmd.exe replaces it in normal use.
import type { CommandBackend, CommandSpec, ProcessContext, Program } from './backend.js';

const NOT_RECOGNIZED = (name: string) => `'${name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;

/** Strip `cmd[.exe] /c` prefixes as WinRS's `cmd.exe /c <line>` wrapping would see them. */
export function stripCmdPrefix(line: string): string {
  let rest = line.trim();
  for (;;) {
    const m = /^(?:"?(?:[a-z]:\\windows\\system32\\)?cmd(?:\.exe)?"?)\s+\/[cC]\s*(.*)$/is.exec(rest);
    if (!m) return rest;
    rest = (m[1] ?? '').trim();
  }
}

async function runSimple(ctx: ProcessContext, text: string): Promise<number> {
  let cmd = text.replace(/^\s+/, '');
  let stream: 'stdout' | 'stderr' = 'stdout';
  // cmd removes the redirection token itself and keeps the spaces around it ("echo err>&2 " prints "err ").
  const redirect = /(?:^|(?<=\S))1?>&2/.exec(cmd);
  if (redirect) {
    stream = 'stderr';
    cmd = cmd.slice(0, redirect.index) + cmd.slice(redirect.index + redirect[0].length);
  }
  cmd = cmd.replace(/2>&1/, '');
  const [name = '', ...rest] = cmd.trim().split(/\s+/);
  const args = cmd.slice(name.length).replace(/^\s/, '');
  switch (name.toLowerCase()) {
    case '':
      return 0;
    case 'echo':
      await ctx.write(stream, rest.length === 0 && args.trim() === '' ? 'ECHO is on.\r\n' : `${args}\r\n`);
      return 0;
    case 'exit': {
      const m = /^(?:\/b\s+)?(-?\d+)?/i.exec(args);
      return Number(m?.[1] ?? 0);
    }
    case 'hostname':
      await ctx.write(stream, `${ctx.spec.host.computerName}\r\n`);
      return 0;
    case 'whoami':
      await ctx.write(stream, `${ctx.spec.host.computerName.toLowerCase()}\\${ctx.spec.host.user.name.toLowerCase()}\r\n`);
      return 0;
    case 'more':
      // From a pipe, more copies its input with CRLF line ends.
      await ctx.write(stream, (await ctx.readAllStdin()).replace(/\r?\n/g, '\r\n'));
      return 0;
    case 'type':
      if (rest.length === 0 || args === 'con' || args === 'CON') {
        await ctx.write(stream, await ctx.readAllStdin());
        return 0;
      }
      await ctx.write('stderr', 'The system cannot find the file specified.\r\n');
      return 1;
    default:
      await ctx.write('stderr', NOT_RECOGNIZED(name));
      return 9009;
  }
}

/** Runs `a && b || c & d` left to right with cmd's conditional semantics. */
async function runLine(ctx: ProcessContext, line: string): Promise<number> {
  const parts = line.split(/(&&|\|\||(?<![<>|])&)/);
  let code = 0;
  let op = '&';
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i] ?? '';
    const run = op === '&' || (op === '&&' && code === 0) || (op === '||' && code !== 0);
    if (run) {
      code = await runSimple(ctx, part);
      if (/^\s*exit\b/i.test(part)) return code;
    }
    op = parts[i + 1] ?? '&';
  }
  return code;
}

export const minimalBackend: CommandBackend = {
  resolve(spec: CommandSpec): Program | undefined {
    if (spec.skipCmdShell) return undefined;
    return (ctx) => runLine(ctx, stripCmdPrefix(spec.commandLine));
  },
};
