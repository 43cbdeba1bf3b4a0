// Normalisation for golden comparisons: p:ActivityId is optional and varies per recording host
// (wsman-protocol.md §2.2); ids and times are replaced by the caller where they differ.
import type { Node } from './psrp-client.js';

export function stripActivityId(xml: string): string {
  return xml.replace(/<p:ActivityId>[^<]*<\/p:ActivityId>/g, '');
}

/** Canonical CLIXML for comparing PSRP messages: RefIds dropped, TNRef expanded in place. */
export function canonClixml(n: Node, tns: Map<string, Node> = new Map()): string {
  if (n.tag === 'TN' && n.attrs.RefId !== undefined) tns.set(n.attrs.RefId, n);
  if (n.tag === 'TNRef') return canonClixml(tns.get(n.attrs.RefId ?? '') ?? n, tns);
  const attrs = Object.entries(n.attrs)
    .filter(([k]) => k !== 'RefId')
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `<${n.tag}${attrs}>${n.text}${n.children.map((c) => canonClixml(c, tns)).join('')}</${n.tag}>`;
}
