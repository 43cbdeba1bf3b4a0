// Batch files (.bat / .cmd) run by the emulated cmd.exe: each line in turn as a command line of
// the running cmd process, with %0 … %9, %~1 (quotes removed) and %* from the call's arguments,
// `%%` as a literal percent, labels (`:name`, `::` comments), `goto label` / `goto :eof`, `shift`,
// `exit /b N`, and the echo of each command (`\r\nC:\dir>command`) while echo is on and the line
// does not start with `@` — what PowerShell starts as `cmd.exe /c ""x.bat" args"` (Ansible's
// `script` module). Not emulated: `call :label`, `setlocal` scoping, `%~dp0`-style modifiers other
// than `~`, FOR (not emulated by this cmd.exe at all).
import type { ProcessContext } from '../../shell/backend.js';
import { ExitSignal } from './common.js';
import type { Io } from './io.js';
import { decodeText } from './text.js';
import type { CmdState } from './types.js';

/** `goto label` inside a batch file. */
export class GotoSignal {
  constructor(readonly label: string) {}
}

/** `exit /b N`: ends the batch file (or, outside one, the cmd process). */
export class BatchExit extends ExitSignal {}

interface BatchFrame {
  readonly name: string;
  args: string[];
}

/** The batch files running in a cmd process, innermost last (keyed by the process's state). */
const frames = new WeakMap<CmdState, BatchFrame[]>();

export function currentBatch(state: CmdState): BatchFrame | undefined {
  const f = frames.get(state);
  return f?.[f.length - 1];
}

/** Batch parameters as cmd splits them: delimiters space, tab, comma, semicolon, equals; quotes kept. */
export function batchArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let any = false;
  for (const ch of text) {
    if (ch === '"') {
      quoted = !quoted;
      cur += ch;
      any = true;
    } else if (!quoted && /[\s,;=]/.test(ch)) {
      if (any) out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += ch;
      any = true;
    }
  }
  if (any) out.push(cur);
  return out;
}

function substitute(line: string, frame: BatchFrame, argsText: string): string {
  return line.replace(/%%|%\*|%(~?)([0-9])/g, (m: string, tilde: string | undefined, d: string | undefined) => {
    if (m === '%%') return '%';
    if (m === '%*') return argsText.replace(/^[\s,;=]+/, '');
    const i = Number(d);
    const v = i === 0 ? frame.name : (frame.args[i - 1] ?? '');
    return tilde === '~' ? v.replace(/^"(.*)"$/, '$1') : v;
  });
}

export interface BatchHost {
  readonly state: CmdState;
  runLine(line: string, io: Io): Promise<number>;
}

/** Run the batch file at `path` (as typed: `typed`) with `argsText`; returns the errorlevel it leaves. */
export async function runBatch(host: BatchHost, ctx: ProcessContext, io: Io, path: string, typed: string, argsText: string, data: Uint8Array): Promise<number> {
  const lines = decodeText(data, ctx.spec.codepage).split(/\r?\n/);
  const labels = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = /^\s*:([^\s:+][^\s]*)/.exec(l);
    if (m !== null && !labels.has((m[1] ?? '').toLowerCase())) labels.set((m[1] ?? '').toLowerCase(), i + 1);
  });
  const frame: BatchFrame = { name: typed, args: batchArgs(argsText) };
  const stack = frames.get(host.state) ?? [];
  frames.set(host.state, stack);
  stack.push(frame);
  try {
    for (let pc = 0; pc < lines.length; ) {
      if (ctx.abort.aborted) throw new ExitSignal(host.state.errorlevel);
      const raw = lines[pc++] ?? '';
      const t = raw.replace(/^[\s]+/, '');
      if (t === '' || t.startsWith(':')) continue;
      const line = substitute(t, frame, argsText);
      if (host.state.echo && !t.startsWith('@')) await ctx.write('stdout', `\r\n${host.state.cwd}>${line}\r\n`);
      try {
        await host.runLine(line, io);
      } catch (e) {
        if (e instanceof BatchExit) return e.code;
        if (!(e instanceof GotoSignal)) throw e;
        const label = e.label.toLowerCase();
        if (label === 'eof') break;
        const at = labels.get(label);
        if (at === undefined) {
          await ctx.write('stderr', 'The system cannot find the batch label specified - ' + e.label + '\r\n');
          host.state.errorlevel = 1;
          return 1;
        }
        pc = at;
      }
    }
    return host.state.errorlevel;
  } finally {
    stack.pop();
  }
}
