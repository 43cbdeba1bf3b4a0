// TabExpansion2 [-inputScript] <string> [-cursorColumn] <int> [[-options] <hashtable>] (psrp.md §3.4
// step 7): what a remote console runs for Tab. It returns one System.Management.Automation.
// CommandCompletion — CurrentMatchIndex -1, ReplacementIndex / ReplacementLength of the word
// under the cursor, CompletionMatches of CompletionResult (CompletionText, ListItemText,
// ResultType, ToolTip) — which the client rehydrates by those property names
// [pwsh@60b3b304f2:SMA/engine/serialization.cs RehydrateCommandCompletion / RehydrateCompletionResult].
// Completed here, after CompletionCompleters' rules in outline: a command name in command
// position (cmdlets, functions, aliases; file names when none matches), `-Name` parameters of the
// segment's command, `$variables`, and file-system paths of the session (`.\` before a relative
// path, quoted when they hold a space, hidden items left out, containers first).
import type { CmdletContext, CmdletDef } from '../runtime/command.js';
import { COMMON_PARAMETERS } from '../runtime/command.js';
import { paramTypeName } from '../runtime/binder.js';
import { toNumber, toStr } from '../runtime/convert.js';
import { asList, PSEnum, PSObject } from '../runtime/values.js';

const SMA = 'System.Management.Automation';
const RESULT_TYPES = ['Text', 'History', 'Command', 'ProviderItem', 'ProviderContainer', 'Property', 'Method', 'ParameterName', 'ParameterValue', 'Variable', 'Namespace', 'Type', 'Keyword', 'DynamicKeyword'] as const;
type ResultType = (typeof RESULT_TYPES)[number];

interface Completion {
  readonly text: string;
  readonly listItem: string;
  readonly type: ResultType;
  readonly toolTip: string;
}

function completionResult(r: Completion): PSObject {
  const o = new PSObject([`${SMA}.CompletionResult`, 'System.Object']);
  o.addProperty({ name: 'CompletionText', kind: 'Property', value: r.text });
  o.addProperty({ name: 'ListItemText', kind: 'Property', value: r.listItem });
  o.addProperty({ name: 'ResultType', kind: 'Property', value: new PSEnum(`${SMA}.CompletionResultType`, r.type, RESULT_TYPES.indexOf(r.type)) });
  o.addProperty({ name: 'ToolTip', kind: 'Property', value: r.toolTip });
  o.toStringFn = () => `${SMA}.CompletionResult`;
  return o;
}

/** The CommandCompletion object TabExpansion2 returns. */
export function commandCompletion(matches: readonly Completion[], replacementIndex: number, replacementLength: number): PSObject {
  const o = new PSObject([`${SMA}.CommandCompletion`, 'System.Object']);
  o.addProperty({ name: 'CurrentMatchIndex', kind: 'Property', value: -1 });
  o.addProperty({ name: 'ReplacementIndex', kind: 'Property', value: replacementIndex });
  o.addProperty({ name: 'ReplacementLength', kind: 'Property', value: replacementLength });
  const list = asList(matches.map(completionResult), `System.Collections.ObjectModel.Collection\`1[[${SMA}.CompletionResult, ${SMA}, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]`);
  o.addProperty({ name: 'CompletionMatches', kind: 'Property', value: list });
  o.toStringFn = () => `${SMA}.CommandCompletion`;
  return o;
}

const byName = (a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase());
const quoteIfNeeded = (s: string) => (/[\s'"`$&(){}[\];,|<>@#]/.test(s) ? `'${s.replace(/'/g, "''")}'` : s);

/** The word under the cursor: from after the last separator (space, `|`, `;`, `(`, `{`, `=`, `,`) to the cursor. */
function wordAt(text: string): { start: number; word: string } {
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      start = i;
      continue;
    }
    if (/[\s|;({=,]/.test(ch)) start = i + 1;
  }
  return { start, word: text.slice(start) };
}

/** The segment of the pipeline the cursor is in: the text after the last `|`, `;`, `(` or `{`. */
function segmentBefore(text: string): string {
  const m = /[|;({]([^|;({]*)$/.exec(text);
  return (m ? m[1]! : text).trimStart();
}

function commandNames(c: CmdletContext, prefix: string): Completion[] {
  const visible = (n: string) => c.engine.config.commandVisible?.(n) ?? true;
  const p = prefix.toLowerCase();
  const seen = new Map<string, Completion>();
  const add = (name: string, toolTip: string) => {
    if (name.toLowerCase().startsWith(p) && visible(name) && !seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), { text: quoteIfNeeded(name), listItem: name, type: 'Command', toolTip });
  };
  for (const d of c.engine.cmdlets.values()) add(d.name, d.name);
  for (const f of c.frame.scope.allFunctions()) add(f.name, f.name);
  for (const [alias, target] of c.engine.aliases) add(alias, target);
  return [...seen.values()].sort((a, b) => byName(a.listItem, b.listItem));
}

const SHORT_TYPES: Readonly<Record<string, string>> = {
  'System.String': 'string',
  'System.String[]': 'string[]',
  'System.Int32': 'int',
  'System.Int64': 'long',
  'System.Double': 'double',
  'System.Boolean': 'bool',
  'System.Management.Automation.SwitchParameter': 'switch',
  'System.Object': 'Object',
  'System.Object[]': 'Object[]',
  'System.Management.Automation.ScriptBlock': 'scriptblock',
  'System.Collections.Hashtable': 'hashtable',
  'System.DateTime': 'datetime',
};

function parameterNames(c: CmdletContext, segment: string, prefix: string): Completion[] {
  const name = /^&?\s*([\w.-]+)/.exec(segment)?.[1];
  if (name === undefined) return [];
  const target = c.engine.aliases.get(name.toLowerCase()) ?? [...c.engine.aliases].find(([a]) => a.toLowerCase() === name.toLowerCase())?.[1] ?? name;
  const cmdlet = c.engine.cmdlets.get(target.toLowerCase());
  if (!cmdlet) return [];
  const p = prefix.slice(1).toLowerCase();
  return [...cmdlet.params, ...COMMON_PARAMETERS]
    .filter((x) => x.name.toLowerCase().startsWith(p))
    .map((x) => {
      const full = paramTypeName(x);
      return { text: `-${x.name}`, listItem: x.name, type: 'ParameterName' as const, toolTip: `[${SHORT_TYPES[full] ?? full.split('.').pop() ?? full}] ${x.name}` };
    });
}

function variableNames(c: CmdletContext, word: string): Completion[] {
  const p = word.slice(1).toLowerCase();
  return c.frame.scope
    .allVariables()
    .filter((v) => v.name.toLowerCase().startsWith(p))
    .map((v) => ({ text: `$${v.name}`, listItem: v.name, type: 'Variable' as const, toolTip: v.name }));
}

function pathNames(c: CmdletContext, word: string, commandPosition: boolean): Completion[] {
  const unquoted = word.replace(/^['"]/, '').replace(/['"]$/, '');
  const cut = Math.max(unquoted.lastIndexOf('\\'), unquoted.lastIndexOf('/'));
  const dirPart = cut >= 0 ? unquoted.slice(0, cut + 1) : '';
  const leaf = unquoted.slice(cut + 1).toLowerCase();
  let dir: string;
  try {
    dir = c.engine.resolvePath(dirPart === '' ? '.' : dirPart);
  } catch {
    return [];
  }
  let entries;
  try {
    entries = c.engine.vfs.readdir(dir);
  } catch {
    return [];
  }
  // A relative path is completed as `.\name`.
  const shown = dirPart === '' ? '.\\' : dirPart;
  return entries
    .filter((e) => !e.hidden && e.name.toLowerCase().startsWith(leaf))
    .sort((a, b) => (a.type === b.type ? byName(a.name, b.name) : a.type === 'directory' ? -1 : 1))
    .map((e) => {
      const quoted = quoteIfNeeded(`${shown}${e.name}`);
      return { text: commandPosition && quoted.startsWith("'") ? `& ${quoted}` : quoted, listItem: e.name, type: e.type === 'directory' ? ('ProviderContainer' as const) : ('ProviderItem' as const), toolTip: e.path };
    });
}

export const tabExpansion2: CmdletDef = {
  name: 'TabExpansion2',
  implementingType: 'Microsoft.PowerShell.Commands.TabExpansion2',
  module: '',
  params: [
    { name: 'inputScript', type: 'string', position: 0, mandatory: true },
    { name: 'cursorColumn', type: 'object', position: 1 },
    { name: 'options', type: 'object', position: 2 },
  ],
  process: async (c) => {
    const input = c.str('inputScript') ?? '';
    const col = c.get('cursorColumn');
    const cursor = Math.max(0, Math.min(input.length, col === undefined || col === null ? input.length : Math.trunc(toNumber(col))));
    const before = input.slice(0, cursor);
    const { start, word } = wordAt(before);
    const segment = segmentBefore(before.slice(0, start));
    const commandPosition = segment.trim() === '' || segment.trim() === '&';
    let matches: Completion[];
    if (word.startsWith('$')) matches = variableNames(c, word);
    else if (word.startsWith('-') && !commandPosition) matches = parameterNames(c, segment, word);
    else if (commandPosition && !/[\\/:]/.test(word) && !word.startsWith('.') && !word.startsWith("'") && !word.startsWith('"')) {
      matches = word === '' ? [] : commandNames(c, word);
      if (matches.length === 0) matches = pathNames(c, word, true);
    } else matches = pathNames(c, word, commandPosition);
    await c.write(commandCompletion(matches, start, toStr(word).length));
  },
};
