// ConfigError: every problem found in a configuration, each naming where the bad value came from
// (file:line:col, '<embedded default>', 'environment WINRM_EMU_…', 'command line'), the key path
// (`winrm.Listener[1].CertificateThumbprint`) and what is wrong with it.

export interface ConfigProblem {
  /** A file path, '<embedded default>', 'environment WINRM_EMU_…' or 'command line'. */
  readonly source: string;
  /** 1-based line and column in that source, when it is a YAML file. */
  readonly line?: number;
  readonly column?: number;
  /** Dotted key path with indices, e.g. `winrm.Listener[1].CertificateThumbprint`; '' for the whole source. */
  readonly path: string;
  readonly message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${String(segment)}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line !== undefined ? `${problem.source}:${String(problem.line)}:${String(problem.column ?? 1)}` : problem.source;
  return problem.path === '' ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

/** Thrown by `loadConfig` for an unreadable, unparsable or invalid configuration. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length;
    super(`invalid configuration (${String(count)} problem${count === 1 ? '' : 's'}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
