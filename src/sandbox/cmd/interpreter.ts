// The emulated cmd.exe process: runs parsed command lines with cmd's semantics (errorlevel,
// `&&`/`||` on the command's own result, redirections opened left to right, pipes run as child
// cmd.exe processes), resolves programs along PATH/PATHEXT in the virtual file system, and
// dispatches internal commands and the console programs it emulates.
import type { ProcessContext } from '../../shell/backend.js';
import { VfsError } from '../vfs/types.js';
import { deviceOf } from '../vfs/path.js';
import { Environment } from './env.js';
import { LineReader, PipeBuffer, baseIo, contextFor, discard, stderrOf, textSource, type Io } from './io.js';
import { CmdSyntaxError, expandPercent, parseCommandLine, type CmdNode, type IfCondition, type Redirect } from './parser.js';
import { cmdDate, cmdTime, decodeText, encodeText } from './text.js';
import type { CmdProgram, CmdRuntime, CmdState, Sink } from './types.js';
import { INTERNAL_COMMANDS } from './builtins.js';
import { ExitSignal, NOT_RECOGNIZED_EXIT, messageFor, notRecognized, strictInt, wildcardRegExp } from './common.js';
import { PROGRAMS } from './programs.js';
import { runBatch } from './batch.js';

const DEFAULT_PATH = 'C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\;C:\\Windows\\System32\\OpenSSH\\';
const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC';
const PWSH_DIR = 'C:\\Program Files\\PowerShell\\7';

/** Characters that end a typed command name (`ipconfig/all`, `echo.`, `cd..`). */
const NAME_DELIMS = new Set([' ', '\t', ',', ';', '=', '"', '\u000b', '\u000c']);
/** After an internal command's name these also end it (`echo.`, `echo(`, `cd\`). */
const INTERNAL_BREAK = new Set(['.', '(', ':', '[', ']', '\\', '+', '/']);

export interface ResolvedProgram {
  readonly path: string;
  readonly program: CmdProgram | undefined;
}

export class CmdProcess {
  private readonly stdin: LineReader;
  private rand: number;
  constructor(
    readonly rt: CmdRuntime,
    private readonly base: ProcessContext,
    readonly state: CmdState,
    private readonly cmdLine: string,
  ) {
    this.stdin = new LineReader({ read: () => base.readStdin(), readAll: () => base.readAllStdin() });
    this.rand = (base.clock.now() ^ 0x5deece66) >>> 0 || 1;
  }

  /** The process's own handles (stdin shared through one line reader). */
  io(): Io {
    const b = baseIo(this.base);
    return { stdin: this.stdin, handles: b.handles };
  }

  get lineReader(): LineReader {
    return this.stdin;
  }

  private nextRandom(): number {
    // xorshift32; %RANDOM% is 0..32767.
    let x = this.rand;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rand = x >>> 0;
    return this.rand % 32768;
  }

  /** Variables as %NAME% sees them, including cmd's dynamic ones when not set. */
  lookup(name: string): string | undefined {
    const v = this.state.env.get(name);
    if (v !== undefined) return v;
    const now = this.base.clock.now();
    switch (name.toUpperCase()) {
      case 'CD':
        return this.state.cwd;
      case '__CD__':
        return this.state.cwd.endsWith('\\') ? this.state.cwd : `${this.state.cwd}\\`;
      case 'ERRORLEVEL':
        return String(this.state.errorlevel);
      case 'DATE':
        return cmdDate(now);
      case 'TIME':
        return cmdTime(now);
      case 'RANDOM':
        return String(this.nextRandom());
      case 'CMDEXTVERSION':
        return '2';
      case 'CMDCMDLINE':
        return this.cmdLine;
      case 'HIGHESTNUMANODENUMBER':
        return '0';
      case '__APPDIR__':
        return 'C:\\Windows\\system32\\';
      default:
        return undefined;
    }
  }

  /** Expand, parse and run one command line; returns the errorlevel afterwards. Throws ExitSignal. */
  async runLine(line: string, io: Io = this.io()): Promise<number> {
    let node: CmdNode | undefined;
    try {
      node = parseCommandLine(expandPercent(line, (n) => this.lookup(n)));
    } catch (e) {
      if (!(e instanceof CmdSyntaxError)) throw e;
      await stderrOf(io).write(`${e.message}\r\n`);
      this.state.errorlevel = 255;
      return 255;
    }
    if (node !== undefined) await this.execute(node, io);
    return this.state.errorlevel;
  }

  /** Run a node; returns the result of its last command (0 = success, for && and ||). */
  async execute(node: CmdNode, io: Io): Promise<number> {
    if (this.base.abort.aborted) throw new ExitSignal(this.state.errorlevel);
    switch (node.kind) {
      case 'simple':
        return this.runSimple(node.text, node.redirects, io);
      case 'rem':
        return 0;
      case 'block': {
        const redirected = await this.applyRedirects(node.redirects, io);
        if (redirected === undefined) return this.fail(1);
        return node.body === undefined ? 0 : this.execute(node.body, redirected);
      }
      case '&':
        await this.execute(node.left, io);
        return this.execute(node.right, io);
      case '&&': {
        const r = await this.execute(node.left, io);
        return r === 0 ? this.execute(node.right, io) : r;
      }
      case '||': {
        const r = await this.execute(node.left, io);
        return r !== 0 ? this.execute(node.right, io) : r;
      }
      case '|':
        return this.runPipe(node.left, node.right, io);
      case 'if': {
        let yes = this.evaluate(node.condition, node.ignoreCase);
        if (node.negate) yes = !yes;
        if (yes) return this.execute(node.then, io);
        if (node.else !== undefined) return this.execute(node.else, io);
        return 0;
      }
    }
  }

  private fail(code: number): number {
    this.state.errorlevel = code;
    return code;
  }

  private evaluate(c: IfCondition, ignoreCase: boolean): boolean {
    switch (c.kind) {
      case 'errorlevel':
        return this.state.errorlevel >= toInt(c.value);
      case 'cmdextversion':
        return 2 >= toInt(c.value);
      case 'defined':
        return this.state.env.has(c.name);
      case 'exist': {
        const typed = c.path.replace(/"/g, '');
        try {
          if (/[*?]/.test(typed)) return this.matchWildcard(typed).length > 0;
          return this.rt.vfs.stat(this.rt.resolve(this.state, typed)) !== undefined || deviceOf(this.rt.resolve(this.state, typed)) === 'NUL';
        } catch (e) {
          if (e instanceof VfsError) return false;
          throw e;
        }
      }
      case 'compare': {
        let a = c.left;
        let b = c.right;
        if (ignoreCase) {
          a = a.toUpperCase();
          b = b.toUpperCase();
        }
        if (c.op === '==') return a === b;
        const na = strictInt(a);
        const nb = strictInt(b);
        const cmp = na !== undefined && nb !== undefined ? na - nb : a < b ? -1 : a > b ? 1 : 0;
        switch (c.op) {
          case 'EQU':
            return cmp === 0;
          case 'NEQ':
            return cmp !== 0;
          case 'LSS':
            return cmp < 0;
          case 'LEQ':
            return cmp <= 0;
          case 'GTR':
            return cmp > 0;
          case 'GEQ':
            return cmp >= 0;
        }
      }
    }
  }

  /** Files matching a wildcard path (`C:\x\*.txt`), for IF EXIST. */
  private matchWildcard(typed: string): string[] {
    const slash = Math.max(typed.lastIndexOf('\\'), typed.lastIndexOf('/'));
    const dirTyped = slash >= 0 ? typed.slice(0, slash + 1) || '\\' : '.';
    const pattern = typed.slice(slash + 1);
    const dir = this.rt.resolve(this.state, dirTyped);
    const re = wildcardRegExp(pattern);
    try {
      return this.rt.vfs.readdir(dir).filter((s) => re.test(s.name)).map((s) => s.path);
    } catch {
      return [];
    }
  }

  private async runPipe(left: CmdNode, right: CmdNode, io: Io): Promise<number> {
    // Each side of a pipe runs in its own cmd.exe (`cmd /S /D /c" …"`): state changes do not come back.
    const buffer = new PipeBuffer(this.base.spec.codepage);
    const leftHandles = new Map(io.handles);
    leftHandles.set(1, buffer);
    await this.child().executeAsProcess(left, { stdin: io.stdin, handles: leftHandles });
    const code = await this.child().executeAsProcess(right, { stdin: buffer.source(), handles: io.handles });
    this.state.errorlevel = code;
    return code;
  }

  private child(): CmdProcess {
    const state: CmdState = { env: this.state.env.clone(), cwd: this.state.cwd, errorlevel: this.state.errorlevel, echo: this.state.echo, dirStack: [...this.state.dirStack] };
    return new CmdProcess(this.rt, this.base, state, this.cmdLine);
  }

  /** Run a node as a whole process: `exit` ends it; returns its exit code. */
  async executeAsProcess(node: CmdNode, io: Io): Promise<number> {
    try {
      await this.execute(node, io);
      return this.state.errorlevel;
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      throw e;
    }
  }

  /** Open redirections left to right; undefined (after printing cmd's message) when one fails. */
  async applyRedirects(redirects: readonly Redirect[], io: Io): Promise<Io | undefined> {
    if (redirects.length === 0) return io;
    const handles = new Map(io.handles);
    let stdin = io.stdin;
    for (const r of redirects) {
      if (r.op === 'dup') {
        const target = Number(r.target);
        if (target === 0 || r.fd === 0) continue;
        const sink = handles.get(target);
        if (sink === undefined) {
          await stderrOf(io).write(`The handle could not be duplicated\r\nduring redirection of handle ${r.fd}.\r\n`);
          return undefined;
        }
        handles.set(r.fd, sink);
        continue;
      }
      const typed = r.target.replace(/"/g, '');
      let path: string;
      try {
        path = this.rt.resolve(this.state, typed);
      } catch (e) {
        if (!(e instanceof VfsError)) throw e;
        await stderrOf(io).write(`${messageFor(e, this.rt)}\r\n`);
        return undefined;
      }
      const device = deviceOf(path);
      if (r.op === '<') {
        if (device === 'NUL') {
          stdin = textSource('');
          continue;
        }
        try {
          stdin = textSource(decodeText(this.rt.vfs.readFile(path), this.base.spec.codepage));
        } catch (e) {
          if (!(e instanceof VfsError)) throw e;
          await stderrOf(io).write(`${messageFor(e, this.rt, path)}\r\n`);
          return undefined;
        }
        continue;
      }
      if (device === 'NUL') {
        handles.set(r.fd, discard);
        continue;
      }
      if (device === 'CON') {
        handles.set(r.fd, io.handles.get(r.fd === 2 ? 2 : 1) ?? discard);
        continue;
      }
      try {
        const st = device === undefined ? this.rt.vfs.stat(path) : undefined;
        if (st?.type === 'directory') throw new VfsError('EACCES', path, 'Access is denied.');
        if (r.op === '>' || st === undefined) this.rt.vfs.writeFile(path, new Uint8Array(0));
      } catch (e) {
        if (!(e instanceof VfsError)) throw e;
        await stderrOf(io).write(`${messageFor(e, this.rt, path)}\r\n`);
        return undefined;
      }
      handles.set(r.fd, this.fileSink(path, stderrOf(io)));
    }
    return { stdin, handles };
  }

  private fileSink(path: string, errors: Sink): Sink {
    let failed = false;
    const codepage = this.base.spec.codepage;
    return {
      write: async (data) => {
        if (failed) return;
        const bytes = typeof data === 'string' ? encodeText(data, codepage) : data;
        try {
          this.rt.vfs.writeFile(path, bytes, { append: true });
        } catch (e) {
          if (!(e instanceof VfsError)) throw e;
          failed = true;
          await errors.write(`${messageFor(e, this.rt, path)}\r\n`);
        }
      },
    };
  }

  private async runSimple(rawText: string, redirects: readonly Redirect[], io: Io): Promise<number> {
    const redirected = await this.applyRedirects(redirects, io);
    if (redirected === undefined) return this.fail(1);
    const text = rawText.replace(/^[\s,;=@]+/, '');
    if (text.trim() === '') return 0;
    const { name, args, quoted } = splitCommandName(text);
    const lower = name.toLowerCase();
    let internal: { name: string; args: string } | undefined;
    if (!quoted) {
      if (INTERNAL_COMMANDS.has(lower)) internal = { name: lower, args };
      else {
        for (const cmd of INTERNAL_COMMANDS.keys()) {
          if (lower.length > cmd.length && lower.startsWith(cmd) && INTERNAL_BREAK.has(lower[cmd.length] ?? '')) {
            internal = { name: cmd, args: name.slice(cmd.length) + args };
            break;
          }
        }
      }
    }
    const ctx = contextFor(this.base, redirected, this.state);
    if (internal !== undefined) {
      const builtin = INTERNAL_COMMANDS.get(internal.name);
      if (builtin !== undefined) {
        const r = await builtin({ name: internal.name, args: internal.args, ctx, state: this.state, rt: this.rt, proc: this, io: redirected });
        if (r !== 0) this.state.errorlevel = r;
        return r;
      }
    }
    const resolved = this.resolveProgram(name);
    if (resolved === 'path-not-found') {
      await ctx.write('stderr', 'The system cannot find the path specified.\r\n');
      return this.fail(3);
    }
    if (resolved === undefined) {
      await ctx.write('stderr', notRecognized(quoted ? `"${name}"` : name));
      return this.fail(NOT_RECOGNIZED_EXIT);
    }
    if (resolved.program === undefined && /\.(bat|cmd)$/i.test(resolved.path)) {
      const code = await runBatch(this, ctx, redirected, resolved.path, quoted ? `"${name}"` : name, args, this.rt.vfs.readFile(resolved.path));
      this.state.errorlevel = code;
      return code;
    }
    if (resolved.program === undefined) {
      await ctx.write('stderr', 'The system cannot execute the specified program.\r\n');
      return this.fail(1);
    }
    const code = await resolved.program({ name, args, ctx, state: this.state, rt: this.rt, proc: this, io: redirected });
    this.state.errorlevel = code;
    return code;
  }

  /** Find a program the way cmd does: current directory, then PATH, trying PATHEXT extensions. */
  resolveProgram(name: string): ResolvedProgram | 'path-not-found' | undefined {
    const exts = (this.state.env.get('PATHEXT') ?? DEFAULT_PATHEXT).split(';').filter((e) => e.startsWith('.'));
    const lower = name.toLowerCase();
    const hasExt = exts.some((e) => lower.endsWith(e.toLowerCase()));
    const candidates = hasExt ? [name] : exts.map((e) => name + e.toLowerCase());
    const hasDir = name.includes('\\') || name.includes('/') || name.includes(':');
    const dirs = hasDir ? [this.state.cwd] : [this.state.cwd, ...(this.state.env.get('PATH') ?? DEFAULT_PATH).split(';').filter((d) => d.trim() !== '')];
    if (!hasDir && (lower === 'pwsh' || lower === 'pwsh.exe')) dirs.push(PWSH_DIR);
    for (const dir of dirs) {
      for (const cand of candidates) {
        let path: string;
        try {
          path = this.rt.vfs.resolve(this.rt.vfs.resolve(this.state.cwd, dir.replace(/"/g, '')), cand);
        } catch (e) {
          if (e instanceof VfsError) continue;
          throw e;
        }
        const st = this.rt.vfs.stat(path);
        if (st?.type === 'file') {
          const base = st.name.toLowerCase();
          return { path: st.path, program: PROGRAMS.get(base) };
        }
      }
    }
    if (hasDir) {
      try {
        const full = this.rt.vfs.resolve(this.state.cwd, name);
        const slash = full.lastIndexOf('\\');
        const parent = slash > 2 ? full.slice(0, slash) : full.slice(0, 3);
        if (this.rt.vfs.stat(parent)?.type !== 'directory') return 'path-not-found';
      } catch (e) {
        if (!(e instanceof VfsError)) throw e;
      }
    }
    return undefined;
  }
}

/** Split the command name from its arguments as cmd does. */
export function splitCommandName(text: string): { name: string; args: string; quoted: boolean } {
  if (text.startsWith('"')) {
    const close = text.indexOf('"', 1);
    if (close < 0) return { name: text.slice(1), args: '', quoted: true };
    let end = close + 1;
    let name = text.slice(1, close);
    // `"C:\Program Files"\x.exe`: the name goes on to the next delimiter.
    while (end < text.length && !NAME_DELIMS.has(text[end] ?? '')) {
      if (text[end] !== '"') name += text[end];
      end++;
    }
    return { name, args: text.slice(end), quoted: true };
  }
  let end = 0;
  while (end < text.length && !NAME_DELIMS.has(text[end] ?? '')) {
    // `ipconfig/all`: a switch ends a plain name (not a path like `C:/x/y.exe`).
    if (text[end] === '/' && end > 0 && !/[\\:]/.test(text.slice(0, end))) break;
    end++;
  }
  return { name: text.slice(0, end), args: text.slice(end), quoted: false };
}

function toInt(s: string): number {
  const n = strictInt(s);
  return n ?? 0;
}

/** cmd.exe's block as it starts from a process environment, built once per environment (held weakly). */
const startBlocks = new WeakMap<ReadonlyMap<string, string>, Environment>();

/** A fresh cmd.exe state from the process's spec: environment as given plus PROMPT, working directory checked. */
export function initialState(ctx: ProcessContext, rt: CmdRuntime): CmdState {
  let start = startBlocks.get(ctx.spec.environment);
  if (start === undefined) {
    start = new Environment(ctx.spec.environment);
    if (!start.has('PROMPT')) start.set('PROMPT', '$P$G');
    startBlocks.set(ctx.spec.environment, start);
  }
  // A command that sets nothing shares the block; the first `set` copies it (decision 0007).
  const env = start.copyOnWrite();
  let cwd = 'C:\\';
  for (const candidate of [ctx.spec.workingDirectory, env.get('USERPROFILE') ?? '']) {
    if (candidate === '') continue;
    try {
      const st = rt.vfs.stat(rt.vfs.resolve('C:\\', candidate));
      if (st?.type === 'directory') {
        cwd = st.path;
        break;
      }
    } catch (e) {
      if (!(e instanceof VfsError)) throw e;
    }
  }
  return { env, cwd, errorlevel: 0, echo: true, dirStack: [] };
}
