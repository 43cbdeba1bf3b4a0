// ipconfig.exe, systeminfo.exe and hostname.exe over the emulated host's facts. No real network
// interface is read: the host has one adapter, Windows' loopback adapter (KM-TEST), with the
// addresses in CmdDeps.network.
import { splitArgv } from './argv.js';
import { groupDigits, systeminfoDate } from './text.js';
import type { CmdProgram, NetworkFacts } from './types.js';

export const DEFAULT_NETWORK: NetworkFacts = {
  adapterName: 'Ethernet',
  description: 'Microsoft KM-TEST Loopback Adapter',
  // The loopback adapter's fixed MAC ("LOOP").
  mac: '02-00-4C-4F-4F-50',
  ipv4: '10.0.2.15',
  subnetMask: '255.255.255.0',
  gateway: '',
  linkLocalIpv6: 'fe80::b5c1:6a3d:2f4e:91a7',
  interfaceIndex: 5,
};

const L = {
  hostName: '   Host Name . . . . . . . . . . . . : ',
  primaryDns: '   Primary Dns Suffix  . . . . . . . : ',
  nodeType: '   Node Type . . . . . . . . . . . . : ',
  ipRouting: '   IP Routing Enabled. . . . . . . . : ',
  winsProxy: '   WINS Proxy Enabled. . . . . . . . : ',
  dnsSuffix: '   Connection-specific DNS Suffix  . : ',
  description: '   Description . . . . . . . . . . . : ',
  physical: '   Physical Address. . . . . . . . . : ',
  dhcp: '   DHCP Enabled. . . . . . . . . . . : ',
  autoconf: '   Autoconfiguration Enabled . . . . : ',
  linkLocal: '   Link-local IPv6 Address . . . . . : ',
  ipv4: '   IPv4 Address. . . . . . . . . . . : ',
  mask: '   Subnet Mask . . . . . . . . . . . : ',
  gateway: '   Default Gateway . . . . . . . . . : ',
  iaid: '   DHCPv6 IAID . . . . . . . . . . . : ',
  duid: '   DHCPv6 Client DUID. . . . . . . . : ',
  dns: '   DNS Servers . . . . . . . . . . . : ',
  netbios: '   NetBIOS over Tcpip. . . . . . . . : ',
} as const;

const DNS_CONT = ' '.repeat(L.dns.length);

export function ipconfigText(computerName: string, n: NetworkFacts, all: boolean): string {
  const lines: string[] = ['', 'Windows IP Configuration', ''];
  if (all) {
    lines.push(`${L.hostName}${computerName}`, L.primaryDns, `${L.nodeType}Hybrid`, `${L.ipRouting}No`, `${L.winsProxy}No`, '');
    lines.push(`Ethernet adapter ${n.adapterName}:`, '');
    lines.push(
      L.dnsSuffix,
      `${L.description}${n.description}`,
      `${L.physical}${n.mac}`,
      `${L.dhcp}No`,
      `${L.autoconf}Yes`,
      `${L.linkLocal}${n.linkLocalIpv6}%${n.interfaceIndex}(Preferred) `,
      `${L.ipv4}${n.ipv4}(Preferred) `,
      `${L.mask}${n.subnetMask}`,
      `${L.gateway}${n.gateway}`,
      `${L.iaid}${(n.interfaceIndex * 16777216 + 0x0200).toString()}`,
      `${L.duid}00-01-00-01-2A-3B-4C-5D-${n.mac}`,
      `${L.dns}fec0:0:0:ffff::1%1`,
      `${DNS_CONT}fec0:0:0:ffff::2%1`,
      `${DNS_CONT}fec0:0:0:ffff::3%1`,
      `${L.netbios}Enabled`,
    );
  } else {
    lines.push('', `Ethernet adapter ${n.adapterName}:`, '');
    lines.push(L.dnsSuffix, `${L.linkLocal}${n.linkLocalIpv6}%${n.interfaceIndex}`, `${L.ipv4}${n.ipv4}`, `${L.mask}${n.subnetMask}`, `${L.gateway}${n.gateway}`);
  }
  return lines.map((l) => `${l}\r\n`).join('');
}

const IPCONFIG_USAGE =
  '\r\nError: unrecognized or incomplete command line.\r\n\r\nUSAGE:\r\n    ipconfig [/allcompartments] [/? | /all | \r\n                                 /renew [adapter] | /release [adapter] |\r\n                                 /renew6 [adapter] | /release6 [adapter] |\r\n                                 /flushdns | /displaydns | /registerdns |\r\n                                 /showclassid adapter |\r\n                                 /setclassid adapter [classid] |\r\n                                 /showclassid6 adapter |\r\n                                 /setclassid6 adapter [classid] ]\r\n';

export const ipconfig: CmdProgram = async (inv) => {
  const args = splitArgv(inv.args).map((a) => a.toLowerCase().replace(/^-/, '/'));
  const n = inv.rt.network();
  const name = inv.ctx.spec.host.computerName;
  if (args.length === 0) {
    await inv.ctx.write('stdout', ipconfigText(name, n, false));
    return 0;
  }
  if (args.length === 1 && args[0] === '/all') {
    await inv.ctx.write('stdout', ipconfigText(name, n, true));
    return 0;
  }
  if (args.length === 1 && args[0] === '/flushdns') {
    await inv.ctx.write('stdout', '\r\nWindows IP Configuration\r\n\r\nSuccessfully flushed the DNS Resolver Cache.\r\n');
    return 0;
  }
  await inv.ctx.write('stdout', IPCONFIG_USAGE);
  return 1;
};

export const hostname: CmdProgram = async (inv) => {
  if (inv.args.trim() !== '') {
    await inv.ctx.write('stderr', 'sethostname: Use the Network Control Panel Applet to set hostname.\r\n');
    return 1;
  }
  await inv.ctx.write('stdout', `${inv.ctx.spec.host.computerName}\r\n`);
  return 0;
};

export const systeminfo: CmdProgram = async (inv) => {
  const args = splitArgv(inv.args);
  if (args.length > 0) {
    await inv.ctx.write('stderr', `ERROR: Invalid argument/option - '${args[0] ?? ''}'.\r\nType "SYSTEMINFO /?" for usage.\r\n`);
    return 1;
  }
  const host = inv.ctx.spec.host;
  const n = inv.rt.network();
  const build = host.os.version.split('.')[2] ?? '';
  const boot = inv.rt.bootTime(inv.ctx);
  const pad = (label: string): string => label.padEnd(27);
  const cont = ' '.repeat(27);
  const rows = [
    '',
    `${pad('Host Name:')}${host.computerName}`,
    `${pad('OS Name:')}Microsoft ${host.os.productName}`,
    `${pad('OS Version:')}${host.os.version.split('.').slice(0, 3).join('.')} N/A Build ${build}`,
    `${pad('OS Manufacturer:')}Microsoft Corporation`,
    `${pad('OS Configuration:')}Standalone Server`,
    `${pad('OS Build Type:')}Multiprocessor Free`,
    `${pad('Registered Owner:')}Windows User`,
    `${pad('Registered Organization:')}`,
    `${pad('Product ID:')}00430-00000-00000-AA000`,
    `${pad('Original Install Date:')}${systeminfoDate(boot)}`,
    `${pad('System Boot Time:')}${systeminfoDate(boot)}`,
    `${pad('System Manufacturer:')}Microsoft Corporation`,
    `${pad('System Model:')}Virtual Machine`,
    `${pad('System Type:')}x64-based PC`,
    `${pad('Processor(s):')}1 Processor(s) Installed.`,
    `${cont}[01]: Intel64 Family 6 Model 85 Stepping 7 GenuineIntel ~2594 Mhz`,
    `${pad('BIOS Version:')}Microsoft Corporation Hyper-V UEFI Release v4.0, 12/17/2019`,
    `${pad('Windows Directory:')}C:\\Windows`,
    `${pad('System Directory:')}C:\\Windows\\system32`,
    `${pad('Boot Device:')}\\Device\\HarddiskVolume1`,
    `${pad('System Locale:')}en-us;English (United States)`,
    `${pad('Input Locale:')}en-us;English (United States)`,
    `${pad('Time Zone:')}(UTC) Coordinated Universal Time`,
    `${pad('Total Physical Memory:')}${groupDigits(4095)} MB`,
    `${pad('Available Physical Memory:')}${groupDigits(2466)} MB`,
    `${pad('Virtual Memory: Max Size:')}${groupDigits(4799)} MB`,
    `${pad('Virtual Memory: Available:')}${groupDigits(3071)} MB`,
    `${pad('Virtual Memory: In Use:')}${groupDigits(1728)} MB`,
    `${pad('Page File Location(s):')}C:\\pagefile.sys`,
    `${pad('Domain:')}WORKGROUP`,
    `${pad('Logon Server:')}N/A`,
    `${pad('Hotfix(s):')}1 Hotfix(s) Installed.`,
    `${cont}[01]: KB4464455`,
    `${pad('Network Card(s):')}1 NIC(s) Installed.`,
    `${cont}[01]: ${n.description}`,
    `${cont}      Connection Name: ${n.adapterName}`,
    `${cont}      DHCP Enabled:    No`,
    `${cont}      IP address(es)`,
    `${cont}      [01]: ${n.ipv4}`,
    `${cont}      [02]: ${n.linkLocalIpv6}`,
    `${pad('Hyper-V Requirements:')}A hypervisor has been detected. Features required for Hyper-V will not be displayed.`,
  ];
  await inv.ctx.write('stdout', rows.map((r) => `${r}\r\n`).join(''));
  return 0;
};
