import { describe, it, expect } from 'vitest';
import {
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  INHERIT_ONLY_ACE,
  MAXIMUM_ALLOWED,
  READ_CONTROL,
  SddlError,
  accessCheck,
  formatRights,
  formatSddl,
  mapGenericMask,
  parseSddl,
} from '../../../src/authz/sddl.js';
import { buildNetworkLogonToken, type AccessToken } from '../../../src/authz/token.js';
import { machineSidFor } from '../../../src/authz/sids.js';

const ROOT_SDDL = 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)';
const PS_SDDL = 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GA;;;RM)(A;;GA;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)';

function tokenFor(groups: string[], rid = 1001): AccessToken {
  return buildNetworkLogonToken({
    computerName: 'WIN-LAB',
    machineSid: machineSidFor('WIN-LAB'),
    user: { name: 'alice', rid, groups },
    authPackage: 'NTLM',
    policy: { LocalAccountTokenFilterPolicy: false, FilterAdministratorToken: false },
  });
}

function errorOf(sddl: string): SddlError {
  try {
    parseSddl(sddl);
  } catch (err) {
    if (err instanceof SddlError) return err;
    throw err;
  }
  throw new Error(`expected ${sddl} to be rejected`);
}

describe('parseSddl', () => {
  it("parses Windows' default RootSDDL into owner, group, protected DACL and SACL", () => {
    const sd = parseSddl(ROOT_SDDL);
    expect(sd.owner).toBe('S-1-5-20');
    expect(sd.group).toBe('S-1-5-32-544');
    expect(sd.dacl?.protected).toBe(true);
    expect(sd.dacl?.aces).toEqual([
      { type: 'A', flags: 0, mask: GENERIC_ALL, objectGuid: null, inheritObjectGuid: null, sid: 'S-1-5-32-544', extra: null },
      { type: 'A', flags: 0, mask: GENERIC_READ, objectGuid: null, inheritObjectGuid: null, sid: 'S-1-5-4', extra: null },
    ]);
    expect(sd.sacl?.protected).toBe(true);
    expect(sd.sacl?.aces.map((a) => [a.type, a.flags, a.mask, a.sid])).toEqual([
      ['AU', 0x80, GENERIC_ALL, 'S-1-1-0'],
      ['AU', 0x40, (GENERIC_EXECUTE | GENERIC_WRITE) >>> 0, 'S-1-1-0'],
    ]);
  });

  it('parses the PowerShell endpoint SDDL with its Remote Management Users ACE', () => {
    const sd = parseSddl(PS_SDDL);
    expect(sd.dacl?.aces.map((a) => a.sid)).toEqual(['S-1-5-32-544', 'S-1-5-32-580', 'S-1-5-4']);
  });

  it('accepts literal SIDs in place of aliases', () => {
    const sd = parseSddl('O:S-1-5-20G:S-1-5-32-544D:(A;;GA;;;S-1-5-32-580)');
    expect(sd.owner).toBe('S-1-5-20');
    expect(sd.group).toBe('S-1-5-32-544');
    expect(sd.dacl?.aces[0]?.sid).toBe('S-1-5-32-580');
  });

  it('reads hex and decimal rights masks', () => {
    const sd = parseSddl('D:(A;;0x1F01FF;;;BA)(A;;268435456;;;BU)');
    expect(sd.dacl?.aces[0]?.mask).toBe(0x1f01ff);
    expect(sd.dacl?.aces[1]?.mask).toBe(GENERIC_ALL);
  });

  it('reads ACE flags, object GUIDs and DACL flags', () => {
    const sd = parseSddl('D:PAIAR(OA;CIIO;RPWP;bf967a7f-0de6-11d0-a285-00aa003049e2;BF967ABA-0DE6-11D0-A285-00AA003049E2;AU)');
    expect(sd.dacl).toMatchObject({ protected: true, autoInherited: true, autoInheritReq: true, nullAcl: false });
    const ace = sd.dacl?.aces[0];
    expect(ace?.type).toBe('OA');
    expect(ace?.flags).toBe(0x02 | INHERIT_ONLY_ACE);
    expect(ace?.mask).toBe(0x30);
    expect(ace?.objectGuid).toBe('bf967a7f-0de6-11d0-a285-00aa003049e2');
    expect(ace?.inheritObjectGuid).toBe('bf967aba-0de6-11d0-a285-00aa003049e2');
  });

  it('keeps the condition of a conditional ACE verbatim, parentheses and all', () => {
    const sd = parseSddl('D:(XA;;FX;;;AU;(@User.Title == "PM" && (@User.Dept == "Sales")))');
    expect(sd.dacl?.aces[0]?.extra).toBe('(@User.Title == "PM" && (@User.Dept == "Sales"))');
  });

  it('distinguishes a null DACL (NO_ACCESS_CONTROL), an empty DACL and no DACL at all', () => {
    expect(parseSddl('D:NO_ACCESS_CONTROL').dacl).toMatchObject({ nullAcl: true, aces: [] });
    expect(parseSddl('D:').dacl).toMatchObject({ nullAcl: false, aces: [] });
    expect(parseSddl('O:BA').dacl).toBeNull();
  });

  it('resolves LA against the machine SID when one is given', () => {
    const machineSid = machineSidFor('WIN-LAB');
    expect(parseSddl('D:(A;;GA;;;LA)', { machineSid }).dacl?.aces[0]?.sid).toBe(`${machineSid}-500`);
  });
});

describe('parseSddl errors name the offset and what was expected', () => {
  it('an unknown right', () => {
    const err = errorOf('O:NSG:BAD:P(A;;GZ;;;BA)');
    expect(err.offset).toBe(15);
    expect(err.message).toBe("SDDL error at offset 15: unknown right 'GZ' in ACE '(A;;GZ;;;BA)'");
  });

  it('an unknown right after a valid one points at the bad code', () => {
    expect(errorOf('D:(A;;GRZZ;;;BA)').offset).toBe(8);
  });

  it('an unknown SID alias', () => {
    const err = errorOf('D:(A;;GA;;;XX)');
    expect(err.offset).toBe(11);
    expect(err.detail).toContain("unknown SID alias 'XX'");
  });

  it('a domain alias on a workgroup host', () => {
    expect(errorOf('D:(A;;GA;;;DA)').detail).toContain('domain');
  });

  it('an unknown ACE type', () => {
    const err = errorOf('D:(Q;;GA;;;BA)');
    expect(err.offset).toBe(3);
    expect(err.detail).toContain("unknown ACE type 'Q'");
  });

  it('an unknown ACE flag', () => {
    const err = errorOf('D:(A;OIXX;GA;;;BA)');
    expect(err.offset).toBe(7);
    expect(err.detail).toContain("unknown ACE flag 'XX'");
  });

  it('too few fields', () => {
    expect(errorOf('D:(A;;GA;;BA)').detail).toContain('expected 6 fields');
  });

  it('an unterminated ACE', () => {
    const err = errorOf('D:P(A;;GA;;;BA');
    expect(err.offset).toBe(3);
    expect(err.detail).toContain("no ')'");
  });

  it('a bad section', () => {
    const err = errorOf('O:BAX:BA');
    expect(err.offset).toBe(4);
    expect(err.detail).toContain("expected 'O:', 'G:', 'D:' or 'S:'");
  });

  it('a bad ACL flag', () => {
    const err = errorOf('D:PQ(A;;GA;;;BA)');
    expect(err.offset).toBe(3);
    expect(err.detail).toContain('ACL flag');
  });

  it('a malformed literal SID and a malformed GUID', () => {
    expect(errorOf('D:(A;;GA;;;S-1-5-99999999999)').detail).toContain('malformed SID');
    expect(errorOf('D:(OA;;GA;not-a-guid;;BA)').detail).toContain('malformed GUID');
  });

  it('a malformed hex mask', () => {
    expect(errorOf('D:(A;;0x1FFFFFFFF;;;BA)').detail).toContain('malformed hex rights');
  });

  it('a repeated section and ACEs after NO_ACCESS_CONTROL', () => {
    expect(errorOf('O:BAO:BA').detail).toContain("'O:' appears twice");
    expect(errorOf('D:NO_ACCESS_CONTROL(A;;GA;;;BA)').detail).toContain('NO_ACCESS_CONTROL');
  });

  it('an empty string', () => {
    expect(errorOf('').offset).toBe(0);
  });
});

describe('formatSddl', () => {
  it('round-trips the default RootSDDL and the PowerShell endpoint SDDL exactly', () => {
    expect(formatSddl(parseSddl(ROOT_SDDL))).toBe(ROOT_SDDL);
    expect(formatSddl(parseSddl(PS_SDDL))).toBe(PS_SDDL);
  });

  it('prints rights in Windows bit order, so the spec text GWGX becomes GXGW', () => {
    expect(formatSddl(parseSddl('O:NSG:BAD:P(A;;GA;;;BA)S:P(AU;FA;GA;;;WD)(AU;SA;GWGX;;;WD)'))).toBe(
      'O:NSG:BAD:P(A;;GA;;;BA)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)',
    );
  });

  it('prints named composite rights by name and unnamed bits as lower-case hex', () => {
    expect(formatSddl(parseSddl('D:(A;;0x1F01FF;;;SY)(A;;0x1301bf;;;BU)(A;OICIIO;GRGX;;;BU)'))).toBe('D:(A;;FA;;;SY)(A;;0x1301bf;;;BU)(A;OICIIO;GXGR;;;BU)');
    expect(formatRights(0x20019)).toBe('KR');
  });

  it('prints literal SIDs that have no alias literally, and null DACLs as NO_ACCESS_CONTROL', () => {
    const text = 'O:S-1-5-21-1-2-3-1001D:NO_ACCESS_CONTROL';
    expect(formatSddl(parseSddl(text))).toBe(text);
  });

  it('parse(format(parse(x))) equals parse(x) for a descriptor using every feature', () => {
    const text = 'O:BAG:SYD:PARAI(D;CIIOID;SDWDWO;;;BG)(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;AU)(XA;;FX;;;AU;(@User.Title == "PM"))S:(ML;;NWNR;;;HI)(AU;SAFA;0x1200a9;;;WD)';
    const sd = parseSddl(text);
    expect(parseSddl(formatSddl(sd))).toEqual(sd);
    expect(formatSddl(sd)).toBe(text);
  });
});

describe('accessCheck', () => {
  it('maps GENERIC_ALL to read, write and execute in generic-right space', () => {
    expect(mapGenericMask(GENERIC_ALL)).toBe((GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE) >>> 0);
  });

  it('an ACE granting GA satisfies a request for GX', () => {
    const r = accessCheck(parseSddl('D:(A;;GA;;;BU)'), tokenFor([]), GENERIC_EXECUTE);
    expect(r).toMatchObject({ granted: true, grantedMask: GENERIC_EXECUTE });
    expect(r.reason).toContain('(A;;GA;;;BU)');
  });

  it('rights from several Allow ACEs accumulate', () => {
    const r = accessCheck(parseSddl('D:(A;;GR;;;BU)(A;;GX;;;WD)'), tokenFor([]), (GENERIC_READ | GENERIC_EXECUTE) >>> 0);
    expect(r.granted).toBe(true);
  });

  it('a Deny ACE before the Allow ACE wins', () => {
    const r = accessCheck(parseSddl('D:(D;;GX;;;RM)(A;;GA;;;RM)'), tokenFor(['Remote Management Users']), GENERIC_EXECUTE);
    expect(r.granted).toBe(false);
    expect(r.reason).toContain('(D;;GX;;;RM) denies GX to BUILTIN\\Remote Management Users');
  });

  it('a Deny ACE after the Allow ACE that already granted the right has no effect', () => {
    const r = accessCheck(parseSddl('D:(A;;GA;;;RM)(D;;GX;;;RM)'), tokenFor(['Remote Management Users']), GENERIC_EXECUTE);
    expect(r.granted).toBe(true);
  });

  it('a Deny ACE for other rights does not block the desired ones', () => {
    const r = accessCheck(parseSddl('D:(D;;GW;;;BU)(A;;GA;;;BU)'), tokenFor([]), GENERIC_READ);
    expect(r.granted).toBe(true);
  });

  it('inherit-only ACEs are not evaluated', () => {
    const r = accessCheck(parseSddl('D:(A;IO;GA;;;BU)'), tokenFor([]), GENERIC_READ);
    expect(r.granted).toBe(false);
  });

  it('a null DACL grants everything, an empty DACL denies everything', () => {
    const token = tokenFor([]);
    expect(accessCheck(parseSddl('D:NO_ACCESS_CONTROL'), token, GENERIC_ALL)).toMatchObject({ granted: true });
    expect(accessCheck(parseSddl('O:NS'), token, GENERIC_EXECUTE)).toMatchObject({ granted: true });
    const empty = accessCheck(parseSddl('D:'), token, GENERIC_READ);
    expect(empty.granted).toBe(false);
    expect(empty.reason).toContain('the DACL is empty');
  });

  it('hex rights in an ACE are evaluated like their named equivalents', () => {
    expect(accessCheck(parseSddl('D:(A;;0x10000000;;;BU)'), tokenFor([]), GENERIC_EXECUTE).granted).toBe(true);
    expect(accessCheck(parseSddl('D:(A;;0x80000000;;;BU)'), tokenFor([]), GENERIC_EXECUTE).granted).toBe(false);
  });

  it('the reason for a denial lists the caller and its groups', () => {
    const r = accessCheck(parseSddl(ROOT_SDDL), tokenFor([]), GENERIC_EXECUTE);
    expect(r.reason).toMatch(/^no ACE in the DACL grants GX to any of the caller's groups \(WIN-LAB\\alice, Everyone, BUILTIN\\Users, NT AUTHORITY\\NETWORK/);
    expect(r.reason).toContain('NT AUTHORITY\\INTERACTIVE never matches a network logon');
  });

  it('the owner gets READ_CONTROL implicitly unless an OWNER RIGHTS ACE says otherwise', () => {
    const token = tokenFor([]);
    const owner = token.userSid;
    expect(accessCheck(parseSddl(`O:${owner}D:`), token, READ_CONTROL).granted).toBe(true);
    expect(accessCheck(parseSddl(`O:${owner}D:(A;;GR;;;OW)`), token, READ_CONTROL).granted).toBe(false);
  });

  it('MAXIMUM_ALLOWED reports every right the DACL grants', () => {
    const r = accessCheck(parseSddl('D:(D;;GW;;;BU)(A;;GA;;;BU)'), tokenFor([]), MAXIMUM_ALLOWED);
    expect(r.granted).toBe(true);
    expect(r.grantedMask).toBe((GENERIC_READ | GENERIC_EXECUTE) >>> 0);
  });

  it('a High mandatory label with no-write-up blocks writes from a Medium token', () => {
    const sd = parseSddl('D:(A;;GA;;;BU)S:(ML;;NW;;;HI)');
    const token = tokenFor([]);
    expect(accessCheck(sd, token, GENERIC_WRITE)).toMatchObject({ granted: false });
    expect(accessCheck(sd, token, GENERIC_READ)).toMatchObject({ granted: true });
  });
});
