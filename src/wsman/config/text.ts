// What winrm.cmd prints for a response (its WsmTxt.xsl, winrm-config.md §4): the root's local
// name, four spaces per level, `Name = value` for leaves, the bare name for an empty leaf, a
// repeated leaf once with its values joined by ', ', ` [Source="GPO"]` after a value or a
// container's name, items of an enumeration separated by a blank line. Built from the parsed XML,
// so it serves any WinRM host's answers, not only ours.
import { attr, childElements, isElement, textOf, type XmlElement } from '../xml.js';

function isLeaf(e: XmlElement): boolean {
  return !e.children.some(isElement);
}

function source(e: XmlElement): string {
  const s = attr(e, 'Source');
  return s === undefined ? '' : ` [Source="${s}"]`;
}

function render(e: XmlElement, depth: number, out: string[]): void {
  const pad = ' '.repeat(depth * 4);
  if (isLeaf(e)) {
    const v = textOf(e);
    out.push(v === '' ? `${pad}${e.local}${source(e)}` : `${pad}${e.local} = ${v}${source(e)}`);
    return;
  }
  out.push(`${pad}${e.local}${source(e)}`);
  const kids = childElements(e);
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    if (isLeaf(k)) {
      // A repeated leaf (ListeningOn) prints once, values joined.
      const same: XmlElement[] = [k];
      while (i + 1 < kids.length && kids[i + 1]!.local === k.local && isLeaf(kids[i + 1]!)) same.push(kids[++i]!);
      if (same.length > 1) {
        out.push(`${' '.repeat((depth + 1) * 4)}${k.local} = ${same.map((s) => textOf(s)).join(', ')}`);
        continue;
      }
    }
    render(k, depth + 1, out);
  }
}

/** Text for one resource (get/set output). Ends with a blank line, as winrm.cmd's output does. */
export function resourceText(root: XmlElement): string {
  const out: string[] = [];
  render(root, 0, out);
  return `${out.join('\r\n')}\r\n\r\n`;
}

/** Text for enumerated items: each item's block, one blank line between and after. */
export function itemsText(items: readonly XmlElement[]): string {
  return items.map((i) => resourceText(i)).join('');
}

/**
 * A fault as winrm.cmd prints it: the WSManFault tree, a blank line, `Error number:  <signed>
 * 0x<HEX>` and the SDK text for the code (PR ansible/ansible#32531, winrm-config.md §4).
 */
export function faultText(wsmanFault: XmlElement, sdkText: string): string {
  const out: string[] = [];
  render(wsmanFault, 0, out);
  let code = Number(attr(wsmanFault, 'Code') ?? '0');
  // Win32 codes (5, 87…) are shown as HRESULT_FROM_WIN32: Access denied is -2147024891 0x80070005.
  if (code > 0 && code < 0x10000) code = (0x80070000 | code) >>> 0;
  const signed = code > 0x7fffffff ? code - 0x100000000 : code;
  const hex = (code >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `${out.join('\r\n')}\r\n\r\nError number:  ${signed} 0x${hex}\r\n${sdkText}\r\n`;
}
