import { describe, expect, it } from 'vitest';
import { FakeClock, SequentialIds } from '../../../src/core/clock.js';
import { Enumerations } from '../../../src/wsman/enumeration.js';
import { WsmanFault } from '../../../src/wsman/faults.js';
import { parseXml } from '../../../src/wsman/xml.js';

const body = (xml: string) => parseXml(`<s:Body xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">${xml}</s:Body>`);
const items = ['<i>1</i>', '<i>2</i>', '<i>3</i>'];
const req = (xml: string) => ({ body: body(xml), owner: 'u', maxBatchItems: 32000, timeoutMs: 240_000 });

describe('WS-Enumeration', () => {
  it('answers an optimized Enumerate that fits with an empty context, w:Items and w:EndOfSequence', () => {
    const e = new Enumerations(new FakeClock(), new SequentialIds());
    const r = e.enumerate(req('<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements></n:Enumerate>'), items);
    expect(r.body[0]).toBe('<n:EnumerateResponse><n:EnumerationContext></n:EnumerationContext><w:Items><i>1</i><i>2</i><i>3</i></w:Items><w:EndOfSequence/></n:EnumerateResponse>');
    expect(e.size).toBe(0);
    expect(e.enumerate(req('<n:Enumerate><w:OptimizeEnumeration/></n:Enumerate>'), []).body[0]).toBe('<n:EnumerateResponse><n:EnumerationContext></n:EnumerationContext><w:EndOfSequence/></n:EnumerateResponse>');
  });

  it('pages with Pull (n:Items, then n:EndOfSequence without a context) and caps MaxElements at MaxBatchItems', () => {
    const e = new Enumerations(new FakeClock(), new SequentialIds());
    const first = String(e.enumerate({ ...req('<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>99</w:MaxElements></n:Enumerate>'), maxBatchItems: 2 }, items).body[0]);
    const ctx = /<n:EnumerationContext>([^<]+)</.exec(first)![1]!;
    expect(first).toContain('<w:Items><i>1</i><i>2</i></w:Items>');
    expect(first).not.toContain('EndOfSequence');
    const pull = e.pull(body(`<n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext><n:MaxElements>5</n:MaxElements></n:Pull>`), 'u', 32000, 240_000);
    expect(pull.body[0]).toBe('<n:PullResponse><n:Items><i>3</i></n:Items><n:EndOfSequence/></n:PullResponse>');
    expect(() => e.pull(body(`<n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext></n:Pull>`), 'u', 32000, 240_000)).toThrow(WsmanFault);
  });

  it('expires a context after EnumerationTimeoutms and refuses it to another user', () => {
    const clock = new FakeClock();
    const e = new Enumerations(clock, new SequentialIds());
    const ctx = /<n:EnumerationContext>([^<]+)</.exec(String(e.enumerate(req('<n:Enumerate/>'), items).body[0]))![1]!;
    const pull = (owner: string) => () => e.pull(body(`<n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext></n:Pull>`), owner, 32000, 240_000);
    expect(pull('someone-else')).toThrow(/InvalidEnumerationContext/);
    clock.advance(240_000);
    expect(pull('u')).toThrow(/InvalidEnumerationContext/);
  });

  it('answers an Enumerate without n:Enumerate with the schema fault', () => {
    const e = new Enumerations(new FakeClock(), new SequentialIds());
    expect(() => e.enumerate(req(''), items)).toThrow(/missing the element titled 'Enumerate'/);
  });
});
