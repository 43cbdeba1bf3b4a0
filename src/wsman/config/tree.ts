// The winrm/config tree as Windows exposes it over WS-Man (winrm-config.md §1–§3): one table of
// elements, in Windows' fixed order, from which the Get bodies, Put parsing and winrm.cmd's text
// are all derived. Values live in the typed WinrmConfig; this table says where and how.
import type { WinrmConfig } from '../../config/types.js';

export const CONFIG_NS = 'http://schemas.microsoft.com/wbem/wsman/1/config';

/** Why a leaf cannot be changed by Put (winrm-config.md §2.4). */
export type Protection = 'deprecated' | 'internal';

export interface Leaf {
  readonly kind: 'leaf';
  readonly name: string;
  /** Path into WinrmConfig. */
  readonly path: readonly string[];
  readonly type: 'int' | 'bool' | 'string';
  readonly protection?: Protection;
}

export interface Branch {
  readonly kind: 'branch';
  readonly name: string;
  readonly children: readonly Node[];
}

export type Node = Leaf | Branch;

const leaf = (name: string, path: readonly string[], type: Leaf['type'], protection?: Protection): Leaf =>
  protection === undefined ? { kind: 'leaf', name, path, type } : { kind: 'leaf', name, path, type, protection };
const branch = (name: string, children: readonly Node[]): Branch => ({ kind: 'branch', name, children });

const clientAuth = branch('Auth', [
  leaf('Basic', ['Client', 'Auth', 'Basic'], 'bool'),
  leaf('Digest', ['Client', 'Auth', 'Digest'], 'bool'),
  leaf('Kerberos', ['Client', 'Auth', 'Kerberos'], 'bool'),
  leaf('Negotiate', ['Client', 'Auth', 'Negotiate'], 'bool'),
  leaf('Certificate', ['Client', 'Auth', 'Certificate'], 'bool'),
  leaf('CredSSP', ['Client', 'Auth', 'CredSSP'], 'bool'),
]);
const clientPorts = branch('DefaultPorts', [leaf('HTTP', ['Client', 'DefaultPorts', 'HTTP'], 'int'), leaf('HTTPS', ['Client', 'DefaultPorts', 'HTTPS'], 'int')]);
const client = branch('Client', [
  leaf('NetworkDelayms', ['Client', 'NetworkDelayms'], 'int'),
  leaf('URLPrefix', ['Client', 'URLPrefix'], 'string'),
  leaf('AllowUnencrypted', ['Client', 'AllowUnencrypted'], 'bool'),
  clientAuth,
  clientPorts,
  leaf('TrustedHosts', ['Client', 'TrustedHosts'], 'string'),
]);
const serviceAuth = branch('Auth', [
  leaf('Basic', ['Service', 'Auth', 'Basic'], 'bool'),
  leaf('Kerberos', ['Service', 'Auth', 'Kerberos'], 'bool'),
  leaf('Negotiate', ['Service', 'Auth', 'Negotiate'], 'bool'),
  leaf('Certificate', ['Service', 'Auth', 'Certificate'], 'bool'),
  leaf('CredSSP', ['Service', 'Auth', 'CredSSP'], 'bool'),
  leaf('CbtHardeningLevel', ['Service', 'Auth', 'CbtHardeningLevel'], 'string'),
]);
const servicePorts = branch('DefaultPorts', [leaf('HTTP', ['Service', 'DefaultPorts', 'HTTP'], 'int'), leaf('HTTPS', ['Service', 'DefaultPorts', 'HTTPS'], 'int')]);
const service = branch('Service', [
  leaf('RootSDDL', ['Service', 'RootSDDL'], 'string'),
  leaf('MaxConcurrentOperations', ['Service', 'MaxConcurrentOperations'], 'int', 'deprecated'),
  leaf('MaxConcurrentOperationsPerUser', ['Service', 'MaxConcurrentOperationsPerUser'], 'int'),
  leaf('EnumerationTimeoutms', ['Service', 'EnumerationTimeoutms'], 'int'),
  leaf('MaxConnections', ['Service', 'MaxConnections'], 'int'),
  leaf('MaxPacketRetrievalTimeSeconds', ['Service', 'MaxPacketRetrievalTimeSeconds'], 'int'),
  leaf('AllowUnencrypted', ['Service', 'AllowUnencrypted'], 'bool'),
  serviceAuth,
  servicePorts,
  leaf('IPv4Filter', ['Service', 'IPv4Filter'], 'string'),
  leaf('IPv6Filter', ['Service', 'IPv6Filter'], 'string'),
  leaf('EnableCompatibilityHttpListener', ['Service', 'EnableCompatibilityHttpListener'], 'bool'),
  leaf('EnableCompatibilityHttpsListener', ['Service', 'EnableCompatibilityHttpsListener'], 'bool'),
  leaf('CertificateThumbprint', ['Service', 'CertificateThumbprint'], 'string'),
  leaf('AllowRemoteAccess', ['Service', 'AllowRemoteAccess'], 'bool'),
]);
const winrs = branch('Winrs', [
  leaf('AllowRemoteShellAccess', ['Winrs', 'AllowRemoteShellAccess'], 'bool'),
  leaf('IdleTimeout', ['Winrs', 'IdleTimeout'], 'int'),
  leaf('MaxConcurrentUsers', ['Winrs', 'MaxConcurrentUsers'], 'int'),
  leaf('MaxShellRunTime', ['Winrs', 'MaxShellRunTime'], 'int', 'internal'),
  leaf('MaxProcessesPerShell', ['Winrs', 'MaxProcessesPerShell'], 'int'),
  leaf('MaxMemoryPerShellMB', ['Winrs', 'MaxMemoryPerShellMB'], 'int'),
  leaf('MaxShellsPerUser', ['Winrs', 'MaxShellsPerUser'], 'int'),
]);

export const CONFIG_TREE = branch('Config', [
  leaf('MaxEnvelopeSizekb', ['MaxEnvelopeSizekb'], 'int'),
  leaf('MaxTimeoutms', ['MaxTimeoutms'], 'int'),
  leaf('MaxBatchItems', ['MaxBatchItems'], 'int'),
  leaf('MaxProviderRequests', ['MaxProviderRequests'], 'int', 'deprecated'),
  client,
  service,
  winrs,
]);

/** Sub-resource URI suffix (lower case) → the node it addresses and its namespace (winrm-config.md §1). */
export const CONFIG_RESOURCES: ReadonlyMap<string, { readonly node: Branch; readonly ns: string }> = new Map([
  ['', { node: CONFIG_TREE, ns: CONFIG_NS }],
  ['/client', { node: client, ns: `${CONFIG_NS}/client` }],
  ['/client/auth', { node: clientAuth, ns: `${CONFIG_NS}/client/auth` }],
  ['/client/defaultports', { node: clientPorts, ns: `${CONFIG_NS}/client/defaultports` }],
  ['/service', { node: service, ns: `${CONFIG_NS}/service` }],
  ['/service/auth', { node: serviceAuth, ns: `${CONFIG_NS}/service/auth` }],
  ['/service/defaultports', { node: servicePorts, ns: `${CONFIG_NS}/service/defaultports` }],
  ['/winrs', { node: winrs, ns: `${CONFIG_NS}/winrs` }],
]);

export function readLeaf(config: WinrmConfig, l: Leaf): string {
  let v: unknown = config;
  for (const k of l.path) v = (v as Record<string, unknown>)[k];
  return String(v);
}

/** A deep, mutable copy of the config with one leaf set (value already typed). */
export function withLeaf(config: WinrmConfig, l: Leaf, value: string | number | boolean): WinrmConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  let at = copy;
  for (const k of l.path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[l.path.at(-1)!] = value;
  return copy as unknown as WinrmConfig;
}
