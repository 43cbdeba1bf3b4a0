// The record of what ran: every command with its host, user, shell, command line, stdin, output,
// exit code, times and which backend (and rule) answered, in a bounded in-memory journal that
// the library API exposes (`emulator.journal`) so a test can assert what its client ran.
export interface JournalEntry {
  readonly seq: number;
  readonly host: string;
  readonly user: string;
  readonly shellId: string;
  readonly commandId: string;
  readonly commandLine: string;
  readonly stdin: string;
  readonly stdout: string;
  readonly stderr: string;
  /** Bytes seen per stream; the text fields keep the first 64 KiB. */
  readonly bytes: { readonly stdin: number; readonly stdout: number; readonly stderr: number };
  /** undefined when the command was terminated before it exited. */
  readonly exitCode: number | undefined;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly backend: string;
  readonly rule?: string;
}

export type JournalFilter = Partial<Pick<JournalEntry, 'host' | 'user' | 'shellId' | 'backend' | 'rule'>> & {
  /** Substring or regular expression over the command line. */
  readonly commandLine?: string | RegExp;
};

export class Journal {
  /** A ring of the last `capacity` entries; once full, `head` is the oldest (no shifting per command). */
  private readonly entries: JournalEntry[] = [];
  private head = 0;
  private seq = 0;
  private readonly listeners = new Set<(e: JournalEntry) => void>();

  constructor(private readonly capacity: number) {}

  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const e = { ...entry, seq: ++this.seq };
    if (this.entries.length < this.capacity) this.entries.push(e);
    else {
      this.entries[this.head] = e;
      this.head = (this.head + 1) % this.capacity;
    }
    for (const l of this.listeners) l(e);
    return e;
  }

  /** Oldest first. */
  private ordered(): JournalEntry[] {
    return this.head === 0 ? this.entries : [...this.entries.slice(this.head), ...this.entries.slice(0, this.head)];
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    return this.ordered().filter((e) => {
      for (const k of ['host', 'user', 'shellId', 'backend', 'rule'] as const) {
        const want = filter[k];
        if (want !== undefined && (e[k] ?? '').toLowerCase() !== want.toLowerCase()) return false;
      }
      const c = filter.commandLine;
      if (c !== undefined && !(typeof c === 'string' ? e.commandLine.includes(c) : c.test(e.commandLine))) return false;
      return true;
    });
  }

  /** Entries recorded so far (oldest first) and how many were dropped over the bound. */
  get size(): number {
    return this.entries.length;
  }

  get dropped(): number {
    return this.seq - this.entries.length;
  }

  clear(): void {
    this.entries.length = 0;
    this.head = 0;
  }

  onEntry(fn: (e: JournalEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** What the journal needs of a command that ended (a WinRS CommandRun has it). */
export interface EndedCommand {
  readonly id: string;
  readonly spec: { readonly commandLine: string; readonly codepage: number };
  readonly transcript: { bytes(stream: 'stdin' | 'stdout' | 'stderr'): Buffer; readonly totals: { stdin: number; stdout: number; stderr: number } };
  readonly exitCode: number | undefined;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly info: { readonly backend?: string; readonly rule?: string };
}

/** The journal entry for a command that ended; text is decoded with the command's code page. */
export function entryFromCommand(
  cmd: EndedCommand,
  where: { host: string; user: string; shellId: string; backendPrefix: string; now: number; decode: (bytes: Buffer, codepage: number) => string },
): Omit<JournalEntry, 'seq'> {
  const t = cmd.transcript;
  const text = (s: 'stdin' | 'stdout' | 'stderr') => where.decode(t.bytes(s), cmd.spec.codepage);
  return {
    host: where.host,
    user: where.user,
    shellId: where.shellId,
    commandId: cmd.id,
    commandLine: cmd.spec.commandLine,
    stdin: text('stdin'),
    stdout: text('stdout'),
    stderr: text('stderr'),
    bytes: { ...t.totals },
    exitCode: cmd.exitCode,
    startedAt: new Date(cmd.startedAt).toISOString(),
    endedAt: new Date(cmd.endedAt ?? where.now).toISOString(),
    backend: `${where.backendPrefix}${cmd.info.backend ?? 'sandbox'}`,
    ...(cmd.info.rule !== undefined ? { rule: cmd.info.rule } : {}),
  };
}
