import { describe, expect, it } from 'vitest';
import { EmulatorConfigSchema } from '../../../src/config/schema.js';
import type { WinrmConfig } from '../../../src/config/types.js';
import { CONFIG_RESOURCES } from '../../../src/wsman/config/tree.js';
import { renderConfigResource } from '../../../src/wsman/config/document.js';
import { applyPut, type ConfigValidator } from '../../../src/wsman/config/put.js';
import { WsmanFault } from '../../../src/wsman/faults.js';
import { parseXml } from '../../../src/wsman/xml.js';

const base = EmulatorConfigSchema.parse({});
const validate: ConfigValidator = (winrm) => {
  const r = EmulatorConfigSchema.safeParse({ ...base, winrm });
  return r.success ? { ok: true, winrm: r.data.winrm as WinrmConfig } : { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
};
const body = (xml: string) => parseXml(`<s:Body xmlns:s="http://www.w3.org/2003/05/soap-envelope">${xml}</s:Body>`);
const res = (s: string) => CONFIG_RESOURCES.get(s)!;

function fault(fn: () => unknown): WsmanFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof WsmanFault) return e;
    throw e;
  }
  throw new Error('expected a fault');
}

describe('Put on winrm/config', () => {
  it('accepts the full document winrm set sends after a Get, changing only what differs', () => {
    const doc = renderConfigResource(res('').node, res('').ns, base.winrm).replace('<cfg:MaxTimeoutms>60000<', '<cfg:MaxTimeoutms>1800000<');
    const { winrm, changes } = applyPut(res('').node, body(doc), base.winrm, validate);
    expect(winrm.MaxTimeoutms).toBe(1_800_000);
    expect(changes.map((c) => `${c.leaf.name}:${c.from}->${c.to}`)).toEqual(['MaxTimeoutms:60000->1800000']);
    // Read-only and deprecated elements were present with their current values: accepted.
    expect(winrm.MaxProviderRequests).toBe(4294967295);
  });

  it('accepts the fragment Enable-WSManCredSSP sends, in any namespace and case', () => {
    const { winrm } = applyPut(res('/service/auth').node, body('<p:auth xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/config/service/auth.xsd"><p:credssp>TRUE</p:credssp></p:auth>'), base.winrm, validate);
    expect(winrm.Service.Auth.CredSSP).toBe(true);
    expect(winrm.Service.Auth.Basic).toBe(false);
  });

  it('refuses a change to a deprecated setting with 2150859182 and to MaxShellRunTime as read-only', () => {
    expect(fault(() => applyPut(res('').node, body('<cfg:Config xmlns:cfg="x"><cfg:MaxProviderRequests>25</cfg:MaxProviderRequests></cfg:Config>'), base.winrm, validate)).spec.wsmanCode).toBe(2150859182);
    expect(fault(() => applyPut(res('/winrs').node, body('<Winrs><MaxShellRunTime>5</MaxShellRunTime></Winrs>'), base.winrm, validate)).spec.subcode).toBe('w:InternalError');
  });

  it('refuses bad values with the schema fault naming the setting', () => {
    const f = fault(() => applyPut(res('/service').node, body('<Service><AllowUnencrypted>maybe</AllowUnencrypted></Service>'), base.winrm, validate));
    expect(f.spec.wsmanCode).toBe(2150858817);
    expect(f.spec.message(f.args)).toContain('Service/AllowUnencrypted must be true or false');
    const range = fault(() => applyPut(res('').node, body('<Config><MaxEnvelopeSizekb>5</MaxEnvelopeSizekb></Config>'), base.winrm, validate));
    expect(range.spec.message(range.args)).toContain('MaxEnvelopeSizekb');
    expect(fault(() => applyPut(res('').node, body('<Config><NoSuchThing>1</NoSuchThing></Config>'), base.winrm, validate)).spec.message({ why: 'x' })).toContain('x');
    expect(fault(() => applyPut(res('/winrs').node, body(''), base.winrm, validate)).spec.wsmanCode).toBe(2150858817);
  });
});
