// Sinks and sources for redirections and pipes, and the ProcessContext a command is handed.
import type { CommandSpec, ProcessContext } from '../../shell/backend.js';
import { decodeText, encodeText } from './text.js';
import type { CmdState, Sink, Source } from './types.js';

/** A command's standard handles. 3-9 exist only when redirected. */
export interface Io {
  readonly stdin: Source;
  readonly handles: ReadonlyMap<number, Sink>;
}

export function stdoutOf(io: Io): Sink {
  return io.handles.get(1) ?? discard;
}

export function stderrOf(io: Io): Sink {
  return io.handles.get(2) ?? discard;
}

export const discard: Sink = { write: async () => {} };

export const emptySource: Source = { read: async () => null, readAll: async () => '' };

/** A source that yields `text` once. */
export function textSource(text: string): Source {
  let done = false;
  return {
    read: async () => {
      if (done) return null;
      done = true;
      return text === '' ? null : text;
    },
    readAll: async () => {
      if (done) return '';
      done = true;
      return text;
    },
  };
}

/** The process's own stdin and outputs. */
export function baseIo(ctx: ProcessContext): Io {
  return {
    stdin: { read: () => ctx.readStdin(), readAll: () => ctx.readAllStdin() },
    handles: new Map<number, Sink>([
      [1, { write: (d) => ctx.write('stdout', d) }],
      [2, { write: (d) => ctx.write('stderr', d) }],
    ]),
  };
}

/** Bytes a pipe buffers before the writer's further output is dropped (no concurrency here). */
export const PIPE_LIMIT = 16 * 1024 * 1024;

/** `a | b`: a's output collected, then handed to b as stdin. */
export class PipeBuffer implements Sink {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly codepage: number) {}
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? encodeText(data, this.codepage) : data;
    if (this.size + bytes.length > PIPE_LIMIT) return;
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
  source(): Source {
    const all = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    return textSource(decodeText(all, this.codepage));
  }
}

/** The ProcessContext a command runs with: its redirected handles, the current environment and directory. */
export function contextFor(base: ProcessContext, io: Io, state: CmdState): ProcessContext {
  const spec: CommandSpec = { ...base.spec, environment: state.env.toMap(), workingDirectory: state.cwd };
  const out = stdoutOf(io);
  const err = stderrOf(io);
  return {
    spec,
    clock: base.clock,
    abort: base.abort,
    readStdin: () => io.stdin.read(),
    readAllStdin: () => io.stdin.readAll(),
    write: (stream, data) => (stream === 'stdout' ? out : err).write(data),
    sleep: (ms) => base.sleep(ms),
  };
}

/** Reads whole lines from a source (for `set /p`, prompts and interactive cmd). */
export class LineReader implements Source {
  private buffer = '';
  private ended = false;
  constructor(private readonly source: Source) {}
  async read(): Promise<string | null> {
    if (this.buffer !== '') {
      const b = this.buffer;
      this.buffer = '';
      return b;
    }
    if (this.ended) return null;
    const chunk = await this.source.read();
    if (chunk === null) this.ended = true;
    return chunk;
  }
  async readAll(): Promise<string> {
    let out = '';
    for (;;) {
      const c = await this.read();
      if (c === null) return out;
      out += c;
    }
  }
  async readLine(): Promise<string | null> {
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        return line;
      }
      if (this.ended) {
        if (this.buffer === '') return null;
        const line = this.buffer.replace(/\r$/, '');
        this.buffer = '';
        return line;
      }
      const chunk = await this.source.read();
      if (chunk === null) this.ended = true;
      else this.buffer += chunk;
    }
  }
}
