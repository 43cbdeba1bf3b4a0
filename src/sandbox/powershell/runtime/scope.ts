// Variables, functions and scopes (about_Scopes): dynamic scoping, a global scope, a script scope
// per script, a local scope per function / script block call; `$global:`, `$script:`,
// `$local:`, `$private:` qualifiers; read-only and constant variables; type-constrained variables.
import type { ParameterAst, ScriptBlockAst } from '../language/ast.js';
import type { ScriptSource } from '../language/position.js';
import type { PSTypeRef, PSValue } from './values.js';

export class PSVariable {
  constructor(
    readonly name: string,
    public value: PSValue,
    public readOnly = false,
    public constant = false,
    public typeConstraint: PSTypeRef | undefined = undefined,
    public description = '',
  ) {}
}

export interface FunctionInfo {
  readonly name: string;
  readonly body: ScriptBlockAst;
  /** `function f($a) {}` parameters (else the body's param block). */
  readonly parameters: readonly ParameterAst[] | undefined;
  readonly isFilter: boolean;
  readonly source: ScriptSource;
}

export type ScopeKind = 'global' | 'script' | 'local';

export class Scope {
  readonly vars = new Map<string, PSVariable>();
  readonly functions = new Map<string, FunctionInfo>();
  constructor(
    readonly parent: Scope | undefined,
    readonly kind: ScopeKind,
  ) {}

  /** This scope and its parents, innermost first. */
  *chain(): Generator<Scope> {
    yield this;
    let s = this.parent;
    while (s !== undefined) {
      yield s;
      s = s.parent;
    }
  }

  get global(): Scope {
    let last: Scope | undefined;
    for (const s of this.chain()) last = s;
    return last ?? (this.parent === undefined ? this : this.parent.global);
  }

  get script(): Scope {
    for (const s of this.chain()) if (s.kind === 'script' || s.kind === 'global') return s;
    return this.global;
  }

  lookup(name: string): PSVariable | undefined {
    const key = name.toLowerCase();
    for (const s of this.chain()) {
      const v = s.vars.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  lookupFunction(name: string): FunctionInfo | undefined {
    const key = name.toLowerCase();
    for (const s of this.chain()) {
      const f = s.functions.get(key);
      if (f !== undefined) return f;
    }
    return undefined;
  }

  /** Every function visible from here (inner scopes hide outer ones). */
  allFunctions(): FunctionInfo[] {
    const seen = new Map<string, FunctionInfo>();
    for (const s of this.chain()) for (const [k, f] of s.functions) if (!seen.has(k)) seen.set(k, f);
    return [...seen.values()];
  }

  /** Every variable visible from here. */
  allVariables(): PSVariable[] {
    const seen = new Map<string, PSVariable>();
    for (const s of this.chain()) for (const [k, v] of s.vars) if (!seen.has(k)) seen.set(k, v);
    return [...seen.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  }

  /** Resolve a scope qualifier to the scope it names. */
  qualified(scope: string | undefined): Scope {
    switch (scope) {
      case 'global':
        return this.global;
      case 'script':
        return this.script;
      default:
        return this;
    }
  }
}
