// A useful slice of WMI over WS-Man (…/wmi/root/cimv2/<Class>): Win32_OperatingSystem,
// Win32_ComputerSystem, Win32_Service, Win32_Process and Win32_LogicalDisk, with values drawn
// from the emulated host. Instances are rendered as DSP0227/DSP0230 describe and Windows sends
// them (wsman-protocol.md §4.10): one element per instance named after the class, typed
// `p:<Class>_Type`, nil properties as xsi:nil.
import { escapeText } from '../xml.js';

export const CIMV2 = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2';

export type WmiValue = string | number | boolean | null | Date;
export type WmiInstance = Readonly<Record<string, WmiValue>>;

export interface WmiClass {
  readonly name: string;
  /** Key properties, in the order Windows uses them as selectors. */
  readonly keys: readonly string[];
  /** Property order in the rendered instance (Windows sorts them by name). */
  readonly properties: readonly string[];
  instances(): WmiInstance[];
}

/** CIM datetime `yyyymmddHHMMSS.mmmmmm+UUU` inside cim:Datetime as WS-Man renders it (ISO 8601). */
function renderValue(v: WmiValue): string {
  if (v instanceof Date) return `<cim:Datetime>${v.toISOString()}</cim:Datetime>`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return escapeText(String(v));
}

export function renderInstance(cls: WmiClass, inst: WmiInstance): string {
  const ns = `${CIMV2}/${cls.name}`;
  let out = `<p:${cls.name} xmlns:p="${ns}" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="p:${cls.name}_Type">`;
  for (const p of cls.properties) {
    const v = inst[p];
    out += v === null || v === undefined ? `<p:${p} xsi:nil="true"/>` : `<p:${p}>${renderValue(v)}</p:${p}>`;
  }
  return `${out}</p:${cls.name}>`;
}

export interface HostView {
  readonly computerName: string;
  readonly os: { readonly version: string; readonly productName: string; readonly servicePack: string };
  readonly bootTime: Date;
  readonly installDate: Date;
  readonly now: () => Date;
  readonly processes: () => ReadonlyArray<{ readonly pid: number; readonly name: string; readonly commandLine: string; readonly owner: string; readonly started: Date }>;
  readonly diskBytes: { readonly size: number; readonly free: number };
}

const SERVICES: ReadonlyArray<readonly [string, string, string, string]> = [
  // Name, DisplayName, State, StartMode
  ['WinRM', 'Windows Remote Management (WS-Management)', 'Running', 'Auto'],
  ['EventLog', 'Windows Event Log', 'Running', 'Auto'],
  ['Dnscache', 'DNS Client', 'Running', 'Auto'],
  ['LanmanServer', 'Server', 'Running', 'Auto'],
  ['LanmanWorkstation', 'Workstation', 'Running', 'Auto'],
  ['W32Time', 'Windows Time', 'Running', 'Manual'],
  ['wuauserv', 'Windows Update', 'Stopped', 'Manual'],
  ['Spooler', 'Print Spooler', 'Running', 'Auto'],
  ['sshd', 'OpenSSH SSH Server', 'Stopped', 'Manual'],
  ['TermService', 'Remote Desktop Services', 'Running', 'Manual'],
];

const sorted = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));

export function wmiClasses(h: HostView): ReadonlyMap<string, WmiClass> {
  const [major, minor, build] = h.os.version.split('.');
  const classes: WmiClass[] = [
    {
      name: 'Win32_OperatingSystem',
      keys: [],
      properties: sorted(['BootDevice', 'BuildNumber', 'Caption', 'CSName', 'FreePhysicalMemory', 'InstallDate', 'LastBootUpTime', 'LocalDateTime', 'Manufacturer', 'Name', 'OSArchitecture', 'OSType', 'ServicePackMajorVersion', 'ServicePackMinorVersion', 'SystemDirectory', 'TotalVisibleMemorySize', 'Version', 'WindowsDirectory']),
      instances: () => [
        {
          BootDevice: '\\Device\\HarddiskVolume1',
          BuildNumber: build ?? '17763',
          Caption: `Microsoft ${h.os.productName}`,
          CSName: h.computerName,
          FreePhysicalMemory: 6_291_456,
          InstallDate: h.installDate,
          LastBootUpTime: h.bootTime,
          LocalDateTime: h.now(),
          Manufacturer: 'Microsoft Corporation',
          Name: `Microsoft ${h.os.productName}|C:\\Windows|\\Device\\Harddisk0\\Partition2`,
          OSArchitecture: '64-bit',
          OSType: 18,
          ServicePackMajorVersion: Number(h.os.servicePack.split('.')[0] ?? 0),
          ServicePackMinorVersion: Number(h.os.servicePack.split('.')[1] ?? 0),
          SystemDirectory: 'C:\\Windows\\system32',
          TotalVisibleMemorySize: 8_388_608,
          Version: `${major ?? '10'}.${minor ?? '0'}.${build ?? '17763'}`,
          WindowsDirectory: 'C:\\Windows',
        },
      ],
    },
    {
      name: 'Win32_ComputerSystem',
      keys: ['Name'],
      properties: sorted(['Caption', 'Domain', 'DNSHostName', 'Manufacturer', 'Model', 'Name', 'NumberOfLogicalProcessors', 'NumberOfProcessors', 'PartOfDomain', 'SystemType', 'TotalPhysicalMemory', 'Workgroup']),
      instances: () => [
        {
          Caption: h.computerName,
          Domain: 'WORKGROUP',
          DNSHostName: h.computerName.toLowerCase(),
          Manufacturer: 'winrm-emulator',
          Model: 'Emulated Windows host',
          Name: h.computerName,
          NumberOfLogicalProcessors: 2,
          NumberOfProcessors: 1,
          PartOfDomain: false,
          SystemType: 'x64-based PC',
          TotalPhysicalMemory: 8_589_934_592,
          Workgroup: 'WORKGROUP',
        },
      ],
    },
    {
      name: 'Win32_Service',
      keys: ['Name'],
      properties: sorted(['Caption', 'DisplayName', 'Name', 'PathName', 'ProcessId', 'ServiceType', 'Started', 'StartMode', 'State', 'Status']),
      instances: () =>
        SERVICES.map(([name, display, state, mode], i) => ({
          Caption: display,
          DisplayName: display,
          Name: name,
          PathName: `C:\\Windows\\system32\\svchost.exe -k ${name}`,
          ProcessId: state === 'Running' ? 900 + i * 4 : 0,
          ServiceType: 'Share Process',
          Started: state === 'Running',
          StartMode: mode,
          State: state,
          Status: 'OK',
        })),
    },
    {
      name: 'Win32_Process',
      keys: ['Handle'],
      properties: sorted(['Caption', 'CommandLine', 'CreationDate', 'CSName', 'ExecutablePath', 'Handle', 'Name', 'ParentProcessId', 'ProcessId']),
      instances: () => [
        { Caption: 'System Idle Process', CommandLine: null, CreationDate: h.bootTime, CSName: h.computerName, ExecutablePath: null, Handle: '0', Name: 'System Idle Process', ParentProcessId: 0, ProcessId: 0 },
        { Caption: 'System', CommandLine: null, CreationDate: h.bootTime, CSName: h.computerName, ExecutablePath: null, Handle: '4', Name: 'System', ParentProcessId: 0, ProcessId: 4 },
        { Caption: 'svchost.exe', CommandLine: 'C:\\Windows\\system32\\svchost.exe -k NetworkService -p', CreationDate: h.bootTime, CSName: h.computerName, ExecutablePath: 'C:\\Windows\\system32\\svchost.exe', Handle: '900', Name: 'svchost.exe', ParentProcessId: 600, ProcessId: 900 },
        { Caption: 'wsmprovhost.exe', CommandLine: 'C:\\Windows\\system32\\wsmprovhost.exe -Embedding', CreationDate: h.now(), CSName: h.computerName, ExecutablePath: 'C:\\Windows\\system32\\wsmprovhost.exe', Handle: '2012', Name: 'wsmprovhost.exe', ParentProcessId: 900, ProcessId: 2012 },
        ...h.processes().map((p) => ({
          Caption: p.name,
          CommandLine: p.commandLine,
          CreationDate: p.started,
          CSName: h.computerName,
          ExecutablePath: null,
          Handle: String(p.pid),
          Name: p.name,
          ParentProcessId: 2012,
          ProcessId: p.pid,
        })),
      ],
    },
    {
      name: 'Win32_LogicalDisk',
      keys: ['DeviceID'],
      properties: sorted(['Caption', 'DeviceID', 'DriveType', 'FileSystem', 'FreeSpace', 'Name', 'Size', 'VolumeName']),
      instances: () => [{ Caption: 'C:', DeviceID: 'C:', DriveType: 3, FileSystem: 'NTFS', FreeSpace: h.diskBytes.free, Name: 'C:', Size: h.diskBytes.size, VolumeName: '' }],
    },
  ];
  return new Map(classes.map((c) => [c.name.toLowerCase(), c]));
}

/** `SELECT * FROM Class [WHERE a = 'x' [AND b = 2 …]]`: the WQL subset scripts use for lookups. */
export function parseWql(text: string): { className: string; where: Array<[string, string]> } | undefined {
  const m = /^\s*select\s+(?:\*|[\w\s,]+)\s+from\s+(\w+)(?:\s+where\s+([\s\S]+?))?\s*$/i.exec(text);
  if (!m) return undefined;
  const where: Array<[string, string]> = [];
  if (m[2]) {
    for (const cond of m[2].split(/\s+and\s+/i)) {
      const c = /^\s*(\w+)\s*=\s*(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/.exec(cond);
      if (!c) return undefined;
      where.push([c[1]!, c[2] ?? c[3] ?? c[4] ?? '']);
    }
  }
  return { className: m[1]!, where };
}

export function matches(inst: WmiInstance, conds: ReadonlyArray<readonly [string, string]>): boolean {
  return conds.every(([k, v]) => {
    const key = Object.keys(inst).find((p) => p.toLowerCase() === k.toLowerCase());
    if (key === undefined) return false;
    const val = inst[key];
    return String(val ?? '').toLowerCase() === v.toLowerCase();
  });
}
