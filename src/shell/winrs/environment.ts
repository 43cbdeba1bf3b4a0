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
}

/** Case-insensitive names, case-preserving, in the order `set` would list them. */
export function shellEnvironment(input: EnvironmentInput): Map<string, string> {
  const profile = `C:\\Users\\${input.userName}`;
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
    [
      'Path',
      `C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\;C:\\Windows\\System32\\OpenSSH\\${input.noProfile ? '' : `;${profile}\\AppData\\Local\\Microsoft\\WindowsApps`}`,
    ],
    ['PATHEXT', '.COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC'],
    ['PROCESSOR_ARCHITECTURE', 'AMD64'],
    ['PROCESSOR_IDENTIFIER', 'Intel64 Family 6 Model 85 Stepping 7, GenuineIntel'],
    ['PROCESSOR_LEVEL', '6'],
    ['PROCESSOR_REVISION', '5507'],
    ['ProgramData', 'C:\\ProgramData'],
    ['ProgramFiles', 'C:\\Program Files'],
    ['ProgramFiles(x86)', 'C:\\Program Files (x86)'],
    ['ProgramW6432', 'C:\\Program Files'],
    ['PROMPT', '$P$G'],
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
  // Requested variables come first, as in the recording, then the defaults they do not replace.
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const [k, v] of input.requested) {
    for (const existing of out.keys()) if (existing.toLowerCase() === k.toLowerCase()) out.delete(existing);
    out.set(k, v);
    taken.add(k.toLowerCase());
  }
  for (const [k, v] of base) if (!taken.has(k.toLowerCase())) out.set(k, v);
  return out;
}
