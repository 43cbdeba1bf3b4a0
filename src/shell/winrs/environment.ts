// The environment a WinRS process starts with on Windows Server 2019, from the `set` output
// recorded in fx pypsrp/test_winrs_environment.yml and test_winrs_noprofile.yml (the recording
// host's extra Chocolatey, Docker, Git and vim entries left out). WINRS_NOPROFILE drops the
// profile-specific values (APPDATA, LOCALAPPDATA) and points USERPROFILE/TEMP at the defaults.

export interface EnvironmentInput {
  readonly computerName: string;
  readonly userName: string;
  readonly noProfile: boolean;
  /** `rsp:Environment` variables, in request order; they win over defaults. */
  readonly requested: ReadonlyArray<readonly [string, string]>;
  /** Machine variables from the config (sandbox.environment): replace or extend the defaults. */
  readonly machine?: Readonly<Record<string, string>>;
  /** User variables (sandbox.userEnvironment): only with a loaded profile. */
  readonly user?: Readonly<Record<string, string>>;
}

/** Blocks already built for shells that asked for no variables of their own (bounded). */
const built = new Map<string, { readonly machine: EnvironmentInput['machine']; readonly user: EnvironmentInput['user']; readonly env: ReadonlyMap<string, string> }>();
const BUILT_MAX = 64;

/**
 * Case-insensitive names, case-preserving, in the order `set` would list them. A shell that asks
 * for no variables of its own gets the block built for the last such shell of the same user,
 * computer and profile choice (every Create from pywinrm or Ansible: decision 0007).
 */
export function shellEnvironment(input: EnvironmentInput): ReadonlyMap<string, string> {
  if (input.requested.length > 0) return buildEnvironment(input);
  const key = `${input.computerName}\u0000${input.userName}\u0000${input.noProfile ? 1 : 0}`;
  const hit = built.get(key);
  if (hit !== undefined && hit.machine === input.machine && hit.user === input.user) return hit.env;
  const env = buildEnvironment(input);
  if (built.size >= BUILT_MAX) built.clear();
  built.set(key, { machine: input.machine, user: input.user, env });
  return env;
}

function buildEnvironment(input: EnvironmentInput): Map<string, string> {
  const profile = `C:\\Users\\${input.userName}`;
  const machinePath = Object.entries(input.machine ?? {}).find(([k]) => k.toLowerCase() === 'path')?.[1];
  const systemPath = machinePath ?? 'C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\;C:\\Windows\\System32\\OpenSSH\\';
  const base: Array<[string, string]> = [
    ['ALLUSERSPROFILE', 'C:\\ProgramData'],
    ...(input.noProfile ? [] : ([['APPDATA', `${profile}\\AppData\\Roaming`]] as Array<[string, string]>)),
    ['CommonProgramFiles', 'C:\\Program Files\\Common Files'],
    ['CommonProgramFiles(x86)', 'C:\\Program Files (x86)\\Common Files'],
    ['CommonProgramW6432', 'C:\\Program Files\\Common Files'],
    ['COMPUTERNAME', input.computerName],
    ['ComSpec', 'C:\\Windows\\system32\\cmd.exe'],
    ...(input.noProfile ? [] : ([['LOCALAPPDATA', `${profile}\\AppData\\Local`]] as Array<[string, string]>)),
    ['NUMBER_OF_PROCESSORS', '2'],
    ['OS', 'Windows_NT'],
    // The user's part of Path (WindowsApps) is appended only with a loaded profile (fx pypsrp/test_winrs_noprofile).
    ['Path', `${systemPath}${input.noProfile ? '' : `;${profile}\\AppData\\Local\\Microsoft\\WindowsApps`}`],
    ['PATHEXT', '.COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC'],
    ['PROCESSOR_ARCHITECTURE', 'AMD64'],
    ['PROCESSOR_IDENTIFIER', 'Intel64 Family 6 Model 85 Stepping 7, GenuineIntel'],
    ['PROCESSOR_LEVEL', '6'],
    ['PROCESSOR_REVISION', '5507'],
    ['ProgramData', 'C:\\ProgramData'],
    ['ProgramFiles', 'C:\\Program Files'],
    ['ProgramFiles(x86)', 'C:\\Program Files (x86)'],
    ['ProgramW6432', 'C:\\Program Files'],
    ['PSModulePath', '%ProgramFiles%\\WindowsPowerShell\\Modules;C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules'],
    ['PUBLIC', 'C:\\Users\\Public'],
    ['SystemDrive', 'C:'],
    ['SystemRoot', 'C:\\Windows'],
    ['TEMP', input.noProfile ? 'C:\\Windows\\TEMP' : `${profile}\\AppData\\Local\\Temp`],
    ['TMP', input.noProfile ? 'C:\\Windows\\TEMP' : `${profile}\\AppData\\Local\\Temp`],
    ['USERDOMAIN', input.computerName],
    ['USERNAME', input.userName],
    ['USERPROFILE', input.noProfile ? 'C:\\Users\\Default' : profile],
    ['windir', 'C:\\Windows'],
  ];
  const extra = { ...(input.machine ?? {}), ...(input.noProfile ? {} : (input.user ?? {})) };
  for (const [k, v] of Object.entries(extra)) {
    if (k.toLowerCase() === 'path') continue;
    const i = base.findIndex(([name]) => name.toLowerCase() === k.toLowerCase());
    if (i >= 0) base[i] = [base[i]![0], v];
    else base.push([k, v]);
  }
  // WinRS hands the process one block, sorted as _wcsicmp sorts (lower-case folding, so '_' and
  // digits come before letters): fx pypsrp/test_winrs_environment lists 1234, then _-(){}…, then
  // ALLUSERSPROFILE…, with env1 in its sorted place. cmd.exe then inserts PROMPT itself.
  const byName = new Map<string, [string, string]>();
  for (const [k, v] of base) byName.set(k.toLowerCase(), [k, v]);
  for (const [k, v] of input.requested) byName.set(k.toLowerCase(), [k, v]);
  const sorted = [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Map<string, string>();
  for (const [, [k, v]] of sorted) out.set(k, v);
  return out;
}
