// A process environment block as cmd.exe sees it: names case-insensitive and case-preserving,
// order kept as received, new names inserted the way RtlSetEnvironmentVariable does (before the
// first existing name that sorts after them, comparing upper-cased), which is why `set` lists
// PROMPT, set by cmd.exe at start, where it does in fixtures/pypsrp/test_winrs_environment.yml.

export class Environment {
  private entries: { name: string; value: string }[] = [];

  constructor(init?: Iterable<readonly [string, string]>) {
    if (init !== undefined) {
      for (const [name, value] of init) {
        const i = this.indexOf(name);
        if (i >= 0) this.entries[i] = { name: this.entries[i]?.name ?? name, value };
        else this.entries.push({ name, value });
      }
    }
  }

  private indexOf(name: string): number {
    const key = name.toUpperCase();
    return this.entries.findIndex((e) => e.name.toUpperCase() === key);
  }

  get(name: string): string | undefined {
    const i = this.indexOf(name);
    return i >= 0 ? this.entries[i]?.value : undefined;
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  /** Set (or with an empty value, remove) a variable. An existing name keeps its spelling. */
  set(name: string, value: string): void {
    const i = this.indexOf(name);
    if (value === '') {
      if (i >= 0) this.entries.splice(i, 1);
      return;
    }
    if (i >= 0) {
      const e = this.entries[i];
      if (e !== undefined) e.value = value;
      return;
    }
    const key = name.toUpperCase();
    let at = this.entries.findIndex((e) => e.name.toUpperCase() > key);
    if (at < 0) at = this.entries.length;
    this.entries.splice(at, 0, { name, value });
  }

  delete(name: string): void {
    this.set(name, '');
  }

  list(): readonly { readonly name: string; readonly value: string }[] {
    return this.entries;
  }

  clone(): Environment {
    const e = new Environment();
    e.entries = this.entries.map((x) => ({ ...x }));
    return e;
  }

  toMap(): Map<string, string> {
    return new Map(this.entries.map((e) => [e.name, e.value]));
  }
}
