// SDDL: parse, format and evaluate security descriptors, the way WinRM evaluates RootSDDL and a
// session configuration's SDDL (auth.md §8, winrm-config.md §3.3).
//
// Grammar: learn.microsoft.com "Security Descriptor String Format", "ACE Strings", "SID
// Strings". Canonical output follows ConvertSecurityDescriptorToStringSecurityDescriptor: a
// rights mask that equals a named right prints as that name, else as its named bits in
// ascending bit order (so GENERIC_WRITE|GENERIC_EXECUTE prints `GXGW`, as in Windows' default
// RootSDDL), else as lower-case hex; ACE flags print in the order OI CI NP IO ID SA FA.

import type { AccessToken } from './token.js';
import { DOMAIN_RELATIVE_ALIASES, SID, aliasForSid, canonicalSid, sidFromAlias, wellKnownSidName } from './sids.js';

// ---------------------------------------------------------------------------------------------
// Access rights (winnt.h)

export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_ALL = 0x10000000;
export const MAXIMUM_ALLOWED = 0x02000000;
export const ACCESS_SYSTEM_SECURITY = 0x01000000;
export const DELETE = 0x00010000;
export const READ_CONTROL = 0x00020000;
export const WRITE_DAC = 0x00040000;
export const WRITE_OWNER = 0x00080000;

/** SYSTEM_MANDATORY_LABEL_* policy bits of an ML ACE. */
export const MANDATORY_LABEL_NO_WRITE_UP = 0x1;
export const MANDATORY_LABEL_NO_READ_UP = 0x2;
export const MANDATORY_LABEL_NO_EXECUTE_UP = 0x4;

/**
 * WinRM's generic mapping as this emulator models it: the check happens in generic-right space,
 * so GENERIC_ALL stands for read, write and execute together and the three generic bits map to
 * themselves. (Windows' actual GENERIC_MAPPING inside WinRM is not documented.)
 */
export const WINRM_GENERIC_MAPPING = {
  GenericRead: GENERIC_READ,
  GenericWrite: GENERIC_WRITE,
  GenericExecute: GENERIC_EXECUTE,
  GenericAll: (GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE) >>> 0,
} as const;

/** MapGenericMask with WINRM_GENERIC_MAPPING: GA becomes GR|GW|GX; other bits pass through. */
export function mapGenericMask(mask: number): number {
  let m = mask >>> 0;
  if ((m & GENERIC_ALL) !== 0) m = ((m & ~GENERIC_ALL) | WINRM_GENERIC_MAPPING.GenericAll) >>> 0;
  return m;
}

/** Two-letter rights codes (sddl.h), in ConvertSecurityDescriptorToStringSecurityDescriptor's table order. */
export const RIGHTS: Readonly<Record<string, number>> = {
  GA: GENERIC_ALL, GR: GENERIC_READ, GW: GENERIC_WRITE, GX: GENERIC_EXECUTE,
  RC: READ_CONTROL, SD: DELETE, WD: WRITE_DAC, WO: WRITE_OWNER,
  RP: 0x10, WP: 0x20, CC: 0x1, DC: 0x2, LC: 0x4, SW: 0x8, LO: 0x80, DT: 0x40, CR: 0x100,
  FA: 0x1f01ff, FR: 0x120089, FW: 0x120116, FX: 0x1200a0,
  KA: 0xf003f, KR: 0x20019, KW: 0x20006, KX: 0x20019,
  // Mandatory label policies (meaningful in ML ACEs only; they share bits with CC/DC/LC).
  NW: MANDATORY_LABEL_NO_WRITE_UP, NR: MANDATORY_LABEL_NO_READ_UP, NX: MANDATORY_LABEL_NO_EXECUTE_UP,
};

/** Names for single bits, used when a mask is not exactly one named right. Index = bit number. */
const RIGHT_BIT_NAMES: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = new Array<string | undefined>(32).fill(undefined);
  const bits: Array<[number, string]> = [
    [0, 'CC'], [1, 'DC'], [2, 'LC'], [3, 'SW'], [4, 'RP'], [5, 'WP'], [6, 'DT'], [7, 'LO'], [8, 'CR'],
    [16, 'SD'], [17, 'RC'], [18, 'WD'], [19, 'WO'], [28, 'GA'], [29, 'GX'], [30, 'GW'], [31, 'GR'],
  ];
  for (const [bit, name] of bits) names[bit] = name;
  return names;
})();
const EXACT_RIGHT_ORDER = ['GA', 'GR', 'GW', 'GX', 'RC', 'SD', 'WD', 'WO', 'RP', 'WP', 'CC', 'DC', 'LC', 'SW', 'LO', 'DT', 'CR', 'FA', 'FR', 'FW', 'FX', 'KA', 'KR', 'KW', 'KX'] as const;
const LABEL_BIT_NAMES: readonly (string | undefined)[] = ['NW', 'NR', 'NX'];

// ---------------------------------------------------------------------------------------------
// The model

export type AceType = 'A' | 'D' | 'OA' | 'OD' | 'AU' | 'AL' | 'OU' | 'OL' | 'ML' | 'XA' | 'XD' | 'XU' | 'ZA' | 'RA' | 'SP' | 'TL';
const ACE_TYPES: ReadonlySet<string> = new Set<AceType>(['A', 'D', 'OA', 'OD', 'AU', 'AL', 'OU', 'OL', 'ML', 'XA', 'XD', 'XU', 'ZA', 'RA', 'SP', 'TL']);
/** Types whose ACE string carries a 7th field (a condition or a resource attribute). */
const ACE_TYPES_WITH_EXTRA: ReadonlySet<string> = new Set<AceType>(['XA', 'XD', 'XU', 'ZA', 'RA']);

export const OBJECT_INHERIT_ACE = 0x01;
export const CONTAINER_INHERIT_ACE = 0x02;
export const NO_PROPAGATE_INHERIT_ACE = 0x04;
export const INHERIT_ONLY_ACE = 0x08;
export const INHERITED_ACE = 0x10;
export const SUCCESSFUL_ACCESS_ACE_FLAG = 0x40;
export const FAILED_ACCESS_ACE_FLAG = 0x80;

/** ACE flag codes in the order Windows prints them. */
const ACE_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['OI', OBJECT_INHERIT_ACE], ['CI', CONTAINER_INHERIT_ACE], ['NP', NO_PROPAGATE_INHERIT_ACE],
  ['IO', INHERIT_ONLY_ACE], ['ID', INHERITED_ACE], ['SA', SUCCESSFUL_ACCESS_ACE_FLAG], ['FA', FAILED_ACCESS_ACE_FLAG],
];

export interface Ace {
  readonly type: AceType;
  /** ACE header flags, a combination of the *_ACE / *_ACE_FLAG constants. */
  readonly flags: number;
  /** Access mask as an unsigned 32-bit number, as written (generic bits not mapped). */
  readonly mask: number;
  /** Lower-case GUID, or null when the field is empty. */
  readonly objectGuid: string | null;
  readonly inheritObjectGuid: string | null;
  /** Trustee in canonical `S-1-…` form (aliases resolved). */
  readonly sid: string;
  /** The 7th field of conditional and resource-attribute ACEs, verbatim; otherwise null. */
  readonly extra: string | null;
}

export interface Acl {
  /** `P`: SE_DACL_PROTECTED / SE_SACL_PROTECTED. */
  readonly protected: boolean;
  /** `AR`: SE_DACL_AUTO_INHERIT_REQ / SE_SACL_AUTO_INHERIT_REQ. */
  readonly autoInheritReq: boolean;
  /** `AI`: SE_DACL_AUTO_INHERITED / SE_SACL_AUTO_INHERITED. */
  readonly autoInherited: boolean;
  /** `NO_ACCESS_CONTROL`: a null ACL (for a DACL: everyone gets everything). */
  readonly nullAcl: boolean;
  readonly aces: readonly Ace[];
}

export interface SecurityDescriptor {
  readonly owner: string | null;
  readonly group: string | null;
  /** null when the string has no `D:` part: no DACL present, which grants everyone everything. */
  readonly dacl: Acl | null;
  readonly sacl: Acl | null;
}

export interface ParseSddlOptions {
  /** Resolves the LA / LG aliases (local Administrator and Guest) against this machine SID. */
  readonly machineSid?: string;
  /** Resolves the domain aliases (DA, DU, EA…) against this domain SID (domain-joined hosts). */
  readonly domainSid?: string;
}

/** A malformed SDDL string. `offset` is the 0-based index in the input where the problem is. */
export class SddlError extends Error {
  override readonly name = 'SddlError';
  constructor(
    readonly sddl: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`SDDL error at offset ${offset}: ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

const SECTION_LETTERS = new Set(['O', 'G', 'D', 'S']);
const LITERAL_SID_AT = /[Ss]-\d+-(?:0[xX][0-9A-Fa-f]+|\d+)(?:-\d+)*/y;
const GUID_RE = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** Parse an SDDL string. Throws SddlError naming the offset and what was expected. */
export function parseSddl(sddl: string, options: ParseSddlOptions = {}): SecurityDescriptor {
  return new Parser(sddl, options).parse();
}

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly options: ParseSddlOptions,
  ) {}

  parse(): SecurityDescriptor {
    let owner: string | null = null;
    let group: string | null = null;
    let dacl: Acl | null = null;
    let sacl: Acl | null = null;
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail(0, "expected at least one of 'O:', 'G:', 'D:' or 'S:' but the string is empty");
    while (this.pos < this.text.length) {
      const start = this.pos;
      const letter = this.text[start] ?? '';
      if (!this.atSectionStart()) {
        this.fail(start, `expected 'O:', 'G:', 'D:' or 'S:' but found '${this.snippet(start)}'`);
      }
      if (seen.has(letter)) this.fail(start, `'${letter}:' appears twice`);
      seen.add(letter);
      this.pos += 2;
      switch (letter) {
        case 'O':
          owner = this.parseHeaderSid('O');
          break;
        case 'G':
          group = this.parseHeaderSid('G');
          break;
        case 'D':
          dacl = this.parseAcl('D');
          break;
        default:
          sacl = this.parseAcl('S');
      }
      this.skipWhitespace();
    }
    return { owner, group, dacl, sacl };
  }

  private atSectionStart(at = this.pos): boolean {
    return SECTION_LETTERS.has(this.text[at] ?? '') && this.text[at + 1] === ':';
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private snippet(at: number, length = 12): string {
    const s = this.text.slice(at, at + length);
    return at + length < this.text.length ? `${s}…` : s;
  }

  private fail(offset: number, detail: string): never {
    throw new SddlError(this.text, offset, detail);
  }

  /** The SID after `O:` or `G:`: a literal `S-…` (longest match) or a two-letter alias. */
  private parseHeaderSid(section: 'O' | 'G'): string {
    const start = this.pos;
    if (start >= this.text.length || this.atSectionStart(start) || /\s/.test(this.text[start] ?? '')) {
      this.fail(start, `expected a SID (an alias such as BA or a literal S-1-…) after '${section}:'`);
    }
    LITERAL_SID_AT.lastIndex = start;
    const literal = LITERAL_SID_AT.exec(this.text);
    const token = literal !== null ? literal[0] : this.text.slice(start, start + 2);
    this.pos = start + token.length;
    return this.resolveSid(token, start, null);
  }

  private resolveSid(token: string, offset: number, aceText: string | null): string {
    const where = aceText === null ? '' : ` in ACE '${aceText}'`;
    if (token.length === 0) this.fail(offset, `expected a SID${where}`);
    if (/^[Ss]-/.test(token)) {
      const sid = canonicalSid(token);
      if (sid === undefined) this.fail(offset, `malformed SID '${token}'${where}`);
      return sid;
    }
    const wellKnown = sidFromAlias(token);
    if (wellKnown !== undefined) return wellKnown;
    const rid = DOMAIN_RELATIVE_ALIASES[token];
    if (rid !== undefined) {
      if ((token === 'LA' || token === 'LG') && this.options.machineSid !== undefined) return `${this.options.machineSid}-${rid}`;
      if (token === 'LA' || token === 'LG') this.fail(offset, `alias '${token}' is relative to the machine SID, which was not given${where}`);
      if (this.options.domainSid !== undefined) return `${this.options.domainSid}-${rid}`;
      this.fail(offset, `alias '${token}' names a domain account, and the emulated host is not in a domain${where}`);
    }
    this.fail(offset, `unknown SID alias '${token}'${where}`);
  }

  private parseAcl(section: 'D' | 'S'): Acl {
    let isProtected = false;
    let autoInheritReq = false;
    let autoInherited = false;
    let nullAcl = false;
    // Flags: any of P, AI, AR, NO_ACCESS_CONTROL, before the first ACE.
    for (;;) {
      const at = this.pos;
      if (at >= this.text.length || this.text[at] === '(' || this.atSectionStart(at) || /\s/.test(this.text[at] ?? '')) break;
      if (this.text.startsWith('NO_ACCESS_CONTROL', at)) {
        nullAcl = true;
        this.pos += 'NO_ACCESS_CONTROL'.length;
      } else if (this.text.startsWith('AI', at)) {
        autoInherited = true;
        this.pos += 2;
      } else if (this.text.startsWith('AR', at)) {
        autoInheritReq = true;
        this.pos += 2;
      } else if (this.text[at] === 'P') {
        isProtected = true;
        this.pos += 1;
      } else {
        this.fail(at, `expected an ACL flag (P, AI, AR, NO_ACCESS_CONTROL) or '(' after '${section}:' but found '${this.snippet(at)}'`);
      }
    }
    const aces: Ace[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '(') break;
      const aceStart = this.pos;
      aces.push(this.parseAce());
      if (nullAcl) this.fail(aceStart, `an ACL marked NO_ACCESS_CONTROL cannot hold ACEs, but '${section}:' has one`);
    }
    return { protected: isProtected, autoInheritReq, autoInherited, nullAcl, aces };
  }

  /** One `(type;flags;rights;object_guid;inherit_object_guid;sid[;extra])`, at this.pos. */
  private parseAce(): Ace {
    const start = this.pos;
    // Find the closing parenthesis; conditional expressions nest parentheses and quote strings.
    let depth = 0;
    let inQuote = false;
    let end = -1;
    const fieldStarts = [start + 1];
    for (let i = start + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (inQuote) {
        if (c === '"') inQuote = false;
        continue;
      }
      if (c === '"') inQuote = true;
      else if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) {
          end = i;
          break;
        }
        depth--;
      } else if (c === ';' && depth === 0) fieldStarts.push(i + 1);
    }
    if (end < 0) this.fail(start, `unterminated ACE: no ')' closes '${this.snippet(start, 40)}'`);
    const aceText = this.text.slice(start, end + 1);
    const fields = fieldStarts.map((fs, k) => ({ at: fs, text: this.text.slice(fs, (fieldStarts[k + 1] ?? end + 1) - 1) }));
    if (fields.length < 6) {
      this.fail(end, `expected 6 fields (type;flags;rights;object_guid;inherit_object_guid;account_sid) in ACE '${aceText}' but found ${fields.length}`);
    }
    if (fields.length > 7) {
      const extra = fields[7];
      this.fail(extra?.at ?? end, `too many fields in ACE '${aceText}': at most 7 are allowed`);
    }
    const f = (k: number): { at: number; text: string } => fields[k] ?? { at: end, text: '' };

    const typeText = f(0).text;
    if (!ACE_TYPES.has(typeText)) {
      this.fail(f(0).at, `unknown ACE type '${typeText}' in ACE '${aceText}' (expected one of ${[...ACE_TYPES].join(', ')})`);
    }
    const type = typeText as AceType;

    const flagsField = f(1);
    let flags = 0;
    for (let i = 0; i < flagsField.text.length; i += 2) {
      const code = flagsField.text.slice(i, i + 2);
      const entry = ACE_FLAGS.find(([name]) => name === code);
      if (entry === undefined) this.fail(flagsField.at + i, `unknown ACE flag '${code}' in ACE '${aceText}' (expected OI, CI, NP, IO, ID, SA or FA)`);
      flags |= entry[1];
    }

    const mask = this.parseRights(f(2), aceText);
    const objectGuid = this.parseGuid(f(3), aceText);
    const inheritObjectGuid = this.parseGuid(f(4), aceText);
    const sidField = f(5);
    const sid = this.resolveSid(sidField.text, sidField.at, aceText);

    let extra: string | null = null;
    const extraField = fields[6];
    if (extraField !== undefined) {
      if (!ACE_TYPES_WITH_EXTRA.has(type)) {
        this.fail(extraField.at - 1, `ACE type '${type}' takes 6 fields, but ACE '${aceText}' has a 7th (only XA, XD, XU, ZA and RA carry one)`);
      }
      extra = extraField.text;
    }
    this.pos = end + 1;
    return { type, flags, mask, objectGuid, inheritObjectGuid, sid, extra };
  }

  private parseRights(field: { at: number; text: string }, aceText: string): number {
    const t = field.text;
    if (t.length === 0) return 0;
    if (/^0[xX]/.test(t)) {
      if (!/^0[xX][0-9A-Fa-f]{1,8}$/.test(t)) this.fail(field.at, `malformed hex rights '${t}' in ACE '${aceText}' (expected 0x and 1 to 8 hex digits)`);
      return Number.parseInt(t.slice(2), 16) >>> 0;
    }
    if (/^\d+$/.test(t)) {
      const v = Number(t);
      if (v > 0xffffffff) this.fail(field.at, `rights '${t}' in ACE '${aceText}' do not fit in 32 bits`);
      return v >>> 0;
    }
    let mask = 0;
    for (let i = 0; i < t.length; i += 2) {
      const code = t.slice(i, i + 2);
      const value = RIGHTS[code];
      if (value === undefined) this.fail(field.at + i, `unknown right '${code}' in ACE '${aceText}'`);
      mask = (mask | value) >>> 0;
    }
    return mask;
  }

  private parseGuid(field: { at: number; text: string }, aceText: string): string | null {
    if (field.text.length === 0) return null;
    if (!GUID_RE.test(field.text)) this.fail(field.at, `malformed GUID '${field.text}' in ACE '${aceText}' (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
    return field.text.toLowerCase();
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** A SID as SDDL prints it: its alias when it has one, else the literal string. */
export function formatSid(sid: string): string {
  return aliasForSid(sid) ?? sid;
}

/** A rights mask as SDDL prints it. ML ACEs use the NW/NR/NX names. */
export function formatRights(mask: number, type: AceType = 'A'): string {
  const m = mask >>> 0;
  if (m === 0) return '';
  const bitNames = type === 'ML' ? LABEL_BIT_NAMES : RIGHT_BIT_NAMES;
  if (type !== 'ML') {
    for (const name of EXACT_RIGHT_ORDER) if (RIGHTS[name] === m) return name;
  }
  let out = '';
  for (let bit = 0; bit < 32; bit++) {
    if ((m & (1 << bit)) === 0) continue;
    const name = bitNames[bit];
    if (name === undefined) return `0x${m.toString(16)}`;
    out += name;
  }
  return out;
}

function formatAceFlags(flags: number): string {
  let out = '';
  for (const [name, bit] of ACE_FLAGS) if ((flags & bit) !== 0) out += name;
  return out;
}

export function formatAce(ace: Ace): string {
  const fields = [
    ace.type,
    formatAceFlags(ace.flags),
    formatRights(ace.mask, ace.type),
    ace.objectGuid ?? '',
    ace.inheritObjectGuid ?? '',
    formatSid(ace.sid),
  ];
  if (ace.extra !== null) fields.push(ace.extra);
  return `(${fields.join(';')})`;
}

function formatAcl(acl: Acl): string {
  let out = '';
  if (acl.protected) out += 'P';
  if (acl.autoInheritReq) out += 'AR';
  if (acl.autoInherited) out += 'AI';
  if (acl.nullAcl) out += 'NO_ACCESS_CONTROL';
  for (const ace of acl.aces) out += formatAce(ace);
  return out;
}

/** Canonical SDDL text; `parseSddl(formatSddl(sd))` equals `sd`. */
export function formatSddl(sd: SecurityDescriptor): string {
  let out = '';
  if (sd.owner !== null) out += `O:${formatSid(sd.owner)}`;
  if (sd.group !== null) out += `G:${formatSid(sd.group)}`;
  if (sd.dacl !== null) out += `D:${formatAcl(sd.dacl)}`;
  if (sd.sacl !== null) out += `S:${formatAcl(sd.sacl)}`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Access check

export interface AccessCheckResult {
  readonly granted: boolean;
  /** The rights granted (generic-mapped). 0 when access is denied, as AccessCheck reports. */
  readonly grantedMask: number;
  /** A sentence for the log explaining the decision. */
  readonly reason: string;
}

const INTEGRITY_LEVEL: Record<AccessToken['integrity'], number> = { Medium: 0x2000, High: 0x3000 };
const LABEL_LEVELS: Readonly<Record<string, number>> = {
  [SID.UntrustedMandatoryLevel]: 0,
  [SID.LowMandatoryLevel]: 0x1000,
  [SID.MediumMandatoryLevel]: 0x2000,
  [SID.MediumPlusMandatoryLevel]: 0x2100,
  [SID.HighMandatoryLevel]: 0x3000,
  [SID.SystemMandatoryLevel]: 0x4000,
};
const ALL_RIGHTS_FOR_MAXIMUM = (WINRM_GENERIC_MAPPING.GenericAll | DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER) >>> 0;

/**
 * Windows' AccessCheck over `sd` for `token`, in WinRM's generic-right space:
 * 1. mandatory integrity (an ML ACE in the SACL; no label = Medium, no-write-up),
 * 2. a missing or NO_ACCESS_CONTROL DACL grants everything; an empty one grants nothing,
 * 3. the owner gets READ_CONTROL and WRITE_DAC implicitly unless the DACL has an OWNER RIGHTS ACE,
 * 4. the DACL in order: inherit-only ACEs and types other than A / D are skipped; an Allow ACE
 *    applies when its SID is the user or an enabled group, a Deny ACE also when it is a
 *    deny-only group; a Deny ACE naming any still-undecided desired right denies; Allow ACEs
 *    accumulate until every desired right is granted.
 * MAXIMUM_ALLOWED in `desired` computes every right the DACL grants instead.
 */
export function accessCheck(sd: SecurityDescriptor, token: AccessToken, desired: number): AccessCheckResult {
  const maximumAllowed = (desired & MAXIMUM_ALLOWED) !== 0;
  const want = mapGenericMask(desired & ~MAXIMUM_ALLOWED);
  if (want === 0 && !maximumAllowed) return { granted: false, grantedMask: 0, reason: 'no access right was requested (desired mask 0)' };

  const enabled = new Set<string>([token.userSid]);
  const denyMatches = new Set<string>([token.userSid]);
  for (const g of token.groups) {
    if (g.type === 'Label') continue;
    if (g.attributes.denyOnly) denyMatches.add(g.sid);
    else if (g.attributes.enabled) {
      enabled.add(g.sid);
      denyMatches.add(g.sid);
    }
  }
  const nameOf = (sid: string): string =>
    sid === token.userSid ? token.userName : (token.groups.find((g) => g.sid === sid)?.name ?? wellKnownSidName(sid) ?? sid);

  // 1. Mandatory integrity.
  const label = sd.sacl?.nullAcl === false ? sd.sacl.aces.find((a) => a.type === 'ML' && (a.flags & INHERIT_ONLY_ACE) === 0) : undefined;
  const objectLevel = label === undefined ? INTEGRITY_LEVEL.Medium : (LABEL_LEVELS[label.sid] ?? INTEGRITY_LEVEL.Medium);
  const policy = label === undefined ? MANDATORY_LABEL_NO_WRITE_UP : label.mask;
  let blocked = 0;
  if (INTEGRITY_LEVEL[token.integrity] < objectLevel) {
    if ((policy & MANDATORY_LABEL_NO_WRITE_UP) !== 0) blocked |= GENERIC_WRITE | DELETE | WRITE_DAC | WRITE_OWNER;
    if ((policy & MANDATORY_LABEL_NO_READ_UP) !== 0) blocked |= GENERIC_READ;
    if ((policy & MANDATORY_LABEL_NO_EXECUTE_UP) !== 0) blocked |= GENERIC_EXECUTE;
    blocked >>>= 0;
    if (!maximumAllowed && (want & blocked) !== 0) {
      const labelName = wellKnownSidName(label?.sid ?? SID.MediumMandatoryLevel) ?? 'the object label';
      return {
        granted: false,
        grantedMask: 0,
        reason: `mandatory integrity check: the caller runs at ${token.integrity} integrity, below the object's ${labelName}, whose policy blocks ${formatRights(want & blocked)}`,
      };
    }
  }

  // 2. Null and empty DACLs.
  const dacl = sd.dacl;
  if (dacl === null || dacl.nullAcl) {
    const grantedMask = (maximumAllowed ? (ALL_RIGHTS_FOR_MAXIMUM | want) & ~blocked : want) >>> 0;
    const what = dacl === null ? 'has no DACL' : 'has a null DACL (NO_ACCESS_CONTROL)';
    return { granted: true, grantedMask, reason: `the security descriptor ${what}, which grants everyone full access` };
  }

  // 3. Owner's implicit rights.
  const isOwner = sd.owner !== null && enabled.has(sd.owner);
  const live = dacl.aces.filter((a) => (a.flags & INHERIT_ONLY_ACE) === 0 && (a.type === 'A' || a.type === 'D'));
  const hasOwnerRightsAce = live.some((a) => a.sid === SID.OwnerRights);
  const implicit = isOwner && !hasOwnerRightsAce ? (READ_CONTROL | WRITE_DAC) >>> 0 : 0;
  const matches = (ace: Ace): boolean => {
    if (ace.sid === SID.OwnerRights) return isOwner;
    return ace.type === 'A' ? enabled.has(ace.sid) : denyMatches.has(ace.sid);
  };

  if (dacl.aces.length === 0 && implicit === 0) {
    return { granted: false, grantedMask: 0, reason: `the DACL is empty, so it grants ${formatRights(want) || 'nothing'} to no one` };
  }

  // 4a. MAXIMUM_ALLOWED: collect everything the DACL grants.
  if (maximumAllowed) {
    let allowed = implicit;
    let denied = 0;
    for (const ace of live) {
      if (!matches(ace)) continue;
      const m = mapGenericMask(ace.mask);
      if (ace.type === 'A') allowed = (allowed | (m & ~denied)) >>> 0;
      else denied = (denied | (m & ~allowed)) >>> 0;
    }
    allowed = (allowed & ~blocked) >>> 0;
    const missing = (want & ~allowed) >>> 0;
    if (allowed === 0 || missing !== 0) {
      return {
        granted: false,
        grantedMask: 0,
        reason: allowed === 0 ? `no ACE in the DACL grants any right to ${callerList(token)}` : `the DACL grants ${formatRights(allowed)} but not ${formatRights(missing)} to ${callerList(token)}`,
      };
    }
    return { granted: true, grantedMask: allowed, reason: `maximum allowed access for ${token.userName} is ${formatRights(allowed)}` };
  }

  // 4b. The ordinary walk.
  let remaining = (want & ~implicit) >>> 0;
  let granted = (want & implicit) >>> 0;
  const grantedBy: string[] = implicit & want ? [`owner's implicit ${formatRights(want & implicit)}`] : [];
  for (const ace of live) {
    if (remaining === 0) break;
    if (!matches(ace)) continue;
    const m = mapGenericMask(ace.mask);
    if (ace.type === 'D') {
      const hit = (m & remaining) >>> 0;
      if (hit !== 0) {
        const deniedTo = ace.sid === SID.OwnerRights ? `the owner (${token.userName})` : nameOf(ace.sid);
        const viaDenyOnly = token.groups.some((g) => g.sid === ace.sid && g.attributes.denyOnly) ? ' (a deny-only group in this token)' : '';
        return { granted: false, grantedMask: 0, reason: `${formatAce(ace)} denies ${formatRights(hit)} to ${deniedTo}${viaDenyOnly}, which the caller's token contains` };
      }
      continue;
    }
    const hit = (m & remaining) >>> 0;
    if (hit !== 0) {
      granted = (granted | hit) >>> 0;
      remaining = (remaining & ~hit) >>> 0;
      grantedBy.push(`${formatAce(ace)} for ${ace.sid === SID.OwnerRights ? 'the owner' : nameOf(ace.sid)}`);
    }
  }
  if (remaining === 0) {
    return { granted: true, grantedMask: granted, reason: `${formatRights(want)} granted by ${grantedBy.join(', ')}` };
  }

  let reason = `no ACE in the DACL grants ${formatRights(remaining)} to any of the caller's groups (${callerList(token)})`;
  if (granted !== 0) reason += `; only ${formatRights(granted)} was granted`;
  const sidelined = token.groups.filter((g) => g.attributes.denyOnly && live.some((a) => a.type === 'A' && a.sid === g.sid && (mapGenericMask(a.mask) & remaining) !== 0));
  if (sidelined.length > 0) {
    const names = sidelined.map((g) => g.name).join(', ');
    reason += `; ${names} ${sidelined.length === 1 ? 'is' : 'are'} deny-only in this token${token.filtered ? ' (UAC remote restrictions filtered it: LocalAccountTokenFilterPolicy is off)' : ''}, so Allow ACEs for ${sidelined.length === 1 ? 'it' : 'them'} do not apply`;
  }
  if (live.some((a) => a.type === 'A' && a.sid === SID.Interactive) && !enabled.has(SID.Interactive)) {
    reason += '; NT AUTHORITY\\INTERACTIVE never matches a network logon';
  }
  return { granted: false, grantedMask: 0, reason };
}

/** The caller's user and enabled groups, for log sentences. */
function callerList(token: AccessToken): string {
  const names = [token.userName, ...token.groups.filter((g) => g.type !== 'Label' && g.attributes.enabled && !g.attributes.denyOnly).map((g) => g.name)];
  return names.join(', ');
}
