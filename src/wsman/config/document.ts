// Get bodies for winrm/config and its sub-resources, rendered from CONFIG_TREE in Windows' order
// (fx pypsrp/test_wsman_update_envelope_size_500: booleans lower-case, empty values as start/end
// pairs, children in the root's namespace with the `cfg` prefix).
import type { CertMappingConfig, ListenerConfig, WinrmConfig } from '../../config/types.js';
import { el, writeXml, type OutElement } from '../xml.js';
import { CONFIG_NS, readLeaf, type Branch, type Node } from './tree.js';

function renderNode(node: Node, config: WinrmConfig, prefix: string): OutElement {
  if (node.kind === 'leaf') return el(`${prefix}:${node.name}`, undefined, readLeaf(config, node));
  return el(`${prefix}:${node.name}`, undefined, ...node.children.map((c) => renderNode(c, config, prefix)));
}

/** `<cfg:Config xmlns:cfg="…/config">…</cfg:Config>` or a sub-resource root in its own namespace. */
export function renderConfigResource(node: Branch, ns: string, config: WinrmConfig): string {
  const root = renderNode(node, config, 'cfg');
  return writeXml({ ...root, attrs: [['xmlns:cfg', ns]] });
}

export const LISTENER_NS = `${CONFIG_NS}/listener`;
export const CERTMAPPING_NS = `${CONFIG_NS}/service/certmapping`;

/**
 * One listener item (winrm-config.md §5.1): Address, Transport, Port, Hostname, Enabled,
 * URLPrefix, CertificateThumbprint, then one ListeningOn per address actually bound.
 */
export function renderListener(l: ListenerConfig, listeningOn: readonly string[]): string {
  const c = (name: string, v: string) => el(`cfg:${name}`, undefined, v);
  return writeXml(
    el(
      'cfg:Listener',
      [
        ['xmlns:cfg', LISTENER_NS],
        ['xml:lang', 'en-US'],
      ],
      c('Address', l.Address),
      c('Transport', l.Transport),
      c('Port', String(l.Port)),
      c('Hostname', l.Hostname),
      c('Enabled', String(l.Enabled)),
      c('URLPrefix', l.URLPrefix),
      c('CertificateThumbprint', l.CertificateThumbprint),
      ...listeningOn.map((a) => c('ListeningOn', a)),
    ),
  );
}

/** One certificate mapping (winrm-config.md §7.1); the password is never returned. */
export function renderCertMapping(m: CertMappingConfig): string {
  const c = (name: string, v: string) => el(`cert:${name}`, undefined, v);
  return writeXml(
    el(
      'cert:CertMapping',
      [['xmlns:cert', CERTMAPPING_NS]],
      c('URI', m.URI),
      c('Subject', m.Subject),
      c('Issuer', m.Issuer),
      c('UserName', m.UserName),
      c('Enabled', String(m.Enabled)),
      { name: 'cert:Password', selfClose: true },
      c('PassCertToPlugin', 'false'),
    ),
  );
}
