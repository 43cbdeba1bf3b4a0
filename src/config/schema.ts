// The zod schema of the emulator configuration (architecture.md §2.5). Its parsed output is
// exactly `EmulatorConfig` (checked at compile time at the bottom). Every Windows setting defaults
// to what a current, uncustomised Windows shows (winrm-config.md §3, "Current Windows"); the
// description of each field says what Windows does with it and cites the section. Those
// descriptions are also the text of docs/configuration.md (src/config/docs.ts).
//
// Input rules:
// * Keys are strict everywhere: an unknown key is an error (with the closest known key suggested).
// * Under `winrm`, keys are case-insensitive like Windows' own setting names and are renamed to the
//   canonical spelling before validation (schema-walk.ts `canonicaliseKeys`).
// * Booleans may be `true`/`false` or the strings 'true'/'false' in any case (as `winrm set` takes
//   them); numbers may be numbers or numeric strings. Enumerations are matched case-insensitively.
// * Under `winrm`, an empty YAML value (null) counts as an empty string, like `xsi:nil` in a Put
//   (winrm-config.md §2.3).
import { isIP } from 'node:net';
import { z } from 'zod';
import { canonicalListenerAddress, ipKey, parseListenerAddress } from './address.js';
import {
  BUILTIN_ACCOUNT_RIDS,
  BUILTIN_DOMAIN_GROUPS,
  DOMAIN_JOIN_LOCAL_GROUP_MEMBERS,
  DEFAULT_COMPUTER_NAME,
  FIRST_USER_RID,
  KNOWN_LOCAL_GROUPS,
  MICROSOFT_POWERSHELL_SDDL,
  WINDOWS_DEFAULT_PORTS,
  WINDOWS_ROOT_SDDL,
} from './defaults.js';
import { canonicaliseKeys, closestKey, isPlainRecord, type KeyProblem } from './schema-walk.js';
import type {
  CertMappingConfig,
  ClientConfig,
  DomainConfig,
  DomainGroupConfig,
  DomainUserConfig,
  KerberosConfig,
  EmulatorConfig,
  ListenerConfig,
  LoggingConfig,
  OsConfig,
  PolicyConfig,
  SandboxConfig,
  ServerConfig,
  ServiceConfig,
  SessionConfigurationConfig,
  UserConfig,
  WinrmConfig,
  WinrsConfig,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Coercions and field builders

const UINT32_MAX = 4294967295;
const INT32_MAX = 2147483647;

/** 'true' / 'FALSE' → boolean, as `winrm set` accepts; anything else is left for z.boolean() to reject. */
function toBoolean(value: unknown): unknown {
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  return value;
}

/** '5985' → 5985; other strings are left for z.number() to reject. */
function toNumber(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return value;
}

/** Windows string values: an empty YAML value (null) is an empty string. */
function nullToEmpty(value: unknown): unknown {
  return value === null ? '' : value;
}

/** Thumbprints and hashes: drop spaces, colons and the invisible marks certmgr copies, upper-case. */
function normaliseHex(value: unknown): unknown {
  if (value === null) return '';
  if (typeof value !== 'string') return value;
  return value.replace(/[\s:\u200e\u200f\ufeff]/g, '').toUpperCase();
}

function trimString(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

function fmt(n: number): string {
  return String(n);
}

const bool = (fallback: boolean, description: string) => z.preprocess(toBoolean, z.boolean()).default(fallback).describe(description);

function intIn(min: number, max: number) {
  return z.preprocess(
    toNumber,
    z
      .number()
      .int({ error: `must be a whole number from ${fmt(min)} to ${fmt(max)}` })
      .min(min, { error: `must be from ${fmt(min)} to ${fmt(max)}` })
      .max(max, { error: `must be from ${fmt(min)} to ${fmt(max)}` }),
  );
}

const int = (min: number, max: number, fallback: number, description: string) => intIn(min, max).default(fallback).describe(description);

/** A case-insensitive enumeration with canonical output spelling. */
function ciEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    (value: unknown) => {
      if (typeof value !== 'string') return value;
      const match = values.find((v) => v.toLowerCase() === value.trim().toLowerCase());
      return match ?? value;
    },
    z.enum(values, { error: `must be one of ${values.join(', ')}` }),
  );
}

const winString = () => z.preprocess(nullToEmpty, z.string());

const HEX40 = /^[0-9A-F]{40}$/;
const thumbprint = () =>
  z.preprocess(
    normaliseHex,
    z.string().regex(/^([0-9A-F]{40})?$/, {
      error: 'must be 40 hexadecimal digits (the SHA-1 thumbprint of a certificate), or empty',
    }),
  );

/** `wsman`: one URL path segment, no slashes. */
const urlPrefix = (description: string) =>
  z
    .preprocess(
      trimString,
      z.string().regex(/^[A-Za-z0-9._~-]+$/, {
        error: "must be one URL path segment (letters, digits, '.', '_', '~', '-'), without slashes, e.g. 'wsman'",
      }),
    )
    .default('wsman')
    .describe(description);

/** `*`, blank, or a comma list of `IP1-IP2` ranges of the given family (wsmerror.h 2150858988). */
function ipFilter(family: 4 | 6, description: string) {
  return z
    .preprocess(
      nullToEmpty,
      z.string().superRefine((text, ctx) => {
        const trimmed = text.trim();
        if (trimmed === '' || trimmed === '*') return;
        for (const part of trimmed.split(',')) {
          const ends = part.trim().split('-');
          const ok = ends.length <= 2 && ends.every((end) => isIP(end.trim()) === family);
          if (!ok) {
            ctx.addIssue({
              code: 'custom',
              message: `'${part.trim()}' is not an IPv${String(family)} address or range IP1-IP2; the filter is blank (no address), '*' (all) or a comma list of ranges, e.g. ${family === 4 ? '10.0.0.1-10.0.0.20' : 'fe80::1-fe80::ff'}`,
            });
            return;
          }
        }
      }),
    )
    .default('*')
    .describe(description);
}

const always = { when: () => true } as const;

// ---------------------------------------------------------------------------------------------
// winrm/config (winrm-config.md §3)

const DefaultPortsSchema = z
  .strictObject({
    HTTP: int(1, 65535, WINDOWS_DEFAULT_PORTS.HTTP, 'Port for HTTP (5985; 80 before KB968930).'),
    HTTPS: int(1, 65535, WINDOWS_DEFAULT_PORTS.HTTPS, 'Port for HTTPS (5986; 443 before KB968930).'),
  })
  .readonly();

const ClientAuthSchema = z
  .strictObject({
    Basic: bool(true, 'Client Basic is on by default on Windows (the service side is off). Informational (§3.2).'),
    Digest: bool(true, 'Client-only; the WinRM service never accepts Digest (§3.2). Informational.'),
    Kerberos: bool(true, 'Informational (§3.2).'),
    Negotiate: bool(true, 'Informational (§3.2).'),
    Certificate: bool(true, 'Informational (§3.2).'),
    CredSSP: bool(false, 'Informational (§3.2).'),
  })
  .readonly();

const ClientSchema = z
  .strictObject({
    NetworkDelayms: int(500, UINT32_MAX, 5000, 'Extra client wait time in ms (min 500). Client-side only; shown by `winrm get winrm/config` (§3.2).'),
    URLPrefix: urlPrefix('Client URL prefix. Client-side only (§3.2).'),
    AllowUnencrypted: bool(false, 'Client may send unencrypted traffic. Informational (§3.2).'),
    Auth: ClientAuthSchema.prefault({}).describe('winrm/config/client/auth: mechanisms the client may use (§3.2, §6).'),
    DefaultPorts: DefaultPortsSchema.prefault({}).describe('winrm/config/client/defaultports (§3.2).'),
    TrustedHosts: winString()
      .default('')
      .describe("Hosts the client trusts without Kerberos: blank, '*', or a comma list of names, '*suffix', 'prefix*', '<local>', IPs. Client-side only (§3.2)."),
  })
  .readonly();

const ServiceAuthSchema = z
  .strictObject({
    Basic: bool(false, 'Accept HTTP Basic (local accounts only). Off on Windows. Over HTTP it also needs AllowUnencrypted (§3.3, §6).'),
    Kerberos: bool(true, 'Accept Kerberos (SPNEGO) (§3.3).'),
    Negotiate: bool(true, 'Accept Negotiate (NTLM or Kerberos). Local admins other than RID 500 get a filtered token unless policy.LocalAccountTokenFilterPolicy (§3.3).'),
    Certificate: bool(false, 'Accept client-certificate logon on HTTPS through Service.CertMapping (§3.3, §7).'),
    CredSSP: bool(false, 'Accept CredSSP (§3.3).'),
    CbtHardeningLevel: ciEnum(['None', 'Relaxed', 'Strict'] as const)
      .default('Relaxed')
      .describe('Channel binding on HTTPS: Strict requires a CBT, Relaxed checks it when present, None ignores it. Ignored over HTTP (§3.3).'),
  })
  .readonly();

/** Subject: ≥ 1 and ≤ 1023 characters, at most one '*', only as the first or last character (§7.1). */
function checkSubjectPattern(subject: string, ctx: z.core.$RefinementCtx<string>): void {
  const stars = subject.split('*').length - 1;
  const ok = stars === 0 || (stars === 1 && (subject.startsWith('*') || subject.endsWith('*')));
  if (!ok) ctx.addIssue({ code: 'custom', message: "may hold at most one '*', as its first or last character (wsmerror.h 2150859105)" });
}

/** URI: at most one '*', only as the last character, no spaces or '?' (§7.1). */
function checkUriPattern(uri: string, ctx: z.core.$RefinementCtx<string>): void {
  const stars = uri.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !uri.endsWith('*'))) {
    ctx.addIssue({ code: 'custom', message: "may hold at most one '*', as its last character ('*' alone matches every resource URI)" });
  }
  if (/[\s?]/.test(uri)) ctx.addIssue({ code: 'custom', message: "must not contain spaces or '?'" });
}

const CertMappingSchema = z
  .strictObject({
    Issuer: z
      .preprocess(normaliseHex, z.string().regex(HEX40, { error: 'must be the 40 hexadecimal digit thumbprint of the issuing CA certificate' }))
      .describe('Thumbprint (40 hex) of the CA that signed the client certificates; spaces and colons are removed, upper-cased (§7.1).'),
    Subject: z
      .string()
      .min(1, { error: 'must not be empty' })
      .max(1023, { error: 'must be at most 1023 characters' })
      .superRefine(checkSubjectPattern)
      .describe("Pattern matched against the certificate's SAN DNS name or UPN (not the subject DN), e.g. `user@localhost`; one '*' allowed at the start or end (§7.1)."),
    URI: z
      .string()
      .min(1, { error: 'must not be empty' })
      .superRefine(checkUriPattern)
      .default('*')
      .describe("Resource URI prefix the mapping applies to; '*' = all (§7.1)."),
    UserName: z
      .string()
      .min(1, { error: 'must name a local user' })
      .describe('Local account the certificate logs on as; must be one of `users` (matched case-insensitively). No domain accounts (§7.1).'),
    Enabled: bool(true, 'Use this mapping (§7.1).'),
  })
  .readonly();

const CertMappingListSchema = z
  .array(CertMappingSchema)
  .superRefine((items: readonly unknown[], ctx) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      if (!isPlainRecord(item)) return;
      const { Issuer, Subject, URI } = item;
      if (typeof Issuer !== 'string' || typeof Subject !== 'string') return;
      const key = `${Issuer}|${Subject.toLowerCase()}|${(typeof URI === 'string' ? URI : '*').toLowerCase()}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `duplicate certificate mapping: Issuer, Subject and URI are the same as in CertMapping[${String(first)}] (Windows keys mappings by these three)`,
        });
      } else {
        seen.set(key, index);
      }
    });
  }, always)
  .readonly();

const ServiceSchema = z
  .strictObject({
    RootSDDL: z
      .string()
      .min(1, { error: 'must not be empty' })
      .default(WINDOWS_ROOT_SDDL)
      .describe('Default ACL for resources without their own SDDL: Administrators full, Interactive Users read. Shells need GX, Get/Enumerate GR, Put/Create/Delete GW (§3.3).'),
    MaxConcurrentOperations: int(0, UINT32_MAX, UINT32_MAX, 'Deprecated and read-only since WinRM 2.0; ignored (§3.3).'),
    MaxConcurrentOperationsPerUser: int(0, UINT32_MAX, 1500, 'Concurrent operations per user; over it → w:QuotaLimit 2150859174 (§3.3).'),
    EnumerationTimeoutms: int(0, UINT32_MAX, 240000, 'Idle life in ms of an enumeration context between Pulls (§3.3).'),
    MaxConnections: int(1, 512, 300, 'Concurrent active requests (Windows 2012+ accepts at most 512) (§3.3).'),
    MaxPacketRetrievalTimeSeconds: int(0, UINT32_MAX, 120, 'Seconds allowed to receive a whole HTTP request (§3.3).'),
    AllowUnencrypted: bool(false, 'When false, a plain HTTP request without NTLM/Kerberos/CredSSP message sealing is refused (so Basic over HTTP fails). HTTPS always counts as encrypted (§3.3).'),
    Auth: ServiceAuthSchema.prefault({}).describe('winrm/config/service/auth: mechanisms the service accepts; only enabled ones are offered on a 401 (§3.3, §6).'),
    DefaultPorts: DefaultPortsSchema.prefault({}).describe('winrm/config/service/defaultports: port of a listener created without one (§3.3).'),
    IPv4Filter: ipFilter(4, "IPv4 addresses listeners listen on: '*' all, blank none, or ranges `IP1-IP2,…`. Shapes ListeningOn (§3.3)."),
    IPv6Filter: ipFilter(6, "IPv6 addresses listeners listen on: '*' all, blank none, or ranges (§3.3)."),
    EnableCompatibilityHttpListener: bool(false, 'When true Windows adds an HTTP listener on port 80, shown with Source="Compatibility" (§3.3).'),
    EnableCompatibilityHttpsListener: bool(false, 'When true Windows adds an HTTPS listener on port 443 (§3.3).'),
    CertificateThumbprint: thumbprint()
      .default('')
      .describe("Certificate for the TLS channel inside CredSSP (not a listener's). Empty: Windows generates a self-signed one (§3.3)."),
    AllowRemoteAccess: bool(true, 'Shown on every 2012 R2+ host; probably the master remote-access switch. Keep true (§3.3, unverified).'),
    CertMapping: CertMappingListSchema.prefault([]).describe('winrm/config/service/certmapping: client certificates mapped to local accounts (§7.1).'),
  })
  .readonly();

const WinrsSchema = z
  .strictObject({
    AllowRemoteShellAccess: bool(true, 'false → shell Create refused with 2150859180 (§3.4).'),
    IdleTimeout: int(
      0,
      INT32_MAX,
      7200000,
      'Default shell idle timeout in ms when Create has no IdleTimeOut; idle shells are deleted. Windows treats values below 60000 as 60000; the emulator accepts them as given, for fast tests (§3.4).',
    ),
    MaxConcurrentUsers: int(0, INT32_MAX, INT32_MAX, 'Users with shells at once; over it → w:QuotaLimit 2150859179 (§3.4).'),
    MaxShellRunTime: int(0, INT32_MAX, INT32_MAX, 'Read-only and ignored since WinRM 2.0 (§3.4).'),
    MaxProcessesPerShell: int(0, INT32_MAX, INT32_MAX, 'Processes per shell; 0 = unlimited; over it → w:InternalError (§3.4).'),
    MaxMemoryPerShellMB: int(0, INT32_MAX, INT32_MAX, 'Memory per shell in MB; 0 = unlimited; exceeding it ends the operation (§3.4).'),
    MaxShellsPerUser: int(0, INT32_MAX, INT32_MAX, 'Shells per user; 0 = unlimited; over it → w:QuotaLimit 2150859173 (§3.4).'),
  })
  .readonly();

const ListenerSchema = z
  .strictObject({
    Address: z
      .preprocess(
        (value: unknown) => (typeof value === 'string' ? canonicalListenerAddress(value) : value),
        z.string().superRefine((address, ctx) => {
          const parsed = parseListenerAddress(address);
          if (parsed.kind === 'invalid') {
            ctx.addIssue({ code: 'custom', message: `invalid listener address '${address}': ${parsed.reason} (Windows: 2150858889)` });
          } else if (parsed.kind === 'mac') {
            ctx.addIssue({
              code: 'custom',
              message: `'${address}' is a valid Windows listener address, but binding by MAC address is not emulated (the emulator cannot map a MAC to a network adapter); use '*' or 'IP:<address>'`,
            });
          }
        }),
      )
      .describe("`*` (all addresses), `IP:a.b.c.d`, `IP:[v6]` or `IP:v6`. `MAC:…` is valid on Windows but not emulated. Key of the listener with Transport (§5.1)."),
    Transport: ciEnum(['HTTP', 'HTTPS'] as const).describe('HTTP or HTTPS (any case on input). Key of the listener with Address (§5.1).'),
    Port: intIn(1, 65535).describe('TCP port; default Service.DefaultPorts of the transport (5985 / 5986) (§5.1, §5.2).'),
    Hostname: z
      .preprocess(
        nullToEmpty,
        z.string().regex(/^$|^(?=.{1,255}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/, {
          error: 'must be empty or a DNS host name',
        }),
      )
      .default('')
      .describe("HTTPS: the name clients use, which must match the certificate's CN (2150858985). Empty for HTTP (§5.1)."),
    Enabled: bool(true, 'When false the listener is configured but not bound (§5.1).'),
    URLPrefix: urlPrefix('Path the listener answers on: POST /<URLPrefix> (§5.1, §5.2).'),
    CertificateThumbprint: thumbprint()
      .default('')
      .describe('HTTPS: 40 hex digits naming a certificate in `certificateStore` (spaces and colons removed, upper-cased). Must be empty for HTTP (2150858987) (§5.1).'),
  })
  .superRefine((listener: unknown, ctx) => {
    if (!isPlainRecord(listener)) return;
    const { Transport, CertificateThumbprint } = listener;
    if (typeof CertificateThumbprint !== 'string') return;
    if (Transport === 'HTTP' && CertificateThumbprint !== '') {
      ctx.addIssue({
        code: 'custom',
        path: ['CertificateThumbprint'],
        message: 'must be empty for an HTTP listener: HTTP does not use a certificate (Windows refuses this with 2150858987 "When HTTP is the transport, the Certificate thumbprint must be blank")',
      });
    }
    if (Transport === 'HTTPS' && CertificateThumbprint === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['CertificateThumbprint'],
        message: 'is required for an HTTPS listener: give the 40 hex digit thumbprint of a certificate in certificateStore (`winrm-emulator certs new` prints one)',
      });
    }
  }, always)
  .readonly();

/** Comparison key of a listener address: '*' for any, the canonical IP otherwise. */
function addressKey(address: string): string {
  const parsed = parseListenerAddress(address);
  if (parsed.kind === 'any') return '*';
  if (parsed.kind === 'ip') return ipKey(parsed.ip, parsed.family);
  return address.toUpperCase();
}

const ListenerListSchema = z
  .array(ListenerSchema)
  .superRefine((items: readonly unknown[], ctx) => {
    interface Seen {
      readonly index: number;
      readonly address: string;
      readonly key: string;
      readonly transport: string;
      readonly port: unknown;
      readonly enabled: unknown;
    }
    const seen: Seen[] = [];
    items.forEach((item, index) => {
      if (!isPlainRecord(item)) return;
      const { Address, Transport, Port, Enabled } = item;
      if (typeof Address !== 'string' || (Transport !== 'HTTP' && Transport !== 'HTTPS')) return;
      const current: Seen = { index, address: Address, key: addressKey(Address), transport: Transport, port: Port, enabled: Enabled ?? true };
      const twin = seen.find((s) => s.key === current.key && s.transport === current.transport);
      if (twin !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'Address'],
          message: `duplicate listener: Address '${Address}' with Transport ${Transport} is already Listener[${String(twin.index)}]; Windows keys listeners by Address and Transport`,
        });
      } else if (current.enabled !== false && typeof current.port === 'number') {
        const clash = seen.find(
          (s) => s.enabled !== false && s.port === current.port && (s.key === '*' || current.key === '*' || s.key === current.key),
        );
        if (clash !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'Port'],
            message: `port ${String(current.port)} on '${Address}' is already bound by Listener[${String(clash.index)}] (Address '${clash.address}', ${clash.transport}); two enabled listeners cannot share an address and port`,
          });
        }
      }
      seen.push(current);
    });
  }, always)
  .readonly();

/** Give a listener without Port the Service/DefaultPorts port of its transport (§5.2 Create). */
function fillListenerPorts(value: unknown): unknown {
  if (!isPlainRecord(value) || !Array.isArray(value.Listener)) return value;
  const service = value.Service;
  const rawPorts = isPlainRecord(service) ? service.DefaultPorts : undefined;
  const portFor = (transport: 'HTTP' | 'HTTPS'): number => {
    const raw = isPlainRecord(rawPorts) ? toNumber(rawPorts[transport]) : undefined;
    return typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= 65535 ? raw : WINDOWS_DEFAULT_PORTS[transport];
  };
  const listeners = value.Listener.map((item: unknown) => {
    if (!isPlainRecord(item) || item.Port !== undefined) return item;
    const transport = typeof item.Transport === 'string' && item.Transport.trim().toUpperCase() === 'HTTPS' ? 'HTTPS' : 'HTTP';
    return { ...item, Port: portFor(transport) };
  });
  return { ...value, Listener: listeners };
}

const WinrmSchema = z
  .preprocess(
    fillListenerPorts,
    z
      .strictObject({
        MaxEnvelopeSizekb: int(
          32,
          1039440,
          500,
          'Largest SOAP envelope in KiB. A larger request body → HTTP 413; responses are capped at min(request MaxEnvelopeSize, this × 1024). pypsrp and evil-winrm read it to size fragments (§3.1).',
        ),
        MaxTimeoutms: int(500, UINT32_MAX, 60000, 'A missing or larger OperationTimeout is silently capped to this (§3.1).'),
        MaxBatchItems: int(1, UINT32_MAX, 32000, 'Cap on MaxElements in Enumerate/Pull responses (§3.1).'),
        MaxProviderRequests: int(0, UINT32_MAX, UINT32_MAX, 'Deprecated and read-only since WinRM 2.0; ignored (§3.1).'),
        Client: ClientSchema.prefault({}).describe('winrm/config/client: informational for a server, but `winrm get winrm/config` shows it (§3.2).'),
        Service: ServiceSchema.prefault({}).describe('winrm/config/service (§3.3).'),
        Winrs: WinrsSchema.prefault({}).describe('winrm/config/winrs (WSMan:\\localhost\\Shell): remote shell quotas (§3.4).'),
        Listener: ListenerListSchema.prefault([]).describe(
          'winrm/config/listener items. Windows has none until configured (Server 2012+ ships the HTTP one); the embedded default.yaml adds two on 127.0.0.1 (§3.5, §5).',
        ),
      })
      .readonly(),
  )
  .describe('The `winrm/config` tree and its listeners, with Windows\' own names. Keys are case-insensitive (winrm-config.md §2, §3).');

// ---------------------------------------------------------------------------------------------
// The emulated host

const USER_NAME_FORBIDDEN = /[\\/[\]:;|=,+*?<>"@\u0000-\u001f]/;

function canonicalGroup(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return KNOWN_LOCAL_GROUPS.find((g) => g.toLowerCase() === text.toLowerCase()) ?? text;
}

const knownGroups = new Set<string>(KNOWN_LOCAL_GROUPS);

const UserSchema = z
  .strictObject({
    name: z
      .preprocess(
        trimString,
        z
          .string()
          .min(1, { error: 'must not be empty' })
          .max(20, { error: 'must be at most 20 characters (Windows local account names)' })
          .refine((n) => !USER_NAME_FORBIDDEN.test(n), { error: 'must not contain any of \\ / [ ] : ; | = , + * ? < > " @' })
          .refine((n) => !/^[. ]+$/.test(n), { error: 'must not consist only of periods and spaces' }),
      )
      .describe('Local account name (1–20 characters, none of \\ / [ ] : ; | = , + * ? < > " @), unique case-insensitively.'),
    password: z
      .string()
      .min(1, { error: 'must not be empty (Windows refuses network logons with a blank password)' })
      .max(256, { error: 'must be at most 256 characters' })
      .exactOptional()
      .describe('Clear-text password. Give exactly one of password and ntHash.'),
    ntHash: z
      .preprocess(normaliseHex, z.string().regex(/^[0-9A-F]{32}$/, { error: 'must be 32 hexadecimal digits: MD4 of the UTF-16LE password' }))
      .exactOptional()
      .describe('NT hash (32 hex, MD4 of UTF-16LE password), upper-cased. Enough for NTLM; Basic and CredSSP need the password.'),
    groups: z
      .array(
        z.preprocess(
          canonicalGroup,
          z.string().refine((g) => knownGroups.has(g), {
            error: (issue) => {
              const name = String(issue.input);
              const near = closestKey(name, KNOWN_LOCAL_GROUPS);
              return `unknown local group '${name}'; ${near !== undefined ? `did you mean '${near}'? ` : ''}known groups: ${KNOWN_LOCAL_GROUPS.join(', ')}`;
            },
          }),
        ),
      )
      .superRefine((groups: readonly unknown[], ctx) => {
        groups.forEach((group, index) => {
          if (groups.indexOf(group) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `'${String(group)}' is listed twice` });
        });
      }, always)
      .readonly()
      .prefault([])
      .describe('Local groups (case-insensitive, stored in canonical spelling). Administrators and Remote Management Users are what WinRM access turns on.'),
    rid: intIn(500, UINT32_MAX)
      .exactOptional()
      .describe('Relative id. Default: Administrator 500, Guest 501, others 1000, 1001, … in order, skipping ids in use. Unique.'),
    enabled: bool(true, 'A disabled account cannot log on.'),
    fullName: z.preprocess(nullToEmpty, z.string().max(256, { error: 'must be at most 256 characters' })).default('').describe('Full name (`net user` shows it).'),
  })
  .superRefine((user: unknown, ctx) => {
    if (!isPlainRecord(user)) return;
    const hasPassword = user.password !== undefined;
    const hasHash = user.ntHash !== undefined;
    if (hasPassword && hasHash) {
      ctx.addIssue({ code: 'custom', path: ['ntHash'], message: 'give either password or ntHash, not both' });
    } else if (!hasPassword && !hasHash) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required: give password (or ntHash)' });
    }
  }, always)
  .readonly();

type ParsedUser = z.output<typeof UserSchema>;

/** Default RIDs: Administrator 500, Guest 501, then 1000, 1001… in order, skipping used ones. */
function assignRids(users: readonly ParsedUser[]): readonly ParsedUser[] {
  const used = new Set<number>();
  for (const user of users) if (user.rid !== undefined) used.add(user.rid);
  let next = FIRST_USER_RID;
  return users.map((user) => {
    if (user.rid !== undefined) return user;
    const builtin = BUILTIN_ACCOUNT_RIDS[user.name.toLowerCase()];
    let rid: number;
    if (builtin !== undefined && !used.has(builtin)) {
      rid = builtin;
    } else {
      while (used.has(next)) next++;
      rid = next;
    }
    used.add(rid);
    return { ...user, rid };
  });
}

const UserListSchema = z
  .array(UserSchema)
  .superRefine((users: readonly unknown[], ctx) => {
    const names = new Map<string, number>();
    const rids = new Map<number, number>();
    users.forEach((user, index) => {
      if (!isPlainRecord(user)) return;
      if (typeof user.name === 'string') {
        const first = names.get(user.name.toLowerCase());
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate user '${user.name}': users[${String(first)}] has the same name (names are case-insensitive)` });
        } else {
          names.set(user.name.toLowerCase(), index);
        }
      }
      if (typeof user.rid === 'number') {
        const first = rids.get(user.rid);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [index, 'rid'], message: `duplicate rid ${String(user.rid)}: users[${String(first)}] has it already` });
        } else {
          rids.set(user.rid, index);
        }
      }
    });
  }, always)
  .readonly()
  .transform(assignRids);

const commandNames = (description: string) => z.array(z.string().min(1, { error: 'must not be empty' })).readonly().default([]).describe(description);

const RoleDefinitionSchema = z
  .strictObject({
    principals: z
      .array(z.string().min(1, { error: 'must not be empty' }))
      .min(1, { error: 'must name at least one user or group' })
      .readonly()
      .describe('Users or local groups the role applies to (`Operators`, `COMPUTER\\user`…), matched case-insensitively.'),
    visibleCmdlets: commandNames('Cmdlets the role may run; names or wildcards (`Get-*`).'),
    visibleFunctions: commandNames('Functions the role may run; names or wildcards.'),
    visibleExternalCommands: commandNames('External programs the role may run (`C:\\Windows\\System32\\whoami.exe`).'),
    visibleProviders: commandNames('Providers the role may use (`FileSystem`, `Registry`…); none by default, as in JEA.'),
  })
  .readonly();

const SessionConfigurationSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,256}$/, { error: "must be 1–256 letters, digits, '.', '_' or '-', e.g. Microsoft.PowerShell" })
      .describe('Endpoint name, as in the resource URI http://schemas.microsoft.com/powershell/<name>. Unique case-insensitively.'),
    sddl: z.string().min(1, { error: 'must not be empty' }).describe("The endpoint's own SDDL; who may connect to it (needs GX)."),
    sessionType: ciEnum(['Default', 'RestrictedRemoteServer'] as const)
      .default('Default')
      .describe('Default: every command in FullLanguage. RestrictedRemoteServer (JEA): NoLanguage and only the commands remoting needs plus what roleDefinitions make visible (psrp.md §6.1).'),
    languageMode: ciEnum(['FullLanguage', 'ConstrainedLanguage', 'RestrictedLanguage', 'NoLanguage'] as const)
      .optional()
      .describe('Language mode of the session; defaults to NoLanguage for RestrictedRemoteServer and FullLanguage otherwise.'),
    roleDefinitions: z
      .array(RoleDefinitionSchema)
      .readonly()
      .default([])
      .describe('JEA role definitions: which users or groups see which commands (only with sessionType RestrictedRemoteServer).'),
  })
  .readonly();

const SessionConfigurationListSchema = z
  .array(SessionConfigurationSchema)
  .superRefine((items: readonly unknown[], ctx) => {
    const names = new Map<string, number>();
    items.forEach((item, index) => {
      if (!isPlainRecord(item) || typeof item.name !== 'string') return;
      const first = names.get(item.name.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate session configuration '${item.name}': sessionConfigurations[${String(first)}] has the same name (names are case-insensitive)` });
      } else {
        names.set(item.name.toLowerCase(), index);
      }
    });
  }, always)
  .readonly();

const OsSchema = z
  .strictObject({
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, { error: 'must be major.minor.build, e.g. 10.0.17763' })
      .default('10.0.17763')
      .describe('OS version major.minor.build (10.0.17763 = Windows Server 2019).'),
    servicePack: z.string().regex(/^\d+\.\d+$/, { error: 'must be major.minor, e.g. 0.0' }).default('0.0').describe('Service pack major.minor.'),
    stackVersion: z.string().regex(/^\d+\.\d+$/, { error: 'must be major.minor, e.g. 3.0' }).default('3.0').describe('WS-Management stack version in Identify (3.0 on WMF 3+).'),
    productName: z.string().min(1, { error: 'must not be empty' }).default('Windows Server 2019 Datacenter').describe('Product name (systeminfo, $PSVersionTable…).'),
  })
  .readonly();

const AccountLockoutSchema = z
  .strictObject({
    Threshold: int(0, 999, 0, 'Bad logons that lock the account; 0 never locks (Windows default on a workgroup server).'),
    ResetLockoutCounterAfterms: int(1000, INT32_MAX, 30 * 60_000, 'Window in which bad logons count, ms (Windows: 30 minutes).'),
    LockoutDurationms: int(0, INT32_MAX, 30 * 60_000, 'How long the account stays locked, ms; 0 until the emulator restarts (Windows: 30 minutes).'),
    AllowAdministratorLockout: bool(false, 'Lock out the built-in Administrator (RID 500) too.'),
  })
  .readonly();

const PolicySchema = z
  .strictObject({
    LocalAccountTokenFilterPolicy: bool(
      false,
      'HKLM\\…\\Policies\\System\\LocalAccountTokenFilterPolicy = 1: local administrators other than RID 500 keep their admin token over the network (auth.md §8.3).',
    ),
    FilterAdministratorToken: bool(false, 'Admin Approval Mode for the built-in Administrator: when true even RID 500 gets a filtered token remotely (auth.md §8.3).'),
    AccountLockout: AccountLockoutSchema.prefault({}).describe('Account lockout policy for bad passwords (Basic and NTLM alike). Off by default, as on a workgroup Windows Server.'),
    AllowNtlmV1: bool(false, 'Accept NTLMv1 responses (Windows at LmCompatibilityLevel below 5). Refused by default here.'),
    AllowAnonymousNtlm: bool(false, 'Accept anonymous NTLM logons as NT AUTHORITY\\ANONYMOUS LOGON (authorisation then denies them).'),
  })
  .readonly();

const LoggingSchema = z
  .strictObject({
    level: ciEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const).default('info').describe('pino log level.'),
    sync: z
      .boolean()
      .default(true)
      .describe(
        'Write each log line before answering (true), or hand lines to pino\'s asynchronous writer, which batches those written while a write is in flight (false: pino flushes them on exit, after an uncaught error too; only a SIGKILL loses the last lines). Synchronous costs less CPU per request into a fast sink such as a file or /dev/null (measured: docs/decisions/0006); asynchronous keeps a slow log reader (a full pipe) from stalling requests.',
      ),
    flushIntervalMs: int(
      0,
      60_000,
      100,
      'Above 0: log lines collect in memory (up to 4 KiB) and are written together when that fills, every flushIntervalMs, and on exit (an uncaught error and SIGTERM included; only a SIGKILL loses the last interval). One write per 4 KiB of lines instead of one per request, which is cheaper per request (measured: docs/decisions/0007). 0 writes every line as it is logged.',
    ),
  })
  .readonly();

const ServerSchema = z
  .strictObject({
    keepAliveTimeoutMs: int(1000, INT32_MAX, 120000, 'Idle HTTP keep-alive in ms; at least 120 s in practice, since NTLM and Kerberos authenticate the connection (auth.md §1.3).'),
    allowDefaultPasswordsOnNetwork: bool(
      false,
      'Allow listeners beyond loopback while a user still has a documented default password (also the CLI flag --allow-default-passwords-on-network).',
    ),
    unencryptedRefusalStatus: z
      .preprocess(toNumber, z.literal([401, 500], { error: 'must be 401 or 500' }))
      .default(500)
      .describe('HTTP status for a plaintext request over HTTP after an encryption-capable context: 500 as Windows (auth.md §1.7) or 401.'),
    maxTcpConnections: int(16, 1_000_000, 4096, 'Open TCP connections per listener at most (an emulator bound; Service/MaxConnections bounds requests in progress).'),
    persistConfigChanges: bool(false, 'Write changes made over WS-Man (winrm set/create/delete of winrm/config, listeners, certificate mappings) back to the config file, so they survive a restart.'),
  })
  .readonly();

const RuleMatchSchema = z
  .strictObject({
    exact: z.string().exactOptional().describe('The whole command line, compared case-insensitively after trimming.'),
    glob: z.string().exactOptional().describe('Wildcards * and ?, case-insensitive, over the whole command line.'),
    regex: z
      .string()
      .refine(
        (text) => {
          try {
            new RegExp(text);
            return true;
          } catch {
            return false;
          }
        },
        { error: 'is not a valid JavaScript regular expression' },
      )
      .exactOptional()
      .describe('A JavaScript regular expression, searched in the command line.'),
  })
  .refine((m) => [m.exact, m.glob, m.regex].filter((v) => v !== undefined).length === 1, { error: 'give exactly one of exact, glob or regex' })
  .readonly();

const ScriptedRuleSchema = z
  .strictObject({
    name: z.string().default('').describe('A label for logs and the journal.'),
    match: RuleMatchSchema.describe('What the command line (or, for powershell -EncodedCommand/-Command, the script) must match.'),
    host: z.string().default('').describe('Only for this computer name; empty for any.'),
    user: z.string().default('').describe('Only for this user (case-insensitive); empty for any.'),
    stdout: z.string().default('').describe('Text written to stdout (use \\r\\n line ends as Windows programs do).'),
    stderr: z.string().default('').describe('Text written to stderr.'),
    exitCode: z.preprocess(toNumber, z.number().int()).default(0).describe('Exit code.'),
    delayMs: int(0, INT32_MAX, 0, 'Pause before the first output, in ms.'),
    chunkSize: int(0, INT32_MAX, 0, 'Write the output in pieces of this many characters (0: one piece).'),
    chunkDelayMs: int(0, INT32_MAX, 0, 'Pause between pieces, in ms.'),
    expectStdin: RuleMatchSchema.exactOptional().describe('When set, stdin must match; otherwise the command fails (exit 1) and says why.'),
  })
  .readonly();

const SandboxFileSchema = z
  .strictObject({
    path: z.string().min(1, { error: 'must not be empty' }).describe('Windows path, e.g. C:\\Users\\Public\\note.txt.'),
    text: z.string().exactOptional().describe('Content as text (written as UTF-8).'),
    base64: z.string().exactOptional().describe('Content as base64.'),
  })
  .refine((f) => !(f.text !== undefined && f.base64 !== undefined), { error: 'give text or base64, not both' })
  .readonly();

const RealProcessSchema = z
  .strictObject({
    enabled: bool(false, 'Run matching commands as a real process on this machine (off by default; nothing runs on the host unless this is true).'),
    match: RuleMatchSchema.prefault({ regex: '^$' }).describe('Which commands go to the real process (same forms as rule matches); others stay emulated.'),
    argv: z.array(z.string().min(1)).readonly().default(['/bin/sh', '-c']).describe('Program and arguments; the command line is appended as the last argument.'),
    bubblewrap: z.string().default('bwrap').describe('The bubblewrap executable used to confine the process (Debian package bubblewrap).'),
    allowUnconfined: bool(false, 'Run without confinement when bubblewrap is missing. Refused by default; warned loudly either way.'),
    timeoutMs: int(100, INT32_MAX, 30_000, 'Kill the process after this many ms.'),
    maxOutputBytes: int(1024, INT32_MAX, 16 * 1024 * 1024, 'Kill the process once it has written this many bytes.'),
  })
  .readonly();

const SandboxSchema = z
  .strictObject({
    rules: z.array(ScriptedRuleSchema).readonly().default([]).describe('Scripted answers, first match wins; checked before the emulated cmd.exe and PowerShell.'),
    strict: bool(false, 'When true, a command no rule matches answers as cmd.exe does for an unknown program (exit 9009) and the log names the closest rules.'),
    environment: z
      .record(z.string().regex(/^[^=\s][^=]*$/, { error: 'must be a variable name without "="' }), z.string())
      .readonly()
      .default({})
      .describe('Machine environment variables added to, or replacing, Windows\' defaults in every process (e.g. Path, ChocolateyInstall).'),
    userEnvironment: z
      .record(z.string().regex(/^[^=\s][^=]*$/, { error: 'must be a variable name without "="' }), z.string())
      .readonly()
      .default({})
      .describe('User environment variables, set only when the user profile is loaded (not with WINRS_NOPROFILE).'),
    directories: z.array(z.string()).readonly().default([]).describe('Extra directories in the virtual file system.'),
    files: z.array(SandboxFileSchema).readonly().default([]).describe('Extra files in the virtual file system.'),
    maxFileSystemBytes: int(1024, UINT32_MAX, 64 * 1024 * 1024, 'Bound on the bytes the virtual file system holds.'),
    maxFiles: int(16, 1_000_000, 20_000, 'Bound on the number of files and directories.'),
    maxBufferedOutputBytes: int(4096, INT32_MAX, 1024 * 1024, 'Output a command may buffer before it is paused until a Receive reads it.'),
    journalEntries: int(1, 1_000_000, 1000, 'Commands kept in the in-memory journal of what ran.'),
    journalFile: z.string().default('').describe('JSON-lines file the journal is appended to; empty for none. Relative to the config file.'),
    persistFile: z.string().default('').describe('JSON file the virtual file system is restored from at start and saved to at stop; empty for none. Relative to the config file.'),
    realProcess: RealProcessSchema.prefault({}).describe('An opt-in, confined real-process backend (bubblewrap: read-only system, private /tmp, no network, scrubbed environment, time and output limits).'),
  })
  .readonly();

// ---------------------------------------------------------------------------------------------
// Kerberos and the domain (auth.md §4, §8)

const KerberosSchema = z
  .strictObject({
    realm: z.preprocess(trimString, z.string()).default('').describe("Realm of the service principal, e.g. EMU.TEST; empty = domain.realm (cross-realm trust is not emulated, so it must be the domain's)."),
    keytab: z
      .preprocess(trimString, z.string())
      .default('')
      .describe('MIT keytab holding the service keys (HTTP/<host>@REALM); empty turns Kerberos off. Relative to the config file. Needs `domain` (Kerberos principals are domain accounts).'),
    serviceName: z
      .preprocess(trimString, z.string())
      .default('')
      .describe('Service principal accepted, e.g. HTTP/win-emu01.emu.test (realm optional); empty accepts any principal in the keytab, as Windows accepts every SPN of its computer account.'),
    krb5Config: z.preprocess(trimString, z.string()).default('').describe('krb5.conf for the MIT library (sets KRB5_CONFIG); empty = the environment\'s, else /etc/krb5.conf. Relative to the config file.'),
  })
  .readonly();

const DOMAIN_NAME_FORBIDDEN = /[\\/[\]:;|=,+*?<>"@\u0000-\u001f]/;
const builtinDomainGroups = Object.keys(BUILTIN_DOMAIN_GROUPS);

const DomainUserSchema = z
  .strictObject({
    name: z
      .preprocess(
        trimString,
        z
          .string()
          .min(1, { error: 'must not be empty' })
          .max(20, { error: 'must be at most 20 characters (sAMAccountName)' })
          .refine((n) => !DOMAIN_NAME_FORBIDDEN.test(n), { error: 'must not contain any of \\ / [ ] : ; | = , + * ? < > " @' }),
      )
      .describe('sAMAccountName; the Kerberos principal is <name>@<realm>. Unique case-insensitively.'),
    rid: intIn(500, UINT32_MAX).exactOptional().describe('Relative id in the domain; default 1103, 1104, … after the custom groups.'),
    groups: z
      .array(z.preprocess(trimString, z.string().min(1)))
      .readonly()
      .prefault([])
      .describe(`Domain groups: built-in (${builtinDomainGroups.join(', ')}) or from domain.groups, optionally as DOMAIN\\name. Domain Users is implicit.`),
    enabled: bool(true, 'A disabled account is refused even with a valid ticket.'),
    fullName: z.preprocess(nullToEmpty, z.string()).default('').describe('Full name.'),
  })
  .readonly();

const DomainGroupSchema = z
  .strictObject({
    name: z
      .preprocess(trimString, z.string().min(1, { error: 'must not be empty' }).max(64, { error: 'must be at most 64 characters' }))
      .describe('Group name, unique case-insensitively and different from the built-in domain groups.'),
    rid: intIn(500, UINT32_MAX).exactOptional().describe('Relative id; default 1103, 1104, … in order.'),
  })
  .readonly();

const DomainSchema = z
  .strictObject({
    realm: z
      .preprocess(
        (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
        z.string().regex(/^$|^[A-Z0-9-]+(\.[A-Z0-9-]+)*$/, { error: 'must be a DNS domain name, e.g. EMU.TEST' }),
      )
      .default('')
      .describe('DNS name of the domain (upper-cased: it is the Kerberos realm), e.g. EMU.TEST; empty = the host is in a workgroup.'),
    netbiosName: z
      .preprocess(
        (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
        z.string().regex(/^[A-Z0-9-]{0,15}$/, { error: 'must be a NetBIOS name: up to 15 letters, digits or hyphens' }),
      )
      .default('')
      .describe('NetBIOS domain name shown as DOMAIN\\user (whoami); empty = the first label of realm.'),
    sid: z
      .preprocess(trimString, z.string().regex(/^$|^S-1-5-21-\d+-\d+-\d+$/, { error: 'must be a domain SID S-1-5-21-a-b-c, or empty' }))
      .default('')
      .describe('Domain SID; empty = derived from the NetBIOS name (stable per name).'),
    users: z.array(DomainUserSchema).readonly().prefault([]).describe('Domain accounts that may log on with Kerberos (the KDC holds their passwords).'),
    groups: z.array(DomainGroupSchema).readonly().prefault([]).describe('Domain groups beyond the built-in ones.'),
    localGroupMembers: z
      .record(z.string(), z.array(z.preprocess(trimString, z.string().min(1))).readonly())
      .readonly()
      .default(DOMAIN_JOIN_LOCAL_GROUP_MEMBERS)
      .describe('Local group → domain groups or users nested in it. Default what joining a domain does: Administrators ← Domain Admins, Users ← Domain Users.'),
  })
  .superRefine((domain: unknown, ctx) => {
    if (!isPlainRecord(domain)) return;
    const groups = Array.isArray(domain.groups) ? domain.groups : [];
    const users = Array.isArray(domain.users) ? domain.users : [];
    const groupNames = new Map<string, number>(builtinDomainGroups.map((g) => [g.toLowerCase(), -1]));
    groups.forEach((g: unknown, index) => {
      if (!isPlainRecord(g) || typeof g.name !== 'string') return;
      const key = g.name.toLowerCase();
      const first = groupNames.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['groups', index, 'name'], message: first < 0 ? `'${g.name}' is a built-in domain group` : `duplicate group: domain.groups[${String(first)}] has the same name` });
      else groupNames.set(key, index);
    });
    const netbios = typeof domain.netbiosName === 'string' && domain.netbiosName !== '' ? domain.netbiosName : typeof domain.realm === 'string' ? (domain.realm.split('.')[0] ?? '') : '';
    const bare = (name: string): string => {
      const slash = name.indexOf('\\');
      if (slash < 0) return name.toLowerCase();
      return name.slice(0, slash).toUpperCase() === netbios ? name.slice(slash + 1).toLowerCase() : `\u0000${name}`;
    };
    const userNames = new Map<string, number>();
    users.forEach((u: unknown, index) => {
      if (!isPlainRecord(u) || typeof u.name !== 'string') return;
      const first = userNames.get(u.name.toLowerCase());
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['users', index, 'name'], message: `duplicate domain user: domain.users[${String(first)}] has the same name` });
      else userNames.set(u.name.toLowerCase(), index);
      if (Array.isArray(u.groups)) {
        u.groups.forEach((g: unknown, gi) => {
          if (typeof g === 'string' && !groupNames.has(bare(g))) {
            ctx.addIssue({ code: 'custom', path: ['users', index, 'groups', gi], message: `unknown domain group '${g}'; built-in: ${builtinDomainGroups.join(', ')}; add others to domain.groups` });
          }
        });
      }
    });
    const rids = new Map<number, string>();
    const seeRid = (rid: unknown, where: (string | number)[]): void => {
      if (typeof rid !== 'number') return;
      const first = rids.get(rid);
      if (first !== undefined || Object.values(BUILTIN_DOMAIN_GROUPS).includes(rid)) ctx.addIssue({ code: 'custom', path: where, message: `rid ${String(rid)} is already used${first !== undefined ? ` by ${first}` : ' by a built-in domain group'}` });
      else rids.set(rid, where.join('.'));
    };
    groups.forEach((g: unknown, i) => isPlainRecord(g) && seeRid(g.rid, ['groups', i, 'rid']));
    users.forEach((u: unknown, i) => isPlainRecord(u) && seeRid(u.rid, ['users', i, 'rid']));
    if (isPlainRecord(domain.localGroupMembers)) {
      for (const [local, members] of Object.entries(domain.localGroupMembers)) {
        if (!KNOWN_LOCAL_GROUPS.some((g) => g.toLowerCase() === local.toLowerCase())) {
          ctx.addIssue({ code: 'custom', path: ['localGroupMembers', local], message: `unknown local group '${local}'; known: ${KNOWN_LOCAL_GROUPS.join(', ')}` });
        }
        if (!Array.isArray(members)) continue;
        members.forEach((m: unknown, mi) => {
          if (typeof m !== 'string') return;
          const key = bare(m);
          if (!groupNames.has(key) && !userNames.has(key)) ctx.addIssue({ code: 'custom', path: ['localGroupMembers', local, mi], message: `'${m}' is neither a domain group nor a domain user` });
        });
      }
    }
  }, always)
  .readonly();

const EmulatorConfigObject = z
  .strictObject({
    computerName: z
      .preprocess(
        (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase() : value),
        z
          .string()
          .regex(/^[A-Z0-9-]{1,15}$/, { error: 'must be a NetBIOS computer name: 1–15 letters, digits or hyphens' })
          .refine((name) => !/^\d+$/.test(name), { error: 'must not consist only of digits' }),
      )
      .default(DEFAULT_COMPUTER_NAME)
      .describe('NetBIOS name of the emulated host (1–15 letters, digits, hyphens), stored upper-case.'),
    os: OsSchema.prefault({}).describe('Facts about the emulated OS (Identify ProductVersion, ver, systeminfo).'),
    winrm: WinrmSchema.prefault({}),
    certificateStore: z
      .string()
      .min(1, { error: 'must not be empty' })
      .default('./certs')
      .describe("Folder of PEM files (certificate then private key), found by SHA-1 thumbprint. Relative to the config file's folder (the package root for the embedded default)."),
    users: UserListSchema.prefault([]).describe('Local accounts of the emulated host.'),
    sessionConfigurations: SessionConfigurationListSchema.prefault([{ name: 'Microsoft.PowerShell', sddl: MICROSOFT_POWERSHELL_SDDL }]).describe(
      'PowerShell session configurations (endpoints) with their SDDL (auth.md §8.1).',
    ),
    policy: PolicySchema.prefault({}).describe('Host policy outside WinRM config that changes who gets in (auth.md §8.3).'),
    logging: LoggingSchema.prefault({}).describe('Logging.'),
    server: ServerSchema.prefault({}).describe('Emulator-only knobs (not part of Windows\' model).'),
    sandbox: SandboxSchema.prefault({}).describe('Where commands run: scripted rules, the virtual file system, the journal of what ran.'),
    kerberos: KerberosSchema.prefault({}).describe('Kerberos acceptor (auth.md §4): the service keytab and realm. Off while keytab is empty.'),
    domain: DomainSchema.prefault({}).describe('The Active Directory domain the host is joined to (auth.md §8): domain users and groups, and their nesting into local groups. Off while realm is empty.'),
  })
  .superRefine((config: unknown, ctx) => {
    // Kerberos principals are domain accounts: a keytab needs a domain of the same realm.
    if (isPlainRecord(config) && isPlainRecord(config.kerberos) && typeof config.kerberos.keytab === 'string' && config.kerberos.keytab !== '') {
      const domainRealm = isPlainRecord(config.domain) && typeof config.domain.realm === 'string' ? config.domain.realm : '';
      const realm = typeof config.kerberos.realm === 'string' ? config.kerberos.realm : '';
      if (domainRealm === '') {
        ctx.addIssue({ code: 'custom', path: ['domain', 'realm'], message: 'is required when kerberos.keytab is set: Kerberos logons are domain accounts (give domain.realm, e.g. EMU.TEST, and domain.users)' });
      } else if (realm !== '' && realm.toUpperCase() !== domainRealm) {
        ctx.addIssue({ code: 'custom', path: ['kerberos', 'realm'], message: `'${realm}' differs from domain.realm '${domainRealm}'; cross-realm trust is not emulated` });
      }
    }
    // Certificate mappings must name a configured user (§7.1: local accounts only).
    if (!isPlainRecord(config) || !isPlainRecord(config.winrm) || !Array.isArray(config.users)) return;
    const service = config.winrm.Service;
    if (!isPlainRecord(service) || !Array.isArray(service.CertMapping)) return;
    const names = new Set(config.users.map((u: unknown) => (isPlainRecord(u) && typeof u.name === 'string' ? u.name.toLowerCase() : '')));
    service.CertMapping.forEach((mapping: unknown, index) => {
      if (!isPlainRecord(mapping) || typeof mapping.UserName !== 'string' || mapping.UserName === '') return;
      if (!names.has(mapping.UserName.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: ['winrm', 'Service', 'CertMapping', index, 'UserName'],
          message: `'${mapping.UserName}' is not one of the configured users; a certificate mapping logs on as a local account listed in users`,
        });
      }
    });
  }, always)
  .readonly();

/**
 * The configuration schema. Input: the merged YAML/environment/CLI object; output: an
 * `EmulatorConfig` with every default filled in. Keys under `winrm` are first renamed to their
 * canonical spelling.
 */
export const EmulatorConfigSchema = z.preprocess((value: unknown, ctx) => {
  const problems: KeyProblem[] = [];
  const canonical = canonicaliseKeys(value, EmulatorConfigObject, [], problems);
  for (const problem of problems) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  return canonical;
}, EmulatorConfigObject);

/** The schema without the key-renaming step, for walking its shape (docs, suggestions). */
export const EmulatorConfigShape = EmulatorConfigObject;

export {
  CertMappingSchema,
  ClientSchema,
  DomainGroupSchema,
  DomainSchema,
  DomainUserSchema,
  KerberosSchema,
  ListenerSchema,
  LoggingSchema,
  OsSchema,
  PolicySchema,
  SandboxSchema,
  ServerSchema,
  ServiceSchema,
  SessionConfigurationSchema,
  UserSchema,
  WinrmSchema,
  WinrsSchema,
};

// ---------------------------------------------------------------------------------------------
// Compile-time proof that the schema's output is exactly the contract in types.ts.

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type _ListenerMatches = Assert<Equals<z.output<typeof ListenerSchema>, ListenerConfig>>;
export type _CertMappingMatches = Assert<Equals<z.output<typeof CertMappingSchema>, CertMappingConfig>>;
export type _ClientMatches = Assert<Equals<z.output<typeof ClientSchema>, ClientConfig>>;
export type _ServiceMatches = Assert<Equals<z.output<typeof ServiceSchema>, ServiceConfig>>;
export type _WinrsMatches = Assert<Equals<z.output<typeof WinrsSchema>, WinrsConfig>>;
export type _WinrmMatches = Assert<Equals<z.output<typeof WinrmSchema>, WinrmConfig>>;
export type _UserMatches = Assert<Equals<z.output<typeof UserSchema>, UserConfig>>;
export type _SessionMatches = Assert<Equals<z.output<typeof SessionConfigurationSchema>, SessionConfigurationConfig>>;
export type _OsMatches = Assert<Equals<z.output<typeof OsSchema>, OsConfig>>;
export type _PolicyMatches = Assert<Equals<z.output<typeof PolicySchema>, PolicyConfig>>;
export type _LoggingMatches = Assert<Equals<z.output<typeof LoggingSchema>, LoggingConfig>>;
export type _ServerMatches = Assert<Equals<z.output<typeof ServerSchema>, ServerConfig>>;
export type _SandboxMatches = Assert<Equals<z.output<typeof SandboxSchema>, SandboxConfig>>;
export type _KerberosMatches = Assert<Equals<z.output<typeof KerberosSchema>, KerberosConfig>>;
export type _DomainMatches = Assert<Equals<z.output<typeof DomainSchema>, DomainConfig>>;
export type _DomainUserMatches = Assert<Equals<z.output<typeof DomainUserSchema>, DomainUserConfig>>;
export type _DomainGroupMatches = Assert<Equals<z.output<typeof DomainGroupSchema>, DomainGroupConfig>>;
export type _ConfigMatches = Assert<Equals<z.output<typeof EmulatorConfigSchema>, EmulatorConfig>>;
