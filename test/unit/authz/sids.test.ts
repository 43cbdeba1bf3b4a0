import { describe, it, expect } from 'vitest';
import {
  SID,
  aliasForSid,
  canonicalSid,
  lookupLocalGroup,
  lookupWellKnownSid,
  machineSidFor,
  sidFromAlias,
  wellKnownSidName,
} from '../../../src/authz/sids.js';

describe('well-known SIDs', () => {
  it('resolve SDDL aliases to the SIDs sddl.h defines', () => {
    expect(sidFromAlias('WD')).toBe('S-1-1-0');
    expect(sidFromAlias('AU')).toBe('S-1-5-11');
    expect(sidFromAlias('NU')).toBe('S-1-5-2');
    expect(sidFromAlias('IU')).toBe('S-1-5-4');
    expect(sidFromAlias('NS')).toBe('S-1-5-20');
    expect(sidFromAlias('SY')).toBe('S-1-5-18');
    expect(sidFromAlias('LS')).toBe('S-1-5-19');
    expect(sidFromAlias('AN')).toBe('S-1-5-7');
    expect(sidFromAlias('BA')).toBe('S-1-5-32-544');
    expect(sidFromAlias('BU')).toBe('S-1-5-32-545');
    expect(sidFromAlias('BG')).toBe('S-1-5-32-546');
    expect(sidFromAlias('PU')).toBe('S-1-5-32-547');
    expect(sidFromAlias('BO')).toBe('S-1-5-32-551');
    expect(sidFromAlias('RD')).toBe('S-1-5-32-555');
    expect(sidFromAlias('RM')).toBe('S-1-5-32-580');
    expect(sidFromAlias('ER')).toBe('S-1-5-32-573');
    expect(sidFromAlias('MU')).toBe('S-1-5-32-558');
    expect(sidFromAlias('CO')).toBe('S-1-3-0');
    expect(sidFromAlias('CG')).toBe('S-1-3-1');
    expect(sidFromAlias('OW')).toBe('S-1-3-4');
    expect(sidFromAlias('HI')).toBe('S-1-16-12288');
    expect(sidFromAlias('ME')).toBe('S-1-16-8192');
  });

  it('CD is Certificate Service DCOM Access, and Distributed COM Users has no alias', () => {
    expect(sidFromAlias('CD')).toBe('S-1-5-32-574');
    expect(aliasForSid(SID.DistributedComUsers)).toBeUndefined();
    expect(wellKnownSidName('S-1-5-32-562')).toBe('BUILTIN\\Distributed COM Users');
  });

  it('print the names Windows prints in whoami /groups', () => {
    expect(wellKnownSidName('S-1-1-0')).toBe('Everyone');
    expect(wellKnownSidName('S-1-5-11')).toBe('NT AUTHORITY\\Authenticated Users');
    expect(wellKnownSidName('S-1-5-2')).toBe('NT AUTHORITY\\NETWORK');
    expect(wellKnownSidName('S-1-5-4')).toBe('NT AUTHORITY\\INTERACTIVE');
    expect(wellKnownSidName('S-1-5-15')).toBe('NT AUTHORITY\\This Organization');
    expect(wellKnownSidName('S-1-5-113')).toBe('NT AUTHORITY\\Local account');
    expect(wellKnownSidName('S-1-5-114')).toBe('NT AUTHORITY\\Local account and member of Administrators group');
    expect(wellKnownSidName('S-1-5-64-10')).toBe('NT AUTHORITY\\NTLM Authentication');
    expect(wellKnownSidName('S-1-2-0')).toBe('LOCAL');
    expect(wellKnownSidName('S-1-5-32-544')).toBe('BUILTIN\\Administrators');
    expect(wellKnownSidName('S-1-5-32-545')).toBe('BUILTIN\\Users');
    expect(wellKnownSidName('S-1-5-32-580')).toBe('BUILTIN\\Remote Management Users');
    expect(wellKnownSidName('S-1-5-32-573')).toBe('BUILTIN\\Event Log Readers');
    expect(wellKnownSidName('S-1-16-12288')).toBe('Mandatory Label\\High Mandatory Level');
    expect(wellKnownSidName('S-1-16-8192')).toBe('Mandatory Label\\Medium Mandatory Level');
  });

  it('carry the whoami Type column: Well-known group, Alias, Label', () => {
    expect(lookupWellKnownSid('S-1-1-0')?.type).toBe('Well-known group');
    expect(lookupWellKnownSid('S-1-5-32-580')?.type).toBe('Alias');
    expect(lookupWellKnownSid('S-1-16-12288')?.type).toBe('Label');
  });
});

describe('lookupLocalGroup', () => {
  it('finds local groups case-insensitively and returns the canonical spelling', () => {
    expect(lookupLocalGroup('remote management users')).toEqual({ name: 'Remote Management Users', sid: 'S-1-5-32-580' });
    expect(lookupLocalGroup('ADMINISTRATORS')?.name).toBe('Administrators');
    expect(lookupLocalGroup('BUILTIN\\Event Log Readers')?.sid).toBe('S-1-5-32-573');
    expect(lookupLocalGroup('distributed com users')?.sid).toBe('S-1-5-32-562');
    expect(lookupLocalGroup('Performance Monitor Users')?.sid).toBe('S-1-5-32-558');
  });

  it('returns undefined for a group the host does not have', () => {
    expect(lookupLocalGroup('Domain Admins')).toBeUndefined();
  });
});

describe('machineSidFor', () => {
  it('is deterministic and ignores the case of the computer name', () => {
    expect(machineSidFor('WEB01')).toBe(machineSidFor('WEB01'));
    expect(machineSidFor('web01')).toBe(machineSidFor('WEB01'));
  });

  it('has the S-1-5-21-a-b-c shape with 32-bit unsigned parts', () => {
    const m = /^S-1-5-21-(\d+)-(\d+)-(\d+)$/.exec(machineSidFor('WIN-LAB'));
    expect(m).not.toBeNull();
    for (const part of m!.slice(1)) expect(Number(part)).toBeLessThanOrEqual(0xffffffff);
  });

  it('differs per computer name', () => {
    const names = ['WEB01', 'WEB02', 'DC01', 'WIN-LAB', 'A', 'B'];
    expect(new Set(names.map(machineSidFor)).size).toBe(names.length);
  });
});

describe('canonicalSid', () => {
  it('normalises literal SIDs and rejects malformed ones', () => {
    expect(canonicalSid('S-1-5-32-544')).toBe('S-1-5-32-544');
    expect(canonicalSid('s-1-5-0032-544')).toBe('S-1-5-32-544');
    expect(canonicalSid('S-1-0x5-18')).toBe('S-1-5-18');
    expect(canonicalSid('S-1-5-4294967296')).toBeUndefined();
    expect(canonicalSid('S-2-5-18')).toBeUndefined();
    expect(canonicalSid('S-1-5-')).toBeUndefined();
  });
});
