// Put on winrm/config and its sub-resources (wsman-protocol.md §4.9, winrm-config.md §2.4): both
// the full document `winrm set` sends back after a Get and the fragment Enable-WSManCredSSP sends
// are accepted; elements are matched by local name, case-insensitively, in any namespace; absent
// elements keep their values; read-only and deprecated elements may be present with their current
// value, and only a real change to them is refused.
import type { WinrmConfig } from '../../config/types.js';
import { WsmanFault } from '../faults.js';
import { NS } from '../ns.js';
import { attr, childElements, textOf, type XmlElement } from '../xml.js';
import { readLeaf, withLeaf, type Branch, type Leaf, type Node } from './tree.js';

export interface PutChange {
  readonly leaf: Leaf;
  readonly from: string;
  readonly to: string;
}

/** Validates a changed config as the config schema does; returns the problems, if any. */
export type ConfigValidator = (winrm: WinrmConfig) => { ok: true; winrm: WinrmConfig } | { ok: false; problems: string[] };

function valueOf(e: XmlElement): string {
  // xsi:nil="true" is an empty value (winrm-config.md §2.3).
  if ((attr(e, 'nil', NS.xsi) ?? '').toLowerCase() === 'true') return '';
  return textOf(e).trim();
}

function canonical(l: Leaf, text: string): string | undefined {
  switch (l.type) {
    case 'bool': {
      const t = text.toLowerCase();
      return t === 'true' || t === 'false' ? t : undefined;
    }
    case 'int':
      return /^\d+$/.test(text) ? String(Number(text)) : undefined;
    default:
      return text;
  }
}

function collect(node: Branch, el: XmlElement, config: WinrmConfig, path: string, out: PutChange[]): void {
  for (const child of childElements(el)) {
    const match: Node | undefined = node.children.find((n) => n.name.toLowerCase() === child.local.toLowerCase());
    if (!match) throw new WsmanFault('ConfigInvalidValue', { why: `${path}/${child.local} is not a setting of ${node.name}.` });
    const where = `${path}/${match.name}`;
    if (match.kind === 'branch') {
      collect(match, child, config, where, out);
      continue;
    }
    const raw = valueOf(child);
    const value = canonical(match, raw);
    if (value === undefined) throw new WsmanFault('ConfigInvalidValue', { why: `${where} must be ${match.type === 'bool' ? 'true or false' : 'a whole number'}, not '${raw}'.` });
    const current = readLeaf(config, match);
    if (value === current) continue;
    if (match.protection === 'deprecated') throw new WsmanFault('ConfigDeprecatedSetting', { setting: match.name });
    if (match.protection === 'internal') throw new WsmanFault('ConfigInternalSetting', { setting: match.name });
    out.push({ leaf: match, from: current, to: value });
  }
}

/**
 * Applies a Put body to the node it addresses. Returns the new config (validated) and what
 * changed; throws the fault Windows would send.
 */
export function applyPut(node: Branch, body: XmlElement | undefined, config: WinrmConfig, validate: ConfigValidator): { winrm: WinrmConfig; changes: PutChange[] } {
  const root = body ? childElements(body)[0] : undefined;
  if (!root) throw new WsmanFault('SchemaValidationError', { text: `WinRM cannot process the request because the request is missing the element titled '${node.name}'. ` });
  if (root.local.toLowerCase() !== node.name.toLowerCase()) {
    throw new WsmanFault('ConfigInvalidValue', { why: `the body's root element is ${root.local}; this resource takes ${node.name}.` });
  }
  const changes: PutChange[] = [];
  collect(node, root, config, node.name, changes);
  let next = config;
  for (const c of changes) next = withLeaf(next, c.leaf, c.leaf.type === 'int' ? Number(c.to) : c.leaf.type === 'bool' ? c.to === 'true' : c.to);
  const checked = validate(next);
  if (!checked.ok) throw new WsmanFault('ConfigInvalidValue', { why: checked.problems.join('; ') });
  return { winrm: checked.winrm, changes };
}
