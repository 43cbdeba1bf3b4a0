import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { EmulatorConfigSchema } from '../../../src/config/schema.js';
import type { WinrmConfig } from '../../../src/config/types.js';
import { CONFIG_RESOURCES } from '../../../src/wsman/config/tree.js';
import { renderConfigResource, renderListener, renderCertMapping } from '../../../src/wsman/config/document.js';
import { resourceText, itemsText, faultText } from '../../../src/wsman/config/text.js';
import { parseXml } from '../../../src/wsman/xml.js';
import { fixture } from '../../helpers/fixtures.js';

/** Windows' own defaults (no lab overrides), optionally changed. */
function windowsConfig(winrm: Record<string, unknown> = {}): WinrmConfig {
  return EmulatorConfigSchema.parse({ winrm }).winrm as WinrmConfig;
}

const root = (suffix: string) => CONFIG_RESOURCES.get(suffix)!;

describe('winrm/config Get bodies', () => {
  for (const kb of ['150', '500', '4096']) {
    it(`equal the recorded cfg:Config of fx pypsrp/test_wsman_update_envelope_size_${kb}`, () => {
      const doc = parseYaml(fixture(`pypsrp/test_wsman_update_envelope_size_${kb}.yml`)) as { messages: Array<{ response: string }> };
      const recorded = /<s:Body>(.*)<\/s:Body>/.exec(doc.messages[0]!.response)![1]!;
      // The recording host had Service Basic and CredSSP on (pypsrp's CI setup).
      const config = windowsConfig({ MaxEnvelopeSizekb: Number(kb), Service: { Auth: { Basic: true, CredSSP: true } } });
      expect(renderConfigResource(root('').node, root('').ns, config)).toBe(recorded);
    });
  }

  it('renders sub-resources in their own namespace (winrm-config.md §2.2)', () => {
    expect(renderConfigResource(root('/service/auth').node, root('/service/auth').ns, windowsConfig())).toBe(
      '<cfg:Auth xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config/service/auth"><cfg:Basic>false</cfg:Basic><cfg:Kerberos>true</cfg:Kerberos><cfg:Negotiate>true</cfg:Negotiate><cfg:Certificate>false</cfg:Certificate><cfg:CredSSP>false</cfg:CredSSP><cfg:CbtHardeningLevel>Relaxed</cfg:CbtHardeningLevel></cfg:Auth>',
    );
  });
});

describe("winrm.cmd's text output", () => {
  it('prints `winrm get winrm/config` exactly as documented for a stock host', () => {
    const xml = renderConfigResource(root('').node, root('').ns, windowsConfig());
    const expected = `Config
    MaxEnvelopeSizekb = 500
    MaxTimeoutms = 60000
    MaxBatchItems = 32000
    MaxProviderRequests = 4294967295
    Client
        NetworkDelayms = 5000
        URLPrefix = wsman
        AllowUnencrypted = false
        Auth
            Basic = true
            Digest = true
            Kerberos = true
            Negotiate = true
            Certificate = true
            CredSSP = false
        DefaultPorts
            HTTP = 5985
            HTTPS = 5986
        TrustedHosts
    Service
        RootSDDL = O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)
        MaxConcurrentOperations = 4294967295
        MaxConcurrentOperationsPerUser = 1500
        EnumerationTimeoutms = 240000
        MaxConnections = 300
        MaxPacketRetrievalTimeSeconds = 120
        AllowUnencrypted = false
        Auth
            Basic = false
            Kerberos = true
            Negotiate = true
            Certificate = false
            CredSSP = false
            CbtHardeningLevel = Relaxed
        DefaultPorts
            HTTP = 5985
            HTTPS = 5986
        IPv4Filter = *
        IPv6Filter = *
        EnableCompatibilityHttpListener = false
        EnableCompatibilityHttpsListener = false
        CertificateThumbprint
        AllowRemoteAccess = true
    Winrs
        AllowRemoteShellAccess = true
        IdleTimeout = 7200000
        MaxConcurrentUsers = 2147483647
        MaxShellRunTime = 2147483647
        MaxProcessesPerShell = 2147483647
        MaxMemoryPerShellMB = 2147483647
        MaxShellsPerUser = 2147483647
`;
    expect(resourceText(parseXml(xml))).toBe(`${expected.replace(/\n/g, '\r\n')}\r\n`);
  });

  it('prints `winrm enumerate winrm/config/listener` with ListeningOn joined, items separated by a blank line', () => {
    const http = renderListener({ Address: '*', Transport: 'HTTP', Port: 5985, Hostname: '', Enabled: true, URLPrefix: 'wsman', CertificateThumbprint: '' }, ['10.0.2.15', '127.0.0.1', '::1']);
    const https = renderListener(
      { Address: '*', Transport: 'HTTPS', Port: 5986, Hostname: 'WIN10', Enabled: true, URLPrefix: 'wsman', CertificateThumbprint: 'F4D065F8FC6EE18F1F0FF9533584955D0C9B8E59' },
      ['10.0.2.15', '127.0.0.1', '::1'],
    );
    const expected = `Listener
    Address = *
    Transport = HTTP
    Port = 5985
    Hostname
    Enabled = true
    URLPrefix = wsman
    CertificateThumbprint
    ListeningOn = 10.0.2.15, 127.0.0.1, ::1

Listener
    Address = *
    Transport = HTTPS
    Port = 5986
    Hostname = WIN10
    Enabled = true
    URLPrefix = wsman
    CertificateThumbprint = F4D065F8FC6EE18F1F0FF9533584955D0C9B8E59
    ListeningOn = 10.0.2.15, 127.0.0.1, ::1

`;
    expect(itemsText([parseXml(http), parseXml(https)])).toBe(expected.replace(/\n/g, '\r\n'));
  });

  it('prints a certificate mapping with an empty Password', () => {
    const xml = renderCertMapping({ Issuer: '1212131238D84023982E381F20391A2935301923', Subject: 'user@localhost', URI: '*', UserName: 'user', Enabled: true });
    expect(resourceText(parseXml(xml))).toBe(
      'CertMapping\r\n    URI = *\r\n    Subject = user@localhost\r\n    Issuer = 1212131238D84023982E381F20391A2935301923\r\n    UserName = user\r\n    Enabled = true\r\n    Password\r\n    PassCertToPlugin = false\r\n\r\n',
    );
  });

  it('prints a fault as winrm.cmd does, with the signed and hex error number', () => {
    const fault = parseXml(
      '<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858801" Machine="h"><f:Message><f:ProviderFault provider="Config provider" path="%systemroot%\\system32\\WsmSvc.dll"><f:WSManFault Code="2150858801" Machine="h"><f:Message>The WS-Management service cannot process the request. The resource URI does not support the Enumerate operation. </f:Message></f:WSManFault></f:ProviderFault></f:Message></f:WSManFault>',
    );
    expect(faultText(fault, 'The WS-Management service cannot process the request because the WS-Addressing Action URI in the request is not compatible with the resource.')).toBe(
      'WSManFault\r\n    Message\r\n        ProviderFault\r\n            WSManFault\r\n                Message = The WS-Management service cannot process the request. The resource URI does not support the Enumerate operation. \r\n\r\nError number:  -2144108495 0x80338031\r\nThe WS-Management service cannot process the request because the WS-Addressing Action URI in the request is not compatible with the resource.\r\n',
    );
  });
});
