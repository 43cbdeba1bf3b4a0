// pywinrm 0.3.0's envelopes (winrm/protocol.py), byte-shaped as it sends them, for benchmarks.
import { randomUUID } from 'node:crypto';

const NS =
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config"';
const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';

function header(action: string, shellId?: string, extra = ''): string {
  return `<env:Header><a:To>http://windows-host:5985/wsman</a:To><a:ReplyTo><a:Address mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:${randomUUID()}</a:MessageID><w:Locale mustUnderstand="false" xml:lang="en-US"/><p:DataLocale mustUnderstand="false" xml:lang="en-US"/><w:OperationTimeout>PT20S</w:OperationTimeout><w:ResourceURI mustUnderstand="true">${SHELL}/cmd</w:ResourceURI><a:Action mustUnderstand="true">${action}</a:Action>${shellId ? `<w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet>` : ''}${extra}</env:Header>`;
}

const wrap = (h: string, body: string) => `<?xml version="1.0" encoding="utf-8"?>\n<env:Envelope ${NS}>${h}<env:Body>${body}</env:Body></env:Envelope>`;

export const IDENTIFY =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>';

export const create = () =>
  wrap(
    header('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', undefined, '<w:OptionSet><w:Option Name="WINRS_NOPROFILE">FALSE</w:Option><w:Option Name="WINRS_CODEPAGE">437</w:Option></w:OptionSet>'),
    '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
  );
export const command = (shellId: string, cmd: string) =>
  wrap(
    header(`${SHELL}/Command`, shellId, '<w:OptionSet><w:Option Name="WINRS_CONSOLEMODE_STDIN">TRUE</w:Option><w:Option Name="WINRS_SKIP_CMD_SHELL">FALSE</w:Option></w:OptionSet>'),
    `<rsp:CommandLine><rsp:Command>${cmd}</rsp:Command></rsp:CommandLine>`,
  );
export const receive = (shellId: string, commandId: string) =>
  wrap(header(`${SHELL}/Receive`, shellId), `<rsp:Receive><rsp:DesiredStream CommandId="${commandId}">stdout stderr</rsp:DesiredStream></rsp:Receive>`);
export const signal = (shellId: string, commandId: string) =>
  wrap(header(`${SHELL}/Signal`, shellId), `<rsp:Signal CommandId="${commandId}"><rsp:Code>${SHELL}/signal/terminate</rsp:Code></rsp:Signal>`);
export const del = (shellId: string) => wrap(header('http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete', shellId), '');
