// Access tokens for network logons of local accounts, as LSA builds them on a workgroup host,
// including UAC remote restrictions (auth.md §8.3).
//
// Group list and order follow `whoami /groups` on real hosts: Everyone; for admins "Local account
// and member of Administrators group" and BUILTIN\Administrators; BUILTIN\Users and the other
// aliases; the logon-type group (NETWORK); Authenticated Users; This Organization; Local
// account; the authentication-package group; the mandatory label last.

import { GENERIC_EXECUTE, GENERIC_READ, GENERIC_WRITE, SddlError, accessCheck, parseSddl, type SecurityDescriptor } from './sddl.js';
import { SID, lookupLocalGroup, lookupWellKnownSid, type SidType } from './sids.js';

export interface TokenGroupAttributes {
  /** SE_GROUP_MANDATORY */
  readonly mandatory: boolean;
  /** SE_GROUP_ENABLED_BY_DEFAULT */
  readonly enabledByDefault: boolean;
  /** SE_GROUP_ENABLED */
  readonly enabled: boolean;
  /** SE_GROUP_OWNER ("Group owner") */
  readonly owner: boolean;
  /** SE_GROUP_USE_FOR_DENY_ONLY ("Group used for deny only") */
  readonly denyOnly: boolean;
}

export interface TokenGroup {
  readonly sid: string;
  /** As `whoami /groups` prints it, e.g. `BUILTIN\Remote Management Users`. */
  readonly name: string;
  readonly attributes: TokenGroupAttributes;
  readonly type: SidType;
}

export interface AccessToken {
  /** `<machine SID>-<rid>` */
  readonly userSid: string;
  /** `COMPUTER\name` (whoami prints it lower-cased). */
  readonly userName: string;
  readonly groups: readonly TokenGroup[];
  /** True when UAC remote restrictions produced a filtered (standard-user) token. */
  readonly filtered: boolean;
  readonly integrity: 'High' | 'Medium';
  /** The host's machine SID (LA/LG in SDDL), when the user SID is not relative to it (domain accounts). */
  readonly machineSid?: string;
  /** The domain SID, for domain accounts: DA, DU… in SDDL resolve against it. */
  readonly domainSid?: string;
}

/** What a domain account brings to a member server's token (auth.md §8): its domain and domain groups. */
export interface DomainIdentity {
  /** NetBIOS domain name, e.g. `EMU` (whoami prints `emu\\alice`). */
  readonly netbiosName: string;
  /** `S-1-5-21-a-b-c` of the domain. */
  readonly domainSid: string;
  /** Domain groups the account is in (Domain Users included), as whoami names them: `EMU\\Domain Admins`. */
  readonly groups: readonly { readonly name: string; readonly sid: string }[];
}

export type AuthPackage = 'NTLM' | 'Kerberos' | 'Basic' | 'Certificate' | 'CredSSP';

export interface NetworkLogonInput {
  /** NetBIOS computer name of the emulated host. */
  readonly computerName: string;
  /** `S-1-5-21-a-b-c`, e.g. from machineSidFor(computerName). */
  readonly machineSid: string;
  readonly user: {
    readonly name: string;
    /** Relative id: 500 is the built-in Administrator. */
    readonly rid: number;
    /** Local group names (case-insensitive), e.g. `Administrators`, `Remote Management Users`. */
    readonly groups: readonly string[];
    /** A domain account: its SID is `<domainSid>-<rid>` and its groups include the domain's. */
    readonly domain?: DomainIdentity;
  };
  readonly authPackage: AuthPackage;
  readonly policy: {
    /** HKLM\…\Policies\System\LocalAccountTokenFilterPolicy = 1 turns remote filtering off. */
    readonly LocalAccountTokenFilterPolicy: boolean;
    /** "Admin Approval Mode for the built-in Administrator": filters RID 500 too. */
    readonly FilterAdministratorToken: boolean;
  };
}

/** A group name that is not one of the local groups the emulator knows (sids.ts LOCAL_GROUPS). */
export class UnknownLocalGroupError extends Error {
  override readonly name = 'UnknownLocalGroupError';
  constructor(readonly group: string, readonly user: string) {
    super(`user '${user}' is configured in local group '${group}', which the emulated host does not have`);
  }
}

/** The built-in Administrator's relative id. */
export const ADMINISTRATOR_RID = 500;

/**
 * Groups a UAC-filtered token carries as deny-only. Administrators is documented (auth.md §8.3);
 * Power Users and Backup Operators are on the UAC "filtered groups" list for split tokens [U].
 */
const UAC_FILTERED_GROUPS: ReadonlySet<string> = new Set([SID.Administrators, SID.LocalAccountAndAdministrator, SID.PowerUsers, SID.BackupOperators]);

const ENABLED: TokenGroupAttributes = { mandatory: true, enabledByDefault: true, enabled: true, owner: false, denyOnly: false };
const ENABLED_OWNER: TokenGroupAttributes = { ...ENABLED, owner: true };
const DENY_ONLY: TokenGroupAttributes = { mandatory: false, enabledByDefault: false, enabled: false, owner: false, denyOnly: true };
/**
 * An integrity label's attributes are SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED, none of
 * the flags modelled here; whoami prints an empty Attributes column for it. Labels never match ACEs.
 */
const LABEL: TokenGroupAttributes = { mandatory: false, enabledByDefault: false, enabled: false, owner: false, denyOnly: false };

function wellKnown(sid: string, attributes: TokenGroupAttributes = ENABLED): TokenGroup {
  const entry = lookupWellKnownSid(sid);
  if (entry === undefined) throw new Error(`internal: ${sid} is missing from WELL_KNOWN_SIDS`);
  return { sid, name: entry.name, type: entry.type, attributes };
}

/**
 * The access token Windows builds for a network logon (WinRM: logon type 3) of a local account.
 *
 * UAC remote restrictions: a member of Administrators is filtered (Administrators and S-1-5-114
 * become deny-only, integrity Medium) when it is not RID 500 and LocalAccountTokenFilterPolicy
 * is off, or when it is RID 500 and FilterAdministratorToken is on.
 *
 * The authentication-package group: NTLM logons carry "NT AUTHORITY\NTLM Authentication"
 * (S-1-5-64-10), seen in every recorded `whoami /groups` over an NTLM WinRM session. Whether
 * Basic (LogonUser with the cleartext password, so MSV1_0), CredSSP (a logon with the delegated
 * password) or certificate mapping (a logon with the mapped account's stored password) add it
 * too is not verified, so only NTLM adds it here. Kerberos adds no package group.
 */
export function buildNetworkLogonToken(input: NetworkLogonInput): AccessToken {
  const { computerName, machineSid, user, authPackage, policy } = input;

  const memberOf: string[] = [];
  for (const name of user.groups) {
    const group = lookupLocalGroup(name);
    if (group === undefined) throw new UnknownLocalGroupError(name, user.name);
    if (!memberOf.includes(group.sid)) memberOf.push(group.sid);
  }
  if (user.domain !== undefined) return buildDomainToken(input, user.domain, memberOf);
  const isAdmin = memberOf.includes(SID.Administrators);
  const filtered = isAdmin && (user.rid === ADMINISTRATOR_RID ? policy.FilterAdministratorToken : !policy.LocalAccountTokenFilterPolicy);
  const attrs = (sid: string, base: TokenGroupAttributes = ENABLED): TokenGroupAttributes => (filtered && UAC_FILTERED_GROUPS.has(sid) ? DENY_ONLY : base);

  const groups: TokenGroup[] = [wellKnown(SID.Everyone)];
  if (isAdmin) {
    groups.push(wellKnown(SID.LocalAccountAndAdministrator, attrs(SID.LocalAccountAndAdministrator)));
    groups.push(wellKnown(SID.Administrators, attrs(SID.Administrators, ENABLED_OWNER)));
  }
  // Every local account is in BUILTIN\Users (`net user /add` puts it there, and Authenticated
  // Users is itself a member).
  groups.push(wellKnown(SID.Users));
  for (const sid of memberOf) {
    if (sid === SID.Administrators || sid === SID.Users) continue;
    groups.push(wellKnown(sid, attrs(sid)));
  }
  groups.push(wellKnown(SID.Network), wellKnown(SID.AuthenticatedUsers), wellKnown(SID.ThisOrganization), wellKnown(SID.LocalAccount));
  if (authPackage === 'NTLM') groups.push(wellKnown(SID.NtlmAuthentication));
  const integrity = isAdmin && !filtered ? 'High' : 'Medium';
  groups.push(wellKnown(integrity === 'High' ? SID.HighMandatoryLevel : SID.MediumMandatoryLevel, LABEL));

  return {
    userSid: `${machineSid}-${user.rid}`,
    userName: `${computerName.toUpperCase()}\\${user.name}`,
    groups,
    filtered,
    integrity,
  };
}

/** Tokens by everything that shapes them (bounded): a principal's token is the same on every request. */
const TOKEN_CACHE_LIMIT = 256;
const tokenCache = new Map<string, AccessToken>();

/**
 * buildNetworkLogonToken, remembered: the request path asks for the caller's token on every
 * request, and it only changes with the account's groups, the auth package or the UAC policy, all
 * of which are in the key (docs/decisions/0005-hot-path.md). Tokens are immutable.
 */
export function networkLogonToken(input: NetworkLogonInput): AccessToken {
  // The same account object (config objects are frozen and replaced on change) under the same
  // policy object: its last token, without building the key (decision 0007).
  const last = lastByUser.get(input.user);
  if (last !== undefined && last.policy === input.policy && last.authPackage === input.authPackage && last.computerName === input.computerName && last.machineSid === input.machineSid) return last.token;
  const token = tokenByKey(input);
  lastByUser.set(input.user, { policy: input.policy, authPackage: input.authPackage, computerName: input.computerName, machineSid: input.machineSid, token });
  return token;
}

const lastByUser = new WeakMap<object, { readonly policy: object; readonly authPackage: string; readonly computerName: string; readonly machineSid: string; readonly token: AccessToken }>();

function tokenByKey(input: NetworkLogonInput): AccessToken {
  const { user, policy } = input;
  const d = user.domain;
  const key = `${input.computerName}\u0000${input.machineSid}\u0000${user.name}\u0000${user.rid}\u0000${user.groups.join('\u0001')}\u0000${input.authPackage}\u0000${policy.LocalAccountTokenFilterPolicy ? 1 : 0}${policy.FilterAdministratorToken ? 1 : 0}${
    d ? `\u0000${d.netbiosName}\u0001${d.domainSid}\u0001${d.groups.map((g) => `${g.sid}=${g.name}`).join('\u0001')}` : ''
  }`;
  const hit = tokenCache.get(key);
  if (hit !== undefined) return hit;
  const token = buildNetworkLogonToken(input);
  if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.delete(tokenCache.keys().next().value!);
  tokenCache.set(key, token);
  return token;
}

/**
 * A domain account's network logon on a member server [U] (shape of `whoami /groups` on domain
 * members): no UAC remote filtering (it concerns local accounts, auth.md §8.3), no "Local account"
 * SIDs; the local groups it reaches through nesting, then the domain groups, then for Kerberos
 * "Authentication authority asserted identity" (S-1-18-1), for NTLM the NTLM package group.
 */
function buildDomainToken(input: NetworkLogonInput, domain: DomainIdentity, memberOf: readonly string[]): AccessToken {
  const { user, authPackage, machineSid } = input;
  const isAdmin = memberOf.includes(SID.Administrators);
  const groups: TokenGroup[] = [wellKnown(SID.Everyone)];
  if (isAdmin) groups.push(wellKnown(SID.Administrators, ENABLED_OWNER));
  groups.push(wellKnown(SID.Users));
  for (const sid of memberOf) {
    if (sid === SID.Administrators || sid === SID.Users) continue;
    groups.push(wellKnown(sid));
  }
  groups.push(wellKnown(SID.Network), wellKnown(SID.AuthenticatedUsers), wellKnown(SID.ThisOrganization));
  for (const g of domain.groups) groups.push({ sid: g.sid, name: g.name, type: 'Group', attributes: ENABLED });
  if (authPackage === 'Kerberos') groups.push(wellKnown(SID.AuthenticationAuthorityAssertedIdentity));
  if (authPackage === 'NTLM') groups.push(wellKnown(SID.NtlmAuthentication));
  const integrity = isAdmin ? 'High' : 'Medium';
  groups.push(wellKnown(integrity === 'High' ? SID.HighMandatoryLevel : SID.MediumMandatoryLevel, LABEL));
  return {
    userSid: `${domain.domainSid}-${user.rid}`,
    userName: `${domain.netbiosName.toUpperCase()}\\${user.name}`,
    groups,
    filtered: false,
    integrity,
    machineSid,
    domainSid: domain.domainSid,
  };
}

// ---------------------------------------------------------------------------------------------
// authorize: the one call the request pipeline makes after authentication (auth.md §8): may this
// token do this to a resource guarded by this SDDL (RootSDDL or a session configuration's)?

/** WS-Man operations need GR (Get, Enumerate, Pull…), GW (Put, Create, Delete) or GX (shells, everything else) [MS-WSMV 3.1.4.1.28]. */
export type DesiredAccess = 'read' | 'write' | 'execute' | number;

export interface AuthorizeInput {
  readonly sddl: string;
  readonly token: AccessToken;
  readonly desired: DesiredAccess;
}

export interface AuthorizeResult {
  readonly allowed: boolean;
  readonly reason: string;
}

const DESIRED: Record<Exclude<DesiredAccess, number>, number> = { read: GENERIC_READ, write: GENERIC_WRITE, execute: GENERIC_EXECUTE };

/** Parsed descriptors by SDDL text (and machine SID, which LA/LG resolve against). Small LRU. */
const CACHE_LIMIT = 64;
const cache = new Map<string, SecurityDescriptor>();

function machineSidOf(token: AccessToken): string | undefined {
  const m = /^(S-1-5-21-\d+-\d+-\d+)-\d+$/.exec(token.userSid);
  return m?.[1];
}

function parseCached(sddl: string, machineSid: string | undefined, domainSid?: string): SecurityDescriptor {
  const key = `${machineSid ?? ''}\u0000${domainSid ?? ''}\u0000${sddl}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const sd = parseSddl(sddl, { ...(machineSid === undefined ? {} : { machineSid }), ...(domainSid === undefined ? {} : { domainSid }) });
  cache.set(key, sd);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return sd;
}

/** Decisions per token (tokens are immutable and cached, so the same object comes back): bounded. */
const DECISIONS_PER_TOKEN = 64;
const decisions = new WeakMap<AccessToken, Map<string, AuthorizeResult>>();

/**
 * Evaluate `sddl` for `token`. A malformed SDDL fails closed (not allowed, the parse error in
 * `reason`); configuration validation is where such a string should have been refused.
 */
export function authorize(input: AuthorizeInput): AuthorizeResult {
  const desired = typeof input.desired === 'number' ? input.desired : DESIRED[input.desired];
  let mine = decisions.get(input.token);
  const key = `${desired}\u0000${input.sddl}`;
  const known = mine?.get(key);
  if (known !== undefined) return known;
  const result = decide(input, desired);
  if (mine === undefined) decisions.set(input.token, (mine = new Map()));
  else if (mine.size >= DECISIONS_PER_TOKEN) mine.clear();
  mine.set(key, result);
  return result;
}

function decide(input: AuthorizeInput, desired: number): AuthorizeResult {
  let sd: SecurityDescriptor;
  try {
    sd = parseCached(input.sddl, input.token.machineSid ?? machineSidOf(input.token), input.token.domainSid);
  } catch (err) {
    if (err instanceof SddlError) return { allowed: false, reason: `the security descriptor cannot be evaluated: ${err.message}` };
    throw err;
  }
  const result = accessCheck(sd, input.token, desired);
  return { allowed: result.granted, reason: result.reason };
}

/** Number of cached parsed descriptors (for tests of the bound). */
export function authorizeCacheSize(): number {
  return cache.size;
}
