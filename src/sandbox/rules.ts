// Scripted rules: what CI users need first. Each rule matches the command line (or, for a
// `powershell -EncodedCommand/-Command` invocation, the decoded script), optionally per host and
// user, and answers with fixed stdout, stderr and exit code, with an optional delay, output
// chunked over time, and an expectation on stdin. First match wins.
import type { RuleMatchConfig, ScriptedRuleConfig } from '../config/types.js';
import type { CommandBackend, CommandSpec, Program } from '../shell/backend.js';
import { stripCmdPrefix } from '../shell/minimal-backend.js';

export interface CompiledRule {
  readonly index: number;
  readonly rule: ScriptedRuleConfig;
  readonly test: (text: string) => boolean;
  readonly stdinTest: ((text: string) => boolean) | undefined;
  readonly label: string;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) re += ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, 'i');
}

export function compileMatch(m: RuleMatchConfig): (text: string) => boolean {
  if (m.exact !== undefined) {
    const want = m.exact.trim().toLowerCase();
    return (t) => t.trim().toLowerCase() === want;
  }
  if (m.glob !== undefined) {
    const re = globToRegExp(m.glob.trim());
    return (t) => re.test(t.trim());
  }
  const re = new RegExp(m.regex ?? '');
  return (t) => re.test(t);
}

export function compileRules(rules: readonly ScriptedRuleConfig[]): CompiledRule[] {
  return rules.map((rule, index) => ({
    index,
    rule,
    test: compileMatch(rule.match),
    stdinTest: rule.expectStdin ? compileMatch(rule.expectStdin) : undefined,
    label: rule.name || `sandbox.rules[${index}]`,
  }));
}

/**
 * The texts a rule may match for a command: the command line as cmd.exe receives it (without
 * WinRS's `cmd.exe /c` wrapping), and the PowerShell script when the line runs powershell with
 * -EncodedCommand (UTF-16LE base64, as pywinrm's run_ps and Ansible send it) or -Command.
 */
export function candidateTexts(spec: CommandSpec): string[] {
  const line = stripCmdPrefix(spec.commandLine);
  const texts = [line];
  const ps = /^"?(?:[a-z]:\\[^"]*\\)?(?:powershell|pwsh)(?:\.exe)?"?\s+(.*)$/is.exec(line);
  if (ps) {
    const args = ps[1] ?? '';
    const enc = /(?:^|\s)-(?:e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)\s+([A-Za-z0-9+/=]+)/i.exec(args);
    if (enc?.[1]) texts.push(Buffer.from(enc[1], 'base64').toString('utf16le'));
    const cmd = /(?:^|\s)-(?:c|command)\s+([\s\S]*)$/i.exec(args);
    if (cmd?.[1]) texts.push(cmd[1].replace(/^"([\s\S]*)"$/, '$1'));
  }
  return texts;
}

export interface RuleMatch {
  readonly rule: CompiledRule;
  readonly text: string;
}

export function findRule(rules: readonly CompiledRule[], spec: CommandSpec): RuleMatch | undefined {
  const texts = candidateTexts(spec);
  for (const r of rules) {
    if (r.rule.host && r.rule.host.toUpperCase() !== spec.host.computerName.toUpperCase()) continue;
    if (r.rule.user && r.rule.user.toLowerCase() !== spec.host.user.name.toLowerCase()) continue;
    const text = texts.find((t) => r.test(t));
    if (text !== undefined) return { rule: r, text };
  }
  return undefined;
}

/** The rules whose pattern comes closest to the command, for the log of an unmatched command. */
export function closestRules(rules: readonly CompiledRule[], spec: CommandSpec, n = 3): string[] {
  const text = candidateTexts(spec).at(-1)!.toLowerCase();
  const score = (r: CompiledRule) => {
    const p = (r.rule.match.exact ?? r.rule.match.glob ?? r.rule.match.regex ?? '').toLowerCase();
    let common = 0;
    while (common < p.length && common < text.length && p[common] === text[common]) common++;
    return common;
  };
  return [...rules]
    .sort((a, b) => score(b) - score(a))
    .slice(0, n)
    .map((r) => `${r.label} (${JSON.stringify(r.rule.match)})`);
}

function pieces(text: string, size: number): string[] {
  if (size <= 0 || text.length <= size) return text === '' ? [] : [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function ruleProgram(match: RuleMatch): Program {
  const { rule } = match.rule;
  const program = async (ctx: Parameters<Program>[0]): Promise<number> => {
    if (match.rule.stdinTest) {
      const stdin = await ctx.readAllStdin();
      if (!match.rule.stdinTest(stdin)) {
        await ctx.write('stderr', `winrm-emulator: stdin did not match the expectation of rule ${match.rule.label} (${JSON.stringify(rule.expectStdin)}).\r\n`);
        return 1;
      }
    }
    if (rule.delayMs > 0) await ctx.sleep(rule.delayMs);
    const out = pieces(rule.stdout, rule.chunkSize);
    const err = pieces(rule.stderr, rule.chunkSize);
    for (let i = 0; i < Math.max(out.length, err.length); i++) {
      if (i > 0 && rule.chunkDelayMs > 0) await ctx.sleep(rule.chunkDelayMs);
      if (out[i] !== undefined) await ctx.write('stdout', out[i]!);
      if (err[i] !== undefined) await ctx.write('stderr', err[i]!);
    }
    return rule.exitCode;
  };
  return Object.assign(program, { backend: 'rule', rule: match.rule.label });
}

export interface RulesBackendOptions {
  readonly rules: readonly ScriptedRuleConfig[];
  /** Unmatched commands: answered by `fallback`, or (strict) as cmd.exe answers an unknown program. */
  readonly strict: boolean;
  readonly fallback: CommandBackend;
  /** Told about unmatched commands in strict mode (what was received, which rules came closest). */
  readonly onUnmatched?: (spec: CommandSpec, closest: string[]) => void;
}

export function createRulesBackend(opts: RulesBackendOptions): CommandBackend {
  const compiled = compileRules(opts.rules);
  return {
    resolve(spec) {
      const m = findRule(compiled, spec);
      if (m) return ruleProgram(m);
      if (!opts.strict) return opts.fallback.resolve(spec);
      opts.onUnmatched?.(spec, closestRules(compiled, spec));
      if (spec.skipCmdShell) return undefined;
      const name = stripCmdPrefix(spec.commandLine).split(/\s+/)[0] ?? '';
      const unknown = async (ctx: Parameters<Program>[0]) => {
        await ctx.write('stderr', `'${name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`);
        return 9009;
      };
      return Object.assign(unknown, { backend: 'strict' });
    },
  };
}
