// Cmdlets about the session and the machine: Get-Date, Get-Process, Get-Service (plausible static
// lists of a Windows Server 2019 host), Get-Command, Get-Alias, Get-Host, *-Variable,
// Invoke-Expression, Start-Sleep, and the accepted-and-ignored module / policy cmdlets.
import { ParseError } from '../language/errors.js';
import { COMMON_PARAMETERS, SHOULD_PROCESS_PARAMETERS, type CmdletContext, type CmdletDef, type ParamDef } from '../runtime/command.js';
import { paramTypeName } from '../runtime/binder.js';
import type { FunctionInfo } from '../runtime/scope.js';
import { resolveType } from '../runtime/types.js';
import { numberToString, toNumber, toStr } from '../runtime/convert.js';
import { dateParts, formatDate } from '../runtime/dotnet-format.js';
import { makeRecord, PSRuntimeError } from '../runtime/errors.js';
import { enumValue } from '../runtime/members.js';
import { hasWildcard, wildcardToRegExp } from '../runtime/operators.js';
import { PSVariable } from '../runtime/scope.js';
import { convertTo } from '../runtime/types.js';
import { asList, PSDateTime, PSEnum, PSErrorRecord, PSException, PSHashtable, PSObject, PSTimeSpan, PSTypeRef, PSVersion, type ErrorInvocation, type PSValue } from '../runtime/values.js';

const UTIL = 'Microsoft.PowerShell.Utility';
const MGMT = 'Microsoft.PowerShell.Management';
const CORE = 'Microsoft.PowerShell.Core';

function def(name: string, module: string, params: ParamDef[], impl: Partial<Pick<CmdletDef, 'begin' | 'process' | 'end' | 'shouldProcess'>>): CmdletDef {
  const noun = name.replace('-', '');
  return { name, implementingType: `Microsoft.PowerShell.Commands.${noun}Command`, module, params, ...impl };
}

// ---- Get-Date -----------------------------------------------------------------------------------

function uformat(d: PSDateTime, f: string): string {
  const p = dateParts(d.ms, d.kind);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return f.replace(/%(.)/g, (_m, ch: string) => {
    switch (ch) {
      case 'Y':
        return String(p.year);
      case 'y':
        return pad(p.year % 100);
      case 'm':
        return pad(p.month);
      case 'd':
        return pad(p.day);
      case 'e':
        return String(p.day).padStart(2, ' ');
      case 'H':
        return pad(p.hour);
      case 'I':
        return pad(p.hour % 12 === 0 ? 12 : p.hour % 12);
      case 'k':
        return String(p.hour).padStart(2, ' ');
      case 'l':
        return String(p.hour % 12 === 0 ? 12 : p.hour % 12).padStart(2, ' ');
      case 'M':
        return pad(p.minute);
      case 'S':
        return pad(p.second);
      case 'p':
        return p.hour < 12 ? 'AM' : 'PM';
      case 'A':
        return formatDate(p, 'dddd');
      case 'a':
        return formatDate(p, 'ddd');
      case 'B':
        return formatDate(p, 'MMMM');
      case 'b':
      case 'h':
        return formatDate(p, 'MMM');
      case 'j':
        return pad(Math.floor((d.ms - Date.UTC(p.year, 0, 1)) / 86400000) + 1, 3);
      case 's':
        return String(Math.floor(d.ms / 1000));
      case 'u':
        return String(p.dayOfWeek === 0 ? 7 : p.dayOfWeek);
      case 'w':
        return String(p.dayOfWeek);
      case 'D':
        return `${pad(p.month)}/${pad(p.day)}/${pad(p.year % 100)}`;
      case 'x':
        return `${pad(p.month)}/${pad(p.day)}/${pad(p.year % 100)}`;
      case 'T':
      case 'X':
        return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
      case 'R':
        return `${pad(p.hour)}:${pad(p.minute)}`;
      case 'c':
        return formatDate(p, 'ddd MMM dd HH:mm:ss yyyy');
      case 'Z':
        return '+00';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '%':
        return '%';
      default:
        return ch;
    }
  });
}

const FILE_FORMATS: Record<string, string> = {
  filedate: 'yyyyMMdd',
  filedateuniversal: "yyyyMMdd'Z'",
  filedatetime: 'yyyyMMddTHHmmssffff',
  filedatetimeuniversal: "yyyyMMddTHHmmssffff'Z'",
};

export const getDate = def('Get-Date', UTIL, [
  { name: 'Date', aliases: ['LastWriteTime'], type: 'datetime', position: 0, pipeline: 'both' },
  { name: 'Year', type: 'int' },
  { name: 'Month', type: 'int' },
  { name: 'Day', type: 'int' },
  { name: 'Hour', type: 'int' },
  { name: 'Minute', type: 'int' },
  { name: 'Second', type: 'int' },
  { name: 'Millisecond', type: 'int' },
  { name: 'DisplayHint', type: 'string', validateSet: ['Date', 'Time', 'DateTime'] },
  { name: 'Format', type: 'string' },
  { name: 'UFormat', type: 'string' },
], {
  process: async (c) => {
    let d = (c.get('Date') as PSDateTime | undefined) ?? new PSDateTime(c.engine.now(), 'Local');
    const adjust: [string, number][] = [['Year', 0], ['Month', 1], ['Day', 2], ['Hour', 3], ['Minute', 4], ['Second', 5], ['Millisecond', 6]];
    if (adjust.some(([n]) => c.has(n))) {
      const dt = new Date(d.ms);
      const parts = [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate(), dt.getUTCHours(), dt.getUTCMinutes(), dt.getUTCSeconds(), dt.getUTCMilliseconds()];
      for (const [n, i] of adjust) if (c.has(n)) parts[i] = Number(c.get(n));
      d = new PSDateTime(Date.UTC(parts[0] ?? 1, (parts[1] ?? 1) - 1, parts[2] ?? 1, parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0, parts[6] ?? 0), d.kind);
    }
    if (c.has('UFormat')) {
      await c.write(uformat(d, c.str('UFormat') ?? ''));
      return;
    }
    if (c.has('Format')) {
      const f = c.str('Format') ?? '';
      const mapped = FILE_FORMATS[f.toLowerCase()];
      try {
        await c.write(formatDate(dateParts(d.ms, f.toLowerCase().endsWith('universal') ? 'Utc' : d.kind, d.extraTicks), mapped ?? f));
      } catch {
        c.terminate({ message: 'Input string was not in a correct format.', errorId: 'System.FormatException', category: 'NotSpecified', exceptionType: 'System.FormatException' });
      }
      return;
    }
    await c.write(d);
  },
});

// ---- processes and services ------------------------------------------------------------------------

interface ProcSpec {
  readonly name: string;
  readonly id: number;
  readonly handles: number;
  readonly npmK: number;
  readonly pmK: number;
  readonly wsK: number;
  readonly cpu: number | undefined;
  readonly si: number;
  readonly path?: string;
}

const SYS32 = 'C:\\Windows\\system32';
const PROCESSES: readonly ProcSpec[] = [
  { name: 'conhost', id: 3308, handles: 107, npmK: 7, pmK: 6320, wsK: 11812, cpu: 0.03, si: 0, path: `${SYS32}\\conhost.exe` },
  { name: 'csrss', id: 388, handles: 305, npmK: 12, pmK: 1584, wsK: 4768, cpu: undefined, si: 0 },
  { name: 'csrss', id: 476, handles: 164, npmK: 10, pmK: 1412, wsK: 4424, cpu: undefined, si: 1 },
  { name: 'dwm', id: 936, handles: 245, npmK: 19, pmK: 17568, wsK: 35924, cpu: undefined, si: 1 },
  { name: 'fontdrvhost', id: 776, handles: 33, npmK: 5, pmK: 1396, wsK: 3496, cpu: undefined, si: 0 },
  { name: 'fontdrvhost', id: 784, handles: 33, npmK: 6, pmK: 1604, wsK: 3872, cpu: undefined, si: 1 },
  { name: 'Idle', id: 0, handles: 0, npmK: 0, pmK: 60, wsK: 8, cpu: undefined, si: 0 },
  { name: 'LogonUI', id: 996, handles: 379, npmK: 26, pmK: 10420, wsK: 42272, cpu: undefined, si: 1 },
  { name: 'lsass', id: 620, handles: 1032, npmK: 23, pmK: 5560, wsK: 14780, cpu: undefined, si: 0 },
  { name: 'msdtc', id: 2652, handles: 202, npmK: 13, pmK: 2688, wsK: 9212, cpu: undefined, si: 0 },
  { name: 'Registry', id: 88, handles: 0, npmK: 8, pmK: 2124, wsK: 22928, cpu: undefined, si: 0 },
  { name: 'services', id: 604, handles: 457, npmK: 10, pmK: 4180, wsK: 8292, cpu: undefined, si: 0 },
  { name: 'smss', id: 280, handles: 53, npmK: 3, pmK: 1060, wsK: 1188, cpu: undefined, si: 0 },
  { name: 'spoolsv', id: 1864, handles: 461, npmK: 27, pmK: 5768, wsK: 15032, cpu: undefined, si: 0 },
  { name: 'svchost', id: 708, handles: 119, npmK: 7, pmK: 1296, wsK: 5132, cpu: undefined, si: 0 },
  { name: 'svchost', id: 740, handles: 812, npmK: 18, pmK: 7260, wsK: 17624, cpu: undefined, si: 0 },
  { name: 'svchost', id: 844, handles: 685, npmK: 14, pmK: 5600, wsK: 11288, cpu: undefined, si: 0 },
  { name: 'svchost', id: 896, handles: 1453, npmK: 48, pmK: 15216, wsK: 33608, cpu: undefined, si: 0 },
  { name: 'svchost', id: 1104, handles: 483, npmK: 24, pmK: 11844, wsK: 21036, cpu: undefined, si: 0 },
  { name: 'svchost', id: 1276, handles: 389, npmK: 17, pmK: 4580, wsK: 12864, cpu: undefined, si: 0 },
  { name: 'svchost', id: 1512, handles: 573, npmK: 28, pmK: 8796, wsK: 22124, cpu: undefined, si: 0 },
  { name: 'System', id: 4, handles: 1589, npmK: 0, pmK: 192, wsK: 144, cpu: 27.42, si: 0 },
  { name: 'wininit', id: 468, handles: 152, npmK: 11, pmK: 1428, wsK: 6332, cpu: undefined, si: 0 },
  { name: 'winlogon', id: 540, handles: 250, npmK: 12, pmK: 2556, wsK: 9676, cpu: undefined, si: 1 },
  { name: 'WmiPrvSE', id: 2968, handles: 335, npmK: 17, pmK: 8812, wsK: 18448, cpu: undefined, si: 0 },
  { name: 'winrshost', id: 3124, handles: 150, npmK: 10, pmK: 2236, wsK: 8620, cpu: 0.06, si: 0, path: `${SYS32}\\winrshost.exe` },
];

function processObject(c: CmdletContext, p: ProcSpec): PSObject {
  const o = new PSObject(['System.Diagnostics.Process', 'System.ComponentModel.Component', 'System.MarshalByRefObject', 'System.Object']);
  o.addProperty({ name: 'Name', kind: 'AliasProperty', value: p.name });
  o.addProperty({ name: 'SI', kind: 'AliasProperty', value: p.si });
  o.addProperty({ name: 'Handles', kind: 'AliasProperty', value: p.handles });
  o.addProperty({ name: 'VM', kind: 'AliasProperty', value: p.pmK * 1024 * 4 + 2199023255552 });
  o.addProperty({ name: 'WS', kind: 'AliasProperty', value: p.wsK * 1024 });
  o.addProperty({ name: 'PM', kind: 'AliasProperty', value: p.pmK * 1024 });
  o.addProperty({ name: 'NPM', kind: 'AliasProperty', value: p.npmK * 1024 });
  o.addProperty({ name: 'Path', kind: 'ScriptProperty', value: p.path ?? null });
  o.addProperty({ name: 'Company', kind: 'ScriptProperty', value: p.path !== undefined ? 'Microsoft Corporation' : null });
  o.addProperty({ name: 'CPU', kind: 'ScriptProperty', value: p.cpu ?? null });
  o.addProperty({ name: 'FileVersion', kind: 'ScriptProperty', value: p.path !== undefined ? '10.0.17763.1 (WinBuild.160101.0800)' : null });
  o.addProperty({ name: 'ProductVersion', kind: 'ScriptProperty', value: p.path !== undefined ? '10.0.17763.1' : null });
  o.addProperty({ name: 'Description', kind: 'ScriptProperty', value: p.path !== undefined ? p.name : null });
  o.addProperty({ name: 'Product', kind: 'ScriptProperty', value: p.path !== undefined ? 'Microsoft® Windows® Operating System' : null });
  o.addProperty({ name: 'BasePriority', kind: 'Property', value: 8 });
  o.addProperty({ name: 'HasExited', kind: 'Property', value: false });
  o.addProperty({ name: 'HandleCount', kind: 'Property', value: p.handles });
  o.addProperty({ name: 'Id', kind: 'Property', value: p.id });
  o.addProperty({ name: 'MachineName', kind: 'Property', value: '.' });
  o.addProperty({ name: 'MainWindowTitle', kind: 'Property', value: '' });
  o.addProperty({ name: 'PriorityClass', kind: 'Property', value: enumValue('System.Diagnostics.ProcessPriorityClass', ['Normal'], 'Normal') });
  o.addProperty({ name: 'ProcessName', kind: 'Property', value: p.name });
  o.addProperty({ name: 'SessionId', kind: 'Property', value: p.si });
  o.addProperty({ name: 'StartTime', kind: 'Property', value: new PSDateTime(c.engine.now() - 3600000 - p.id * 1000, 'Local') });
  o.addProperty({ name: 'TotalProcessorTime', kind: 'Property', value: new PSTimeSpan((p.cpu ?? 0) * 1000) });
  o.addProperty({ name: 'WorkingSet64', kind: 'Property', value: p.wsK * 1024 });
  o.addProperty({ name: 'PrivateMemorySize64', kind: 'Property', value: p.pmK * 1024 });
  o.addProperty({ name: 'VirtualMemorySize64', kind: 'Property', value: p.pmK * 1024 * 4 + 2199023255552 });
  o.defaultDisplay = ['Id', 'Handles', 'CPU', 'SI', 'Name'];
  o.toStringFn = () => `System.Diagnostics.Process (${p.name})`;
  o.addMethod('Kill', () => {
    throw makeError(`Access is denied`, 'Win32Exception');
  });
  return o;
}

function makeError(message: string, type: string): PSRuntimeError {
  return new PSRuntimeError(makeRecord({ message: `Exception calling "Kill" with "0" argument(s): "${message}"`, errorId: type, category: 'NotSpecified', exceptionType: 'System.Management.Automation.MethodInvocationException' }));
}

/** The emulated powershell.exe process (for $PID and GetCurrentProcess()). */
export function currentProcessSpec(pid: number): ProcSpec {
  return { name: 'powershell', id: pid, handles: 553, npmK: 29, pmK: 58240, wsK: 65372, cpu: 0.52, si: 0, path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' };
}

export function processes(c: CmdletContext): PSObject[] {
  const pid = Number(c.engine.global.lookup('PID')?.value ?? 4242);
  const all = [...PROCESSES, currentProcessSpec(pid)].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.id - b.id);
  return all.map((p) => processObject(c, p));
}

export function processObjectFor(c: CmdletContext | { engine: CmdletContext['engine'] }, pid: number): PSObject {
  return processObject(c as CmdletContext, currentProcessSpec(pid));
}

export const getProcess = def('Get-Process', MGMT, [
  { name: 'Name', aliases: ['ProcessName'], type: 'string[]', position: 0, pipeline: 'property' },
  { name: 'Id', aliases: ['PID'], type: 'object[]', pipeline: 'property' },
  { name: 'IncludeUserName', type: 'switch' },
  { name: 'Module', type: 'switch' },
  { name: 'FileVersionInfo', aliases: ['FV', 'FVI'], type: 'switch' },
  { name: 'ComputerName', aliases: ['Cn'], type: 'string[]' },
], {
  process: async (c) => {
    const all = processes(c);
    if (c.has('Id')) {
      for (const idv of c.get('Id') as PSValue[]) {
        const id = Number(idv);
        const p = all.find((x) => x.getValue('Id') === id);
        if (p === undefined) {
          await c.writeError({ message: `Cannot find a process with the process identifier ${id}.`, errorId: 'NoProcessFoundForGivenId', category: 'ObjectNotFound', target: id, exceptionType: 'Microsoft.PowerShell.Commands.ProcessCommandException' });
        } else await c.write(p);
      }
      return;
    }
    const names = c.strs('Name');
    if (names === undefined) {
      for (const p of all) await c.write(p);
      return;
    }
    for (const n of names) {
      const re = wildcardToRegExp(n);
      const hits = all.filter((p) => re.test(toStr(p.getValue('ProcessName') ?? '')));
      if (hits.length === 0 && !hasWildcard(n)) {
        await c.writeError({
          message: `Cannot find a process with the name "${n}". Verify the process name and call the cmdlet again.`,
          errorId: 'NoProcessFoundForGivenName',
          category: 'ObjectNotFound',
          target: n,
          exceptionType: 'Microsoft.PowerShell.Commands.ProcessCommandException',
        });
      }
      for (const p of hits) await c.write(p);
    }
  },
});

const SERVICES: readonly [string, string, 'Running' | 'Stopped', 'Automatic' | 'Manual' | 'Disabled'][] = [
  ['BFE', 'Base Filtering Engine', 'Running', 'Automatic'],
  ['BITS', 'Background Intelligent Transfer Service', 'Stopped', 'Manual'],
  ['CryptSvc', 'Cryptographic Services', 'Running', 'Automatic'],
  ['DcomLaunch', 'DCOM Server Process Launcher', 'Running', 'Automatic'],
  ['Dhcp', 'DHCP Client', 'Running', 'Automatic'],
  ['Dnscache', 'DNS Client', 'Running', 'Automatic'],
  ['EventLog', 'Windows Event Log', 'Running', 'Automatic'],
  ['LanmanServer', 'Server', 'Running', 'Automatic'],
  ['LanmanWorkstation', 'Workstation', 'Running', 'Automatic'],
  ['MpsSvc', 'Windows Defender Firewall', 'Running', 'Automatic'],
  ['MSDTC', 'Distributed Transaction Coordinator', 'Running', 'Automatic'],
  ['Netlogon', 'Netlogon', 'Stopped', 'Manual'],
  ['nsi', 'Network Store Interface Service', 'Running', 'Automatic'],
  ['PlugPlay', 'Plug and Play', 'Running', 'Manual'],
  ['RemoteRegistry', 'Remote Registry', 'Stopped', 'Automatic'],
  ['RpcEptMapper', 'RPC Endpoint Mapper', 'Running', 'Automatic'],
  ['RpcSs', 'Remote Procedure Call (RPC)', 'Running', 'Automatic'],
  ['SamSs', 'Security Accounts Manager', 'Running', 'Automatic'],
  ['Schedule', 'Task Scheduler', 'Running', 'Automatic'],
  ['Spooler', 'Print Spooler', 'Running', 'Automatic'],
  ['TermService', 'Remote Desktop Services', 'Running', 'Manual'],
  ['W32Time', 'Windows Time', 'Running', 'Manual'],
  ['WinDefend', 'Windows Defender Antivirus Service', 'Running', 'Automatic'],
  ['WinRM', 'Windows Remote Management (WS-Management)', 'Running', 'Automatic'],
  ['Winmgmt', 'Windows Management Instrumentation', 'Running', 'Automatic'],
  ['wuauserv', 'Windows Update', 'Stopped', 'Manual'],
];

function serviceObject(name: string, display: string, status: string, start: string): PSObject {
  const o = new PSObject(['System.ServiceProcess.ServiceController', 'System.ComponentModel.Component', 'System.MarshalByRefObject', 'System.Object']);
  const running = status === 'Running';
  o.addProperty({ name: 'Name', kind: 'AliasProperty', value: name });
  o.addProperty({ name: 'RequiredServices', kind: 'AliasProperty', value: [] });
  o.addProperty({ name: 'CanPauseAndContinue', kind: 'Property', value: false });
  o.addProperty({ name: 'CanShutdown', kind: 'Property', value: running });
  o.addProperty({ name: 'CanStop', kind: 'Property', value: running });
  o.addProperty({ name: 'DisplayName', kind: 'Property', value: display });
  o.addProperty({ name: 'DependentServices', kind: 'Property', value: [] });
  o.addProperty({ name: 'MachineName', kind: 'Property', value: '.' });
  o.addProperty({ name: 'ServiceName', kind: 'Property', value: name });
  o.addProperty({ name: 'ServicesDependedOn', kind: 'Property', value: [] });
  o.addProperty({ name: 'ServiceHandle', kind: 'Property', value: null });
  o.addProperty({ name: 'Status', kind: 'Property', value: enumValue('System.ServiceProcess.ServiceControllerStatus', ['', 'Stopped', 'StartPending', 'StopPending', 'Running', 'ContinuePending', 'PausePending', 'Paused'], status) });
  o.addProperty({ name: 'ServiceType', kind: 'Property', value: enumValue('System.ServiceProcess.ServiceType', [], 'Win32ShareProcess') });
  o.addProperty({ name: 'StartType', kind: 'Property', value: enumValue('System.ServiceProcess.ServiceStartMode', ['Boot', 'System', 'Automatic', 'Manual', 'Disabled'], start) });
  o.addProperty({ name: 'Site', kind: 'Property', value: null });
  o.addProperty({ name: 'Container', kind: 'Property', value: null });
  o.toStringFn = () => 'System.ServiceProcess.ServiceController';
  return o;
}

export const getService = def('Get-Service', MGMT, [
  { name: 'Name', aliases: ['ServiceName'], type: 'string[]', position: 0, pipeline: 'both' },
  { name: 'DisplayName', type: 'string[]' },
  { name: 'DependentServices', aliases: ['DS'], type: 'switch' },
  { name: 'RequiredServices', aliases: ['SDO', 'ServicesDependedOn'], type: 'switch' },
  { name: 'Include', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
  { name: 'ComputerName', aliases: ['Cn'], type: 'string[]' },
], {
  process: async (c) => {
    const all = [...SERVICES].sort((a, b) => a[0].toLowerCase().localeCompare(b[0].toLowerCase()));
    const names = c.strs('Name');
    const displays = c.strs('DisplayName');
    const emit = async (list: typeof all): Promise<void> => {
      for (const s of list) await c.write(serviceObject(s[0], s[1], s[2], s[3]));
    };
    if (names === undefined && displays === undefined) {
      await emit(all);
      return;
    }
    for (const n of names ?? []) {
      const re = wildcardToRegExp(n);
      const hits = all.filter((s) => re.test(s[0]) || re.test(s[1]));
      if (hits.length === 0 && !hasWildcard(n)) {
        await c.writeError({ message: `Cannot find any service with service name '${n}'.`, errorId: 'NoServiceFoundForGivenName', category: 'ObjectNotFound', target: n, exceptionType: 'Microsoft.PowerShell.Commands.ServiceCommandException' });
      }
      await emit(hits);
    }
    for (const n of displays ?? []) {
      const re = wildcardToRegExp(n);
      const hits = all.filter((s) => re.test(s[1]));
      if (hits.length === 0 && !hasWildcard(n)) {
        await c.writeError({ message: `Cannot find any service with display name '${n}'.`, errorId: 'NoServiceFoundForGivenDisplayName', category: 'ObjectNotFound', target: n, exceptionType: 'Microsoft.PowerShell.Commands.ServiceCommandException' });
      }
      await emit(hits);
    }
  },
});

// ---- commands and aliases ------------------------------------------------------------------------

const MODULE_VERSIONS: Record<string, string> = { 'Microsoft.PowerShell.Management': '3.1.0.0', 'Microsoft.PowerShell.Utility': '3.1.0.0', 'Microsoft.PowerShell.Core': '3.0.0.0' };

// ---- CommandInfo.Parameters (Import-PSSession reads Name, IsDynamic, Aliases, SwitchParameter) ----

const MSCORLIB = 'mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089';
const SMA = 'System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35';
const PARAMETERS_TYPE = `System.Collections.Generic.Dictionary\`2[[System.String, ${MSCORLIB}],[System.Management.Automation.ParameterMetadata, ${SMA}]]`;
const ALIASES_TYPE = `System.Collections.ObjectModel.Collection\`1[[System.String, ${MSCORLIB}]]`;

/** The common parameters' .NET types [about_CommonParameters]. */
const COMMON_TYPES: Record<string, string> = {
  ErrorAction: 'System.Management.Automation.ActionPreference',
  WarningAction: 'System.Management.Automation.ActionPreference',
  InformationAction: 'System.Management.Automation.ActionPreference',
};

/** A ParameterMetadata as Windows serialises it (recorded: test_psrp_get_command_metadata.yml). */
function parameterMetadata(name: string, type: string, aliases: readonly string[]): PSObject {
  const o = new PSObject(['System.Management.Automation.ParameterMetadata', 'System.Object']);
  o.addProperty({ name: 'Name', kind: 'Property', value: name });
  o.addProperty({ name: 'ParameterType', kind: 'Property', value: type });
  o.addProperty({ name: 'Aliases', kind: 'Property', value: asList([...aliases], ALIASES_TYPE) });
  o.addProperty({ name: 'IsDynamic', kind: 'Property', value: false });
  o.addProperty({ name: 'SwitchParameter', kind: 'Property', value: type === 'System.Management.Automation.SwitchParameter' });
  o.toStringFn = () => 'System.Management.Automation.ParameterMetadata';
  return o;
}

function parametersOf(list: readonly { name: string; type: string; aliases: readonly string[] }[]): PSHashtable {
  const h = new PSHashtable();
  h.dictionaryType = PARAMETERS_TYPE;
  for (const p of list) h.set(p.name, parameterMetadata(p.name, p.type, p.aliases));
  return h;
}

const commonParameters = (shouldProcess: boolean) =>
  [...COMMON_PARAMETERS, ...(shouldProcess ? SHOULD_PROCESS_PARAMETERS : [])].map((p) => ({ name: p.name, type: COMMON_TYPES[p.name] ?? paramTypeName(p), aliases: p.aliases ?? [] }));

/** A cmdlet's parameters, then the common ones (all of them: Import-PSSession proxies it as a cmdlet). */
export function cmdletParameters(d: CmdletDef): PSHashtable {
  return parametersOf([...d.params.map((p) => ({ name: p.name, type: paramTypeName(p), aliases: p.aliases ?? [] })), ...commonParameters(d.shouldProcess === true)]);
}

function functionParameters(f: FunctionInfo): PSHashtable {
  const params = f.parameters ?? f.body.paramBlock?.parameters ?? [];
  const own = params.map((p) => ({ name: p.name, type: p.typeName === undefined ? 'System.Object' : (resolveType(p.typeName)?.fullName ?? p.typeName), aliases: p.aliases }));
  return parametersOf([...own, ...(f.body.cmdletBinding ? commonParameters(false) : [])]);
}

function commandInfo(kind: 'Cmdlet' | 'Function' | 'Alias' | 'Application', name: string, source: string, extra: { definition?: string; resolved?: string; path?: string; parameters?: () => PSValue; cmdletBinding?: boolean } = {}): PSObject {
  const typeName = { Cmdlet: 'System.Management.Automation.CmdletInfo', Function: 'System.Management.Automation.FunctionInfo', Alias: 'System.Management.Automation.AliasInfo', Application: 'System.Management.Automation.ApplicationInfo' }[kind];
  const o = new PSObject([typeName, 'System.Management.Automation.CommandInfo', 'System.Object']);
  const version = kind === 'Application' ? new PSVersion(10, 0, 17763, 1) : MODULE_VERSIONS[source] !== undefined ? PSVersion.parse(MODULE_VERSIONS[source] ?? '') ?? null : null;
  o.setNote('HelpUri', '');
  o.setNote('CommandType', new PSEnum('System.Management.Automation.CommandTypes', kind, { Alias: 1, Function: 2, Cmdlet: 8, Application: 32 }[kind]));
  o.setNote('Name', name);
  o.setNote('Definition', extra.definition ?? name);
  o.setNote('Version', version);
  o.setNote('Source', kind === 'Application' ? (extra.path ?? '') : source);
  o.setNote('ModuleName', kind === 'Application' ? '' : source);
  o.setNote('Visibility', 'Public');
  if (kind === 'Alias') {
    o.setNote('DisplayName', `${name} -> ${extra.resolved ?? ''}`);
    o.setNote('ResolvedCommandName', extra.resolved ?? '');
  }
  if (kind === 'Application') o.setNote('Path', extra.path ?? '');
  // CmdletInfo's DefaultParameterSet (the emulation has no parameter sets), FunctionInfo's CmdletBinding.
  if (kind === 'Cmdlet' || kind === 'Function') o.addProperty({ name: 'DefaultParameterSet', kind: 'Property', value: null });
  if (kind === 'Function') o.addProperty({ name: 'CmdletBinding', kind: 'Property', value: extra.cmdletBinding === true });
  const parameters = extra.parameters ?? (() => parametersOf([]));
  o.addProperty({ name: 'Parameters', kind: 'Property', getter: parameters });
  o.toStringFn = () => (kind === 'Alias' ? name : name);
  return o;
}

const KNOWN_APPLICATIONS = ['cmd.exe', 'hostname.exe', 'whoami.exe', 'ipconfig.exe', 'systeminfo.exe', 'where.exe', 'sort.exe', 'findstr.exe', 'more.com', 'timeout.exe', 'winrm.cmd', 'ping.exe', 'net.exe', 'netsh.exe', 'reg.exe', 'sc.exe', 'tasklist.exe', 'taskkill.exe', 'certutil.exe', 'powershell.exe'];

function allCommands(c: CmdletContext): PSObject[] {
  const out: PSObject[] = [];
  const visible = (n: string) => c.engine.config.commandVisible?.(n) ?? true;
  for (const [a, target] of [...c.engine.aliases].sort((x, y) => x[0].localeCompare(y[0]))) {
    if (!visible(a)) continue;
    const d = c.engine.cmdlets.get(target.toLowerCase());
    out.push(commandInfo('Alias', a, '', { resolved: target, definition: target, ...(d ? { parameters: () => cmdletParameters(d) } : {}) }));
  }
  for (const f of c.frame.scope.allFunctions().sort((x, y) => x.name.toLowerCase().localeCompare(y.name.toLowerCase()))) {
    if (c.engine.builtinFunctions.has(f.name.toLowerCase()) && !visible(f.name)) continue;
    out.push(commandInfo('Function', f.name, '', { definition: '', parameters: () => functionParameters(f), cmdletBinding: f.body.cmdletBinding }));
  }
  for (const d of [...c.engine.cmdlets.values()].sort((x, y) => x.name.localeCompare(y.name))) {
    if (visible(d.name)) out.push(commandInfo('Cmdlet', d.name, d.module, { parameters: () => cmdletParameters(d) }));
  }
  return out;
}

export const getCommand = def('Get-Command', CORE, [
  { name: 'Name', type: 'string[]', position: 0, pipeline: 'both' },
  { name: 'CommandType', aliases: ['Type'], type: 'string[]' },
  { name: 'Module', type: 'string[]' },
  { name: 'Noun', type: 'string[]' },
  { name: 'Verb', type: 'string[]' },
  { name: 'ListImported', type: 'switch' },
  { name: 'All', type: 'switch' },
  { name: 'Syntax', type: 'switch' },
  { name: 'TotalCount', type: 'int' },
  { name: 'ArgumentList', aliases: ['Args'], type: 'object[]', position: 1 },
], {
  process: async (c) => {
    const all = allCommands(c);
    // A CommandTypes flags value arrives as its names ("Alias, Function, Filter, Cmdlet").
    const types = c.strs('CommandType')?.flatMap((t) => t.split(',')).map((t) => t.trim().toLowerCase());
    const modules = c.strs('Module')?.map((m) => wildcardToRegExp(m));
    const nouns = c.strs('Noun')?.map((m) => wildcardToRegExp(m));
    const verbs = c.strs('Verb')?.map((m) => wildcardToRegExp(m));
    const filterMeta = (o: PSObject): boolean => {
      const kind = toStr(o.getValue('CommandType') ?? null).toLowerCase();
      if (types !== undefined && !types.includes(kind) && !types.includes('all')) return false;
      const name = toStr(o.getValue('Name') ?? null);
      if (modules !== undefined && !modules.some((r) => r.test(toStr(o.getValue('Source') ?? null)))) return false;
      if (nouns !== undefined && !nouns.some((r) => r.test(name.split('-')[1] ?? ''))) return false;
      if (verbs !== undefined && !verbs.some((r) => r.test(name.split('-')[0] ?? ''))) return false;
      return true;
    };
    const names = c.strs('Name');
    if (names === undefined) {
      const list = all.filter((o) => filterMeta(o) && (types !== undefined || nouns !== undefined || verbs !== undefined || modules !== undefined || toStr(o.getValue('CommandType') ?? null) !== 'Alias' || true));
      for (const o of list) await c.write(o);
      return;
    }
    for (const n of names) {
      const re = wildcardToRegExp(n);
      let hits = all.filter((o) => re.test(toStr(o.getValue('Name') ?? null)) && filterMeta(o));
      if (hits.length === 0 && !hasWildcard(n)) {
        const exe = KNOWN_APPLICATIONS.find((a) => a.toLowerCase() === n.toLowerCase() || a.toLowerCase().replace(/\.(exe|com|cmd)$/, '') === n.toLowerCase());
        if (exe !== undefined && c.engine.externalExists(exe)) {
          hits = [commandInfo('Application', exe, '', { path: `C:\\Windows\\system32\\${exe}`, definition: `C:\\Windows\\system32\\${exe}` })];
        }
      }
      if (hits.length === 0 && !hasWildcard(n)) {
        await c.writeError({
          message: `The term '${n}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
          errorId: 'CommandNotFoundException',
          category: 'ObjectNotFound',
          target: n,
          exceptionType: 'System.Management.Automation.CommandNotFoundException',
        });
      }
      for (const o of hits) await c.write(o);
    }
  },
});

export const getAlias = def('Get-Alias', UTIL, [
  { name: 'Name', type: 'string[]', position: 0 },
  { name: 'Definition', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
  { name: 'Scope', type: 'string' },
], {
  process: async (c) => {
    const names = c.strs('Name')?.map((n) => wildcardToRegExp(n));
    const defs = c.strs('Definition')?.map((n) => wildcardToRegExp(n));
    const list = [...c.engine.aliases].sort((a, b) => a[0].localeCompare(b[0]));
    let any = false;
    for (const [a, target] of list) {
      if (names !== undefined && !names.some((r) => r.test(a))) continue;
      if (defs !== undefined && !defs.some((r) => r.test(target))) continue;
      any = true;
      await c.write(commandInfo('Alias', a, '', { resolved: target, definition: target }));
    }
    if (!any && names !== undefined) {
      for (const n of c.strs('Name') ?? []) {
        if (!hasWildcard(n)) {
          await c.writeError({ message: `Cannot find alias because alias '${n}' does not exist.`, errorId: 'ItemNotFoundException', category: 'ObjectNotFound', target: n, exceptionType: 'System.Management.Automation.ItemNotFoundException' });
        }
      }
    }
  },
});

export const newAlias = def('New-Alias', UTIL, [{ name: 'Name', type: 'string', position: 0, mandatory: true }, { name: 'Value', type: 'string', position: 1, mandatory: true }, { name: 'Force', type: 'switch' }, { name: 'Scope', type: 'string' }, { name: 'Option', type: 'string' }, { name: 'Description', type: 'string' }, { name: 'PassThru', type: 'switch' }], {
  process: async (c) => {
    c.engine.aliases.set((c.str('Name') ?? '').toLowerCase(), c.str('Value') ?? '');
  },
});
export const setAlias = { ...newAlias, name: 'Set-Alias', implementingType: 'Microsoft.PowerShell.Commands.SetAliasCommand' };

// ---- host ------------------------------------------------------------------------------------------

export function hostObject(c: { engine: CmdletContext['engine'] }, version: PSVersion, instanceId: string): PSObject {
  const o = new PSObject(['System.Management.Automation.Internal.Host.InternalHost', 'System.Management.Automation.Host.PSHost', 'System.Object']);
  const ui = new PSObject(['System.Management.Automation.Internal.Host.InternalHostUserInterface', 'System.Management.Automation.Host.PSHostUserInterface', 'System.Object']);
  const raw = new PSObject(['System.Management.Automation.Internal.Host.InternalHostRawUserInterface', 'System.Management.Automation.Host.PSHostRawUserInterface', 'System.Object']);
  const size = (w: number, h: number): PSObject => {
    const s = new PSObject(['System.Management.Automation.Host.Size', 'System.ValueType', 'System.Object']);
    s.setNote('Width', w);
    s.setNote('Height', h);
    s.toStringFn = () => `${w},${h}`;
    return s;
  };
  const width = c.engine.config.consoleWidth > 0 ? c.engine.config.consoleWidth : 120;
  raw.setNote('ForegroundColor', 'Gray');
  raw.setNote('BackgroundColor', 'Black');
  raw.setNote('BufferSize', size(width, 3000));
  raw.setNote('WindowSize', size(width, 50));
  raw.setNote('MaxWindowSize', size(width, 50));
  raw.setNote('MaxPhysicalWindowSize', size(width, 50));
  raw.setNote('KeyAvailable', false);
  raw.setNote('WindowTitle', 'Windows PowerShell');
  ui.setNote('RawUI', raw);
  ui.setNote('SupportsVirtualTerminal', false);
  ui.toStringFn = () => 'System.Management.Automation.Internal.Host.InternalHostUserInterface';
  o.setNote('Name', 'ConsoleHost');
  o.setNote('Version', version);
  o.setNote('InstanceId', convertTo(instanceId, new PSTypeRef('System.Guid')));
  o.setNote('UI', ui);
  o.setNote('CurrentCulture', 'en-US');
  o.setNote('CurrentUICulture', 'en-US');
  o.setNote('PrivateData', 'Microsoft.PowerShell.ConsoleHost+ConsoleColorProxy');
  o.setNote('DebuggerEnabled', true);
  o.setNote('IsRunspacePushed', false);
  o.setNote('Runspace', 'System.Management.Automation.Runspaces.LocalRunspace');
  o.addMethod('SetShouldExit', (a) => {
    c.engine.setShouldExit(toNumber(a[0] ?? 0));
    return null;
  });
  o.toStringFn = () => 'System.Management.Automation.Internal.Host.InternalHost';
  return o;
}

export const getHost = def('Get-Host', UTIL, [], {
  process: async (c) => {
    await c.write(c.engine.global.lookup('Host')?.value ?? null);
  },
});

// ---- variables ---------------------------------------------------------------------------------------

function variableObject(v: PSVariable): PSObject {
  const o = new PSObject(['System.Management.Automation.PSVariable', 'System.Object']);
  o.setNote('Name', v.name);
  o.addProperty({ name: 'Value', kind: 'Property', getter: () => v.value, setter: (x) => (v.value = x) });
  o.setNote('Description', v.description);
  o.setNote('Options', v.constant ? 'Constant' : v.readOnly ? 'ReadOnly' : 'None');
  o.setNote('Visibility', 'Public');
  o.setNote('Attributes', []);
  o.toStringFn = () => v.name;
  return o;
}

export const getVariable = def('Get-Variable', UTIL, [
  { name: 'Name', type: 'string[]', position: 0, pipeline: 'property' },
  { name: 'ValueOnly', type: 'switch' },
  { name: 'Include', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
  { name: 'Scope', type: 'string' },
], {
  process: async (c) => {
    const vars = c.frame.scope.allVariables();
    const extra: PSVariable[] = [new PSVariable('?', c.engine.lastSuccess), new PSVariable('PWD', c.engine.pathInfo(c.engine.location))];
    const all = [...vars.filter((v) => v.name !== '_' || true), ...extra.filter((e) => !vars.some((v) => v.name.toLowerCase() === e.name.toLowerCase()))].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    const names = c.strs('Name');
    const exclude = (c.strs('Exclude') ?? []).map((x) => wildcardToRegExp(x));
    const emit = async (v: PSVariable): Promise<void> => {
      if (exclude.some((r) => r.test(v.name))) return;
      if (c.switch('ValueOnly')) await c.write(v.value);
      else await c.write(variableObject(v));
    };
    if (names === undefined) {
      for (const v of all) await emit(v);
      return;
    }
    for (const n of names) {
      const re = wildcardToRegExp(n);
      const hits = all.filter((v) => re.test(v.name));
      if (hits.length === 0 && !hasWildcard(n)) {
        await c.writeError({ message: `Cannot find a variable with the name '${n}'.`, errorId: 'VariableNotFound', category: 'ObjectNotFound', target: n, exceptionType: 'System.Management.Automation.ItemNotFoundException' });
      }
      for (const v of hits) await emit(v);
    }
  },
});

function variableWriter(name: 'Set-Variable' | 'New-Variable'): CmdletDef {
  return def(name, UTIL, [
    { name: 'Name', type: 'string[]', position: 0, mandatory: true, pipeline: 'property' },
    { name: 'Value', type: 'object', position: 1, pipeline: 'both' },
    { name: 'Scope', type: 'string' },
    { name: 'Option', type: 'string[]' },
    { name: 'Description', type: 'string' },
    { name: 'Force', type: 'switch' },
    { name: 'PassThru', type: 'switch' },
    { name: 'Visibility', type: 'string' },
  ], {
    process: async (c, input) => {
      const value = input !== undefined ? input : (c.get('Value') ?? null);
      const scope = c.str('Scope')?.toLowerCase();
      for (const n of c.strs('Name') ?? []) {
        const target = scope === 'global' ? c.engine.global : scope === 'script' ? c.frame.scope.script : c.frame.scope;
        const existing = target.vars.get(n.toLowerCase());
        if (name === 'New-Variable' && existing !== undefined && !c.switch('Force')) {
          await c.writeError({ message: `A variable with name '${n}' already exists.`, errorId: 'VariableAlreadyExists', category: 'ResourceExists', target: n, exceptionType: 'System.Management.Automation.SessionStateException' });
          continue;
        }
        const opts = (c.strs('Option') ?? []).map((o) => o.toLowerCase());
        if (existing !== undefined && (existing.readOnly || existing.constant) && !(c.switch('Force') && !existing.constant)) {
          await c.writeError({ message: `Cannot overwrite variable ${n} because it is read-only or constant.`, errorId: 'VariableNotWritable', category: 'WriteError', target: n, exceptionType: 'System.Management.Automation.SessionStateUnauthorizedAccessException' });
          continue;
        }
        const v = new PSVariable(n, value, opts.includes('readonly'), opts.includes('constant'), undefined, c.str('Description') ?? '');
        target.vars.set(n.toLowerCase(), v);
        if (c.switch('PassThru')) await c.write(variableObject(v));
      }
    },
  });
}

export const setVariable = variableWriter('Set-Variable');
export const newVariable = variableWriter('New-Variable');

export const removeVariable = def('Remove-Variable', UTIL, [{ name: 'Name', type: 'string[]', position: 0, mandatory: true }, { name: 'Scope', type: 'string' }, { name: 'Force', type: 'switch' }], {
  process: async (c) => {
    for (const n of c.strs('Name') ?? []) {
      let s: ReturnType<typeof c.frame.scope.qualified> | undefined = c.frame.scope;
      let removed = false;
      while (s !== undefined) {
        if (s.vars.delete(n.toLowerCase())) {
          removed = true;
          break;
        }
        s = s.parent;
      }
      if (!removed && !hasWildcard(n)) {
        await c.writeError({ message: `Cannot find a variable with the name '${n}'.`, errorId: 'VariableNotFound', category: 'ObjectNotFound', target: n, exceptionType: 'System.Management.Automation.ItemNotFoundException' });
      }
    }
  },
});

export const clearVariable = def('Clear-Variable', UTIL, [{ name: 'Name', type: 'string[]', position: 0, mandatory: true }, { name: 'Scope', type: 'string' }, { name: 'Force', type: 'switch' }], {
  process: async (c) => {
    for (const n of c.strs('Name') ?? []) {
      const v = c.frame.scope.lookup(n);
      if (v !== undefined) v.value = null;
    }
  },
});

// ---- Invoke-Expression / Start-Sleep -------------------------------------------------------------------

export const invokeExpression = def('Invoke-Expression', UTIL, [{ name: 'Command', type: 'string', position: 0, pipeline: 'value', mandatory: true }], {
  process: async (c, input) => {
    const text = input !== undefined ? toStr(input) : (c.str('Command') ?? '');
    let parsed;
    try {
      parsed = c.engine.parse(text);
    } catch (e) {
      if (e instanceof ParseError) {
        const ex = new PSException('System.Management.Automation.ParseException', e.exceptionMessage());
        const rec = makeRecord({ message: ex.message, errorId: e.errorId, category: 'ParserError', exceptionType: 'System.Management.Automation.ParseException' });
        rec.invocation = { command: { name: 'Invoke-Expression', type: 'Cmdlet', implementingType: 'Microsoft.PowerShell.Commands.InvokeExpressionCommand' }, invocationName: c.invocation.invocationName, ...(c.invocation.extent !== undefined ? { extent: c.invocation.extent } : {}), ...(c.invocation.source !== undefined ? { source: c.invocation.source } : {}) };
        throw new PSRuntimeError(rec, false);
      }
      throw e;
    }
    const frame = { ...c.frame, source: parsed.source };
    const iex: ErrorInvocation = { command: { name: 'Invoke-Expression', type: 'Cmdlet', implementingType: 'Microsoft.PowerShell.Commands.InvokeExpressionCommand' }, invocationName: c.invocation.invocationName, ...(c.invocation.extent !== undefined ? { extent: c.invocation.extent } : {}), ...(c.invocation.source !== undefined ? { source: c.invocation.source } : {}) };
    // Errors of the commands downstream pass through as they are.
    const downstream = new WeakSet<object>();
    const emit = async (v: PSValue) => {
      try {
        await c.write(v);
      } catch (e) {
        if (e instanceof Error) downstream.add(e);
        throw e;
      }
    };
    try {
      for (const part of [parsed.ast.begin, parsed.ast.process, parsed.ast.end]) {
        if (part === undefined) continue;
        await c.engine.execStatements(part, frame, emit, true);
      }
    } catch (e) {
      // An error that ends a statement of the text ends Invoke-Expression: it becomes the cmdlet's
      // terminating error (InvocationInfo, FullyQualifiedErrorId suffix and activity of
      // Invoke-Expression), e.g. `CommandNotFoundException,Microsoft.PowerShell.Commands.InvokeExpressionCommand`
      // [fixture:test_client_execute_ps_failure.yml, psrp.md §3.2].
      if (e instanceof PSRuntimeError && !e.scriptTerminating && !downstream.has(e)) {
        const r = e.record;
        const rec = new PSErrorRecord(r.exception, r.errorId, r.category, r.targetObject, iex);
        rec.errorDetails = r.errorDetails;
        rec.categoryReason = r.categoryReason;
        rec.categoryTargetName = r.categoryTargetName;
        rec.categoryTargetType = r.categoryTargetType;
        rec.messageDetails = r.messageDetails;
        throw new PSRuntimeError(rec, false);
      }
      throw e;
    }
  },
});

export const startSleep = def('Start-Sleep', UTIL, [
  { name: 'Seconds', aliases: ['s'], type: 'double', position: 0, pipeline: 'both' },
  { name: 'Milliseconds', aliases: ['ms'], type: 'int', pipeline: 'property' },
], {
  process: async (c) => {
    const ms = c.has('Milliseconds') ? Number(c.get('Milliseconds')) : Math.round(Number(c.get('Seconds') ?? 0) * 1000);
    if (ms > 0) await c.engine.config.sleep(ms);
  },
});

// ---- accepted and ignored ---------------------------------------------------------------------------------

function noop(name: string, module: string, params: ParamDef[], out?: (c: CmdletContext) => PSValue | undefined): CmdletDef {
  return def(name, module, params, {
    process: async (c) => {
      const v = out?.(c);
      if (v !== undefined) await c.write(v);
    },
  });
}

const KNOWN_MODULES = ['Microsoft.PowerShell.Management', 'Microsoft.PowerShell.Utility', 'Microsoft.PowerShell.Security', 'Microsoft.WSMan.Management', 'PSReadline', 'CimCmdlets', 'Microsoft.PowerShell.Archive', 'PSDesiredStateConfiguration', 'ServerManager', 'NetTCPIP', 'NetSecurity', 'ScheduledTasks'];

export const importModule = def('Import-Module', CORE, [
  { name: 'Name', type: 'string[]', position: 0, mandatory: true, pipeline: 'both' },
  { name: 'Force', type: 'switch' },
  { name: 'PassThru', type: 'switch' },
  { name: 'Global', type: 'switch' },
  { name: 'Prefix', type: 'string' },
  { name: 'RequiredVersion', type: 'string' },
  { name: 'MinimumVersion', type: 'string' },
  { name: 'DisableNameChecking', type: 'switch' },
  { name: 'Function', type: 'string[]' },
  { name: 'Cmdlet', type: 'string[]' },
], {
  process: async (c) => {
    for (const n of c.strs('Name') ?? []) {
      if (KNOWN_MODULES.some((m) => m.toLowerCase() === n.toLowerCase())) continue;
      await c.writeError({
        message: `The specified module '${n}' was not loaded because no valid module file was found in any module directory.`,
        errorId: 'Modules_ModuleNotFound',
        category: 'ResourceUnavailable',
        target: n,
        exceptionType: 'System.IO.FileNotFoundException',
      });
    }
  },
});

export const MISC_CMDLETS: CmdletDef[] = [
  getDate,
  getProcess,
  getService,
  getCommand,
  getAlias,
  newAlias,
  setAlias,
  getHost,
  getVariable,
  setVariable,
  newVariable,
  removeVariable,
  clearVariable,
  invokeExpression,
  startSleep,
  importModule,
  noop('Set-StrictMode', CORE, [{ name: 'Version', type: 'string' }, { name: 'Off', type: 'switch' }]),
  noop('Set-ExecutionPolicy', 'Microsoft.PowerShell.Security', [{ name: 'ExecutionPolicy', type: 'string', position: 0 }, { name: 'Scope', type: 'string' }, { name: 'Force', type: 'switch' }]),
  noop('Get-ExecutionPolicy', 'Microsoft.PowerShell.Security', [{ name: 'Scope', type: 'string' }, { name: 'List', type: 'switch' }], () => enumValue('Microsoft.PowerShell.ExecutionPolicy', ['Unrestricted', 'RemoteSigned', 'AllSigned', 'Restricted', 'Default', 'Bypass', 'Undefined'], 'RemoteSigned')),
  noop('Write-Progress', UTIL, [{ name: 'Activity', type: 'string', position: 0 }, { name: 'Status', type: 'string', position: 1 }, { name: 'Id', type: 'int', position: 2 }, { name: 'PercentComplete', type: 'int' }, { name: 'SecondsRemaining', type: 'int' }, { name: 'CurrentOperation', type: 'string' }, { name: 'ParentId', type: 'int' }, { name: 'Completed', type: 'switch' }, { name: 'SourceId', type: 'int' }]),
  noop('Clear-Host', CORE, []),
  noop('Get-Culture', UTIL, [], () => {
    const o = new PSObject(['System.Globalization.CultureInfo', 'System.Object']);
    o.setNote('LCID', 1033);
    o.setNote('Name', 'en-US');
    o.setNote('DisplayName', 'English (United States)');
    o.toStringFn = () => 'en-US';
    return o;
  }),
  noop('Get-UICulture', UTIL, [], () => {
    const o = new PSObject(['System.Globalization.CultureInfo', 'System.Object']);
    o.setNote('LCID', 1033);
    o.setNote('Name', 'en-US');
    o.setNote('DisplayName', 'English (United States)');
    o.toStringFn = () => 'en-US';
    return o;
  }),
  noop('Get-Random', UTIL, [{ name: 'Maximum', aliases: ['Max'], type: 'object', position: 0 }, { name: 'Minimum', aliases: ['Min'], type: 'object' }, { name: 'InputObject', type: 'object[]', pipeline: 'value' }, { name: 'Count', type: 'int' }, { name: 'SetSeed', type: 'int' }], (c) => {
    const seed = Number.parseInt(c.engine.newGuid().replace(/-/g, '').slice(0, 8), 16);
    const items = c.get('InputObject');
    if (Array.isArray(items) && items.length > 0) return items[seed % items.length] ?? null;
    const min = c.has('Minimum') ? Number(c.get('Minimum')) : 0;
    const max = c.has('Maximum') ? Number(c.get('Maximum')) : 2147483647;
    return min + (seed % Math.max(1, max - min));
  }),
];

export { numberToString };
