// A process environment block as cmd.exe sees it: names case-insensitive and case-preserving,
// order kept as received, new names inserted the way RtlSetEnvironmentVariable does (before the
// first existing name that sorts after them, comparing upper-cased), which is why `set` lists
// PROMPT, set by cmd.exe at start, where it does in fixtures/pypsrp/test_winrs_environment.yml.

interface Entry {
  readonly name: string;
  /** The name upper-cased: the key of every lookup and of the insertion order. */
  readonly key: string;
  value: string;
}

export class Environment {
  private entries: Entry[] = [];
  /** Upper-cased name → entry: every command start reads a dozen variables (decision 0006). */
  private index = new Map<string, Entry>();
  /** Entries and index shared with another block: copied before the first change (decision 0007). */
  private shared = false;

  /** A block with the same variables that copies them only when one of the two changes. */
  copyOnWrite(): Environment {
    const c = new Environment();
    c.entries = this.entries;
    c.index = this.index;
    c.shared = this.shared = true;
    return c;
  }

  private own(): void {
    if (!this.shared) return;
    this.entries = this.entries.map((x) => ({ ...x }));
    this.index = new Map(this.entries.map((x) => [x.key, x]));
    this.shared = false;
  }

  constructor(init?: Iterable<readonly [string, string]>) {
    if (init !== undefined) {
      for (const [name, value] of init) {
        const key = name.toUpperCase();
        const e = this.index.get(key);
        if (e !== undefined) e.value = value;
        else this.add({ name, key, value }, this.entries.length);
      }
    }
  }

  private add(e: Entry, at: number): void {
    this.entries.splice(at, 0, e);
    this.index.set(e.key, e);
  }

  get(name: string): string | undefined {
    return this.index.get(name.toUpperCase())?.value;
  }

  has(name: string): boolean {
    return this.index.has(name.toUpperCase());
  }

  /** Set (or with an empty value, remove) a variable. An existing name keeps its spelling. */
  set(name: string, value: string): void {
    this.own();
    const key = name.toUpperCase();
    const e = this.index.get(key);
    if (value === '') {
      if (e !== undefined) {
        this.entries.splice(this.entries.indexOf(e), 1);
        this.index.delete(key);
      }
      return;
    }
    if (e !== undefined) {
      e.value = value;
      return;
    }
    let at = this.entries.findIndex((x) => x.key > key);
    if (at < 0) at = this.entries.length;
    this.add({ name, key, value }, at);
  }

  delete(name: string): void {
    this.set(name, '');
  }

  list(): readonly { readonly name: string; readonly value: string }[] {
    return this.entries;
  }

  clone(): Environment {
    const c = new Environment();
    c.entries = this.entries.map((x) => ({ ...x }));
    c.index = new Map(c.entries.map((x) => [x.key, x]));
    return c;
  }

  toMap(): Map<string, string> {
    return new Map(this.entries.map((e) => [e.name, e.value]));
  }
}
