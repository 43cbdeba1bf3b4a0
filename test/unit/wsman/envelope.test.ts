import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { readEnvelope, parseDuration, decodeBody } from '../../../src/wsman/envelope.js';
import { WsmanFault } from '../../../src/wsman/faults.js';
import { parseXml, textOf, child, XmlSyntaxError } from '../../../src/wsman/xml.js';
import { NS } from '../../../src/wsman/ns.js';
import { fixture } from '../../helpers/fixtures.js';

const limits = { maxEnvelopeSizeBytes: 500 * 1024, maxTimeoutMs: 60_000 };

function faultOf(fn: () => unknown): WsmanFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof WsmanFault) return e;
    throw e;
  }
  throw new Error('expected a WsmanFault');
}

const pywinrmCreate = `<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config"><env:Header><a:To>http://windows-host:5985/wsman</a:To><a:ReplyTo><a:Address mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:0d2e0c5e-2f1b-4a39-9a4e-2a8c1f3e4d5f</a:MessageID><w:Locale mustUnderstand="false" xml:lang="en-US"/><p:DataLocale mustUnderstand="false" xml:lang="en-US"/><w:OperationTimeout>PT20S</w:OperationTimeout><w:ResourceURI mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><a:Action mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Create</a:Action><w:OptionSet><w:Option Name="WINRS_NOPROFILE">FALSE</w:Option><w:Option Name="WINRS_CODEPAGE">437</w:Option></w:OptionSet></env:Header><env:Body><rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell></env:Body></env:Envelope>`;

describe('readEnvelope', () => {
  it('reads a pywinrm Create by namespace, whatever the prefixes (env:, a:, w:)', () => {
    const r = readEnvelope(pywinrmCreate, limits);
    expect(r.action).toBe('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create');
    expect(r.messageId).toBe('uuid:0d2e0c5e-2f1b-4a39-9a4e-2a8c1f3e4d5f');
    expect(r.resourceUri).toBe('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd');
    expect(r.operationTimeoutMs).toBe(20_000);
    expect(r.maxEnvelopeSize).toBe(153600);
    expect(r.options.get('winrs_codepage')?.value).toBe('437');
    expect(r.locale).toBe('en-US');
    expect(textOf(child(child(r.body, NS.rsp, 'Shell'), NS.rsp, 'OutputStreams'))).toBe('stdout stderr');
  });

  it('reads every request recorded from pypsrp (alphabetical headers, s:mustUnderstand)', () => {
    const doc = parseYaml(fixture('pypsrp/test_winrs_standard.yml')) as { messages: Array<{ request: string }> };
    const actions = doc.messages.map((m) => readEnvelope(m.request, limits).action.split('/').pop());
    expect(actions).toEqual(['Create', 'Command', 'Receive', 'Signal', 'Delete']);
  });

  it('reads masterzen sample requests with CDATA and SelectorSet before ResourceURI', () => {
    const text = readFileSync(new URL('../../../../shared/fixtures/masterzen-winrm/sample_requests.txt', import.meta.url), 'utf8');
    const envelopes = text.match(/<env:Envelope[\s\S]*?<\/env:Envelope>/g) ?? [];
    expect(envelopes.length).toBeGreaterThan(0);
    for (const e of envelopes) expect(readEnvelope(e, limits).action).toMatch(/^http/);
  });

  it('clamps OperationTimeout to MaxTimeoutms without a fault [WSMV 3.1.4.1.6]', () => {
    const r = readEnvelope(pywinrmCreate.replace('PT20S', 'PT600S'), limits);
    expect(r.operationTimeoutMs).toBe(60_000);
  });

  it('answers PT-1S with a:InvalidMessageInformationHeader 2150858767 naming the value', () => {
    const f = faultOf(() => readEnvelope(pywinrmCreate.replace('PT20S', 'PT-1S'), limits));
    expect(f.spec.subcode).toBe('a:InvalidMessageInformationHeader');
    expect(f.spec.wsmanCode).toBe(2150858767);
    expect(f.spec.message(f.args)).toBe('The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: PT-1S. ');
    expect(f.relatesTo).toBe('uuid:0d2e0c5e-2f1b-4a39-9a4e-2a8c1f3e4d5f');
  });

  it('answers a MaxEnvelopeSize below 8192 with w:EncodingLimit', () => {
    const f = faultOf(() => readEnvelope(pywinrmCreate.replace('>153600<', '>4096<'), limits));
    expect(f.spec.subcode).toBe('w:EncodingLimit');
  });

  it('caps MaxEnvelopeSize at MaxEnvelopeSizekb', () => {
    const r = readEnvelope(pywinrmCreate.replace('>153600<', '>99999999<'), limits);
    expect(r.maxEnvelopeSize).toBe(500 * 1024);
  });

  it('refuses a missing MessageID, a missing ReplyTo and a non-anonymous ReplyTo', () => {
    expect(faultOf(() => readEnvelope(pywinrmCreate.replace(/<a:MessageID>.*?<\/a:MessageID>/, ''), limits)).spec.subcode).toBe('a:InvalidMessageInformationHeader');
    expect(faultOf(() => readEnvelope(pywinrmCreate.replace(/<a:ReplyTo>.*?<\/a:ReplyTo>/, ''), limits)).spec.subcode).toBe('a:MessageInformationHeaderRequired');
    const f = faultOf(() => readEnvelope(pywinrmCreate.replace('role/anonymous</a:Address>', 'role/elsewhere</a:Address>'), limits));
    expect(f.spec.subcode).toBe('w:UnsupportedFeature');
    expect(f.detail).toBe('AddressingMode');
  });

  it('refuses an unknown header marked mustUnderstand', () => {
    const f = faultOf(() => readEnvelope(pywinrmCreate.replace('<env:Header>', '<env:Header><z:Weird xmlns:z="urn:x" env:mustUnderstand="true">1</z:Weird>'), limits));
    expect(f.spec.code).toBe('MustUnderstand');
  });

  it('ignores an unknown header without mustUnderstand', () => {
    expect(readEnvelope(pywinrmCreate.replace('<env:Header>', '<env:Header><z:Weird xmlns:z="urn:x">1</z:Weird>'), limits).action).toMatch(/Create$/);
  });

  it('accepts the winrm-rs OptionSet placed between Header and Body', () => {
    const moved = pywinrmCreate
      .replace(/<w:OptionSet>.*?<\/w:OptionSet>/, '')
      .replace('</env:Header>', '</env:Header><w:OptionSet><w:Option Name="WINRS_CODEPAGE">65001</w:Option></w:OptionSet>');
    expect(readEnvelope(moved, limits).options.get('winrs_codepage')?.value).toBe('65001');
  });

  it('turns malformed XML into the invalid-XML fault', () => {
    expect(faultOf(() => readEnvelope('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>', limits)).key).toBe('InvalidXml');
    expect(faultOf(() => readEnvelope('not xml at all', limits)).key).toBe('InvalidXml');
    expect(faultOf(() => readEnvelope('<a><b></a></b>', limits)).key).toBe('InvalidXml');
  });

  it('refuses DTDs and never expands entities (billion laughs)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&lol2;</s:Body></s:Envelope>`;
    const f = faultOf(() => readEnvelope(bomb, limits));
    expect(f.key).toBe('InvalidXml');
  });

  it('keeps text with "<!DOCTYPE" inside CDATA as data', () => {
    const x = parseXml('<a><![CDATA[echo <!DOCTYPE x>]]></a>');
    expect(textOf(x)).toBe('echo <!DOCTYPE x>');
  });

  it('bounds nesting depth', () => {
    expect(() => parseXml('<a>'.repeat(200) + '</a>'.repeat(200))).toThrow(XmlSyntaxError);
  });

  it('refuses an undeclared prefix', () => {
    expect(() => parseXml('<q:a/>')).toThrow(/undeclared namespace prefix/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['PT20S', 20_000],
    ['PT60.000S', 60_000],
    ['PT5M0S', 300_000],
    ['P0DT0H1M2S', 62_000],
    ['PT1.5S', 1500],
  ])('%s is %d ms', (v, ms) => expect(parseDuration(v)).toBe(ms));
  it.each(['PT-1S', '-PT1S', 'P', 'PT', '20', 'PTS', 'garbage'])('%s is invalid', (v) => expect(parseDuration(v)).toBeUndefined());
});

describe('decodeBody', () => {
  it('reads UTF-16LE with a BOM', () => {
    const b = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<x/>', 'utf16le')]);
    expect(decodeBody(b, 'application/soap+xml;charset=UTF-16')).toEqual({ text: '<x/>', charset: 'utf-16le' });
  });
  it('refuses charsets WinRM does not speak with the unsupported-encoding fault', () => {
    expect(faultOf(() => decodeBody(Buffer.from('<x/>'), 'application/soap+xml;charset=ISO-8859-1')).spec.wsmanCode).toBe(2150858796);
  });
});
