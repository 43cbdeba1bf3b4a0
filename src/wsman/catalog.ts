// The resource catalogue: which ResourceURIs exist on this host, and which security descriptor
// and right guard each (auth.md §8, winrm-config.md §3.3 RootSDDL row, [WSMV 3.1.4.1.28]).
import type { Host } from '../hosts/host.js';
import type { ActionName } from './ns.js';
import { RESOURCE_URIS } from './ns.js';

export type ResourceKind = 'cmdShell' | 'shell' | 'config' | 'powershell' | 'wmi';

export interface Resource {
  readonly kind: ResourceKind;
  readonly uri: string;
  /** The SDDL that governs it: RootSDDL, or a PowerShell session configuration's own. */
  readonly sddl: string;
  /** For `powershell`: the session configuration's name. */
  readonly configurationName?: string;
}

const CONFIG_SUBRESOURCES = new Set([
  '',
  '/client',
  '/client/auth',
  '/client/defaultports',
  '/service',
  '/service/auth',
  '/service/defaultports',
  '/service/certmapping',
  '/winrs',
  '/listener',
  '/plugin',
  '/service/security',
  '/resource',
]);

/** Resolve a ResourceURI; undefined means "not found in the WS-Management catalog". */
export function resolveResource(host: Host, uri: string): Resource | undefined {
  const rootSddl = host.winrm.Service.RootSDDL;
  const lower = uri.toLowerCase();
  if (uri === RESOURCE_URIS.cmdShell) return { kind: 'cmdShell', uri, sddl: rootSddl };
  if (uri === RESOURCE_URIS.shell) return { kind: 'shell', uri, sddl: rootSddl };
  // The commands of a shell, enumerated with a SelectorFilter (psrp.md §1.1).
  if (lower === `${RESOURCE_URIS.shell}/command`) return { kind: 'shell', uri, sddl: rootSddl };
  // Config URIs are matched case-insensitively (winrm-config.md §1).
  if (lower.startsWith(RESOURCE_URIS.config)) {
    const rest = lower.slice(RESOURCE_URIS.config.length);
    if (CONFIG_SUBRESOURCES.has(rest)) return { kind: 'config', uri, sddl: rootSddl };
    return undefined;
  }
  if (lower.startsWith(RESOURCE_URIS.powershellPrefix)) {
    const name = uri.slice(RESOURCE_URIS.powershellPrefix.length);
    const sc = host.sessionConfigurations.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!sc) return undefined;
    return { kind: 'powershell', uri, sddl: sc.sddl, configurationName: sc.name };
  }
  if (lower.startsWith('http://schemas.microsoft.com/wbem/wsman/1/wmi/')) return { kind: 'wmi', uri, sddl: rootSddl };
  return undefined;
}

/**
 * The access a request needs [WSMV 3.1.4.1.28]: shell operations need execute; otherwise
 * Get/Enumerate/Pull/Release need read and Put/Create/Delete need write.
 */
export function requiredAccess(resource: Resource, action: ActionName): 'read' | 'write' | 'execute' {
  if (resource.kind === 'cmdShell' || resource.kind === 'powershell' || resource.kind === 'shell') return 'execute';
  switch (action) {
    case 'Get':
    case 'Enumerate':
    case 'Pull':
    case 'Release':
      return 'read';
    case 'Put':
    case 'Create':
    case 'Delete':
      return 'write';
    default:
      return 'execute';
  }
}
