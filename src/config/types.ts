// The typed configuration (architecture.md §2.5). Names and nesting under `winrm` are Windows'
// own (winrm-config.md §2–§3), so that `winrm get winrm/config` and the YAML read the same.
// The zod schema in schema.ts must produce exactly these types (checked at compile time there).

export type Transport = 'HTTP' | 'HTTPS';
export type CbtHardeningLevel = 'None' | 'Relaxed' | 'Strict';

/** winrm/config/listener item (winrm-config.md §5.1). */
export interface ListenerConfig {
  /** `*`, `IP:a.b.c.d`, `IP:[v6]` (also accepted: `IP:v6` without brackets). */
  readonly Address: string;
  readonly Transport: Transport;
  /** Default from Service/DefaultPorts for the transport. */
  readonly Port: number;
  /** HTTPS: the name clients use; empty for HTTP. */
  readonly Hostname: string;
  readonly Enabled: boolean;
  /** Path prefix, default `wsman` (POST /wsman). */
  readonly URLPrefix: string;
  /** 40 hex digits, required for HTTPS, empty for HTTP. Upper-case after validation. */
  readonly CertificateThumbprint: string;
}

/** winrm/config/service/certmapping item (winrm-config.md §7.1). */
export interface CertMappingConfig {
  readonly Issuer: string;
  readonly Subject: string;
  readonly URI: string;
  readonly UserName: string;
  readonly Enabled: boolean;
}

export interface ServiceAuthConfig {
  readonly Basic: boolean;
  readonly Kerberos: boolean;
  readonly Negotiate: boolean;
  readonly Certificate: boolean;
  readonly CredSSP: boolean;
  readonly CbtHardeningLevel: CbtHardeningLevel;
}

export interface ClientAuthConfig {
  readonly Basic: boolean;
  readonly Digest: boolean;
  readonly Kerberos: boolean;
  readonly Negotiate: boolean;
  readonly Certificate: boolean;
  readonly CredSSP: boolean;
}

export interface DefaultPortsConfig {
  readonly HTTP: number;
  readonly HTTPS: number;
}

export interface ClientConfig {
  readonly NetworkDelayms: number;
  readonly URLPrefix: string;
  readonly AllowUnencrypted: boolean;
  readonly Auth: ClientAuthConfig;
  readonly DefaultPorts: DefaultPortsConfig;
  readonly TrustedHosts: string;
}

export interface ServiceConfig {
  readonly RootSDDL: string;
  readonly MaxConcurrentOperations: number;
  readonly MaxConcurrentOperationsPerUser: number;
  readonly EnumerationTimeoutms: number;
  readonly MaxConnections: number;
  readonly MaxPacketRetrievalTimeSeconds: number;
  readonly AllowUnencrypted: boolean;
  readonly Auth: ServiceAuthConfig;
  readonly DefaultPorts: DefaultPortsConfig;
  readonly IPv4Filter: string;
  readonly IPv6Filter: string;
  readonly EnableCompatibilityHttpListener: boolean;
  readonly EnableCompatibilityHttpsListener: boolean;
  readonly CertificateThumbprint: string;
  readonly AllowRemoteAccess: boolean;
  readonly CertMapping: readonly CertMappingConfig[];
}

export interface WinrsConfig {
  readonly AllowRemoteShellAccess: boolean;
  readonly IdleTimeout: number;
  readonly MaxConcurrentUsers: number;
  readonly MaxShellRunTime: number;
  readonly MaxProcessesPerShell: number;
  readonly MaxMemoryPerShellMB: number;
  readonly MaxShellsPerUser: number;
}

/** The `winrm/config` tree plus its listeners. */
export interface WinrmConfig {
  readonly MaxEnvelopeSizekb: number;
  readonly MaxTimeoutms: number;
  readonly MaxBatchItems: number;
  readonly MaxProviderRequests: number;
  readonly Client: ClientConfig;
  readonly Service: ServiceConfig;
  readonly Winrs: WinrsConfig;
  readonly Listener: readonly ListenerConfig[];
}

/** A local account of the emulated host. Exactly one of password / ntHash is set. */
export interface UserConfig {
  readonly name: string;
  readonly password?: string;
  /** 32 hex digits: MD4(UTF-16LE(password)). Upper-case after validation. */
  readonly ntHash?: string;
  /** Local group names, e.g. `Administrators`, `Remote Management Users`. */
  readonly groups: readonly string[];
  /** Relative id; the built-in Administrator is 500, others get 1000+ in order when omitted. */
  readonly rid?: number;
  readonly enabled: boolean;
  readonly fullName: string;
}

/** A PowerShell session configuration (endpoint) and its own SDDL (auth.md §8.1). */
export interface SessionConfigurationConfig {
  readonly name: string;
  readonly sddl: string;
  /** Default, or RestrictedRemoteServer for a JEA endpoint (psrp.md §6.1). */
  readonly sessionType: 'Default' | 'RestrictedRemoteServer';
  /** Unset: NoLanguage for RestrictedRemoteServer, FullLanguage otherwise. */
  readonly languageMode?: 'FullLanguage' | 'ConstrainedLanguage' | 'RestrictedLanguage' | 'NoLanguage' | undefined;
  readonly roleDefinitions: readonly RoleDefinitionConfig[];
}

/** A JEA role: who it applies to and what it makes visible (a .pssc RoleDefinitions entry with its .psrc). */
export interface RoleDefinitionConfig {
  readonly principals: readonly string[];
  readonly visibleCmdlets: readonly string[];
  readonly visibleFunctions: readonly string[];
  readonly visibleExternalCommands: readonly string[];
  readonly visibleProviders: readonly string[];
}

/** Host policy outside WinRM's own config that changes who gets in (auth.md §8.3). */
export interface PolicyConfig {
  /** HKLM\…\Policies\System\LocalAccountTokenFilterPolicy = 1 */
  readonly LocalAccountTokenFilterPolicy: boolean;
  /** "Admin Approval Mode for the built-in Administrator" */
  readonly FilterAdministratorToken: boolean;
  /** Account lockout policy (secpol: Account Lockout Policy); off while Threshold is 0. */
  readonly AccountLockout: AccountLockoutConfig;
  /** Accept NTLMv1 responses (LmCompatibilityLevel below 5); off here by default. */
  readonly AllowNtlmV1: boolean;
  /** Accept anonymous NTLM logons (they are then denied by authorisation). */
  readonly AllowAnonymousNtlm: boolean;
}

export interface AccountLockoutConfig {
  /** "Account lockout threshold": bad logons that lock the account; 0 = never. */
  readonly Threshold: number;
  /** "Reset account lockout counter after", ms. */
  readonly ResetLockoutCounterAfterms: number;
  /** "Account lockout duration", ms; 0 = until an administrator unlocks it (emulator restart). */
  readonly LockoutDurationms: number;
  /** "Allow Administrator account lockout" (RID 500). */
  readonly AllowAdministratorLockout: boolean;
}

/** Facts about the emulated OS (IdentifyResponse ProductVersion, later ver/systeminfo). */
export interface OsConfig {
  /** major.minor.build, e.g. 10.0.17763 (Windows Server 2019). */
  readonly version: string;
  /** Service pack `major.minor`. */
  readonly servicePack: string;
  /** WS-Man stack version, `3.0` on WMF 3+. */
  readonly stackVersion: string;
  readonly productName: string;
}

export interface LoggingConfig {
  readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Synchronous stdout writes (true, the default) or pino's asynchronous, flushed-on-exit ones (false). */
  readonly sync: boolean;
  /** Above 0: lines are buffered (4 KiB) and written every this many ms, when full and on exit; 0: each line as logged. */
  readonly flushIntervalMs: number;
}

/** Emulator-only knobs (not part of Windows' model). */
export interface ServerConfig {
  /** Idle keep-alive; auth.md §1.3 trap 1: at least 120 s. */
  readonly keepAliveTimeoutMs: number;
  /** Allow binding non-loopback addresses while documented default passwords are in use. */
  readonly allowDefaultPasswordsOnNetwork: boolean;
  /** Plaintext request over HTTP after an encryption-capable context: 500 (Windows, auth.md §1.7) or 401. */
  readonly unencryptedRefusalStatus: 401 | 500;
  /** Write changes made over WS-Man (winrm set/create/delete) back to the config file. */
  readonly persistConfigChanges: boolean;
  /** Open TCP connections per listener at most; beyond, new connections are dropped. */
  readonly maxTcpConnections: number;
}

/** How a scripted rule matches a command (issue: the sandbox, backends §1). Exactly one is set. */
export interface RuleMatchConfig {
  /** The whole command line, compared case-insensitively after trimming. */
  readonly exact?: string;
  /** Wildcards `*` and `?`, case-insensitive, over the whole command line. */
  readonly glob?: string;
  /** A JavaScript regular expression (searched, not anchored unless you anchor it). */
  readonly regex?: string;
}

/** A scripted answer for CI: first matching rule wins. */
export interface ScriptedRuleConfig {
  /** A label for logs and the journal. */
  readonly name: string;
  readonly match: RuleMatchConfig;
  /** Only for this computer name (several hosts later); empty = any. */
  readonly host: string;
  /** Only for this user (case-insensitive); empty = any. */
  readonly user: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** Wait before the first output. */
  readonly delayMs: number;
  /** Split stdout/stderr into pieces of this many characters… (0 = one piece) */
  readonly chunkSize: number;
  /** …with this pause between pieces. */
  readonly chunkDelayMs: number;
  /** When set, stdin must match, or the command fails with exit code 1 and says why on stderr. */
  readonly expectStdin?: RuleMatchConfig;
}

export interface SandboxFileConfig {
  readonly path: string;
  readonly text?: string;
  readonly base64?: string;
}

/** The opt-in real-process backend (off by default): runs a configured program on the real machine, confined. */
export interface RealProcessConfig {
  readonly enabled: boolean;
  /** Commands sent to the emulator that go to the real process; others stay emulated. */
  readonly match: RuleMatchConfig;
  /** Program and arguments; the WinRS command line is appended as the last argument. */
  readonly argv: readonly string[];
  /** bubblewrap executable. */
  readonly bubblewrap: string;
  /** Run without bubblewrap when it is missing (loudly warned). */
  readonly allowUnconfined: boolean;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

export interface SandboxConfig {
  readonly rules: readonly ScriptedRuleConfig[];
  /** Strict: a command no rule matches answers as cmd.exe does for an unknown program (9009). */
  readonly strict: boolean;
  /** Machine environment variables added to (or replacing) Windows' defaults for every process. */
  readonly environment: Readonly<Record<string, string>>;
  /** User environment variables, present only when the profile is loaded (not with WINRS_NOPROFILE). */
  readonly userEnvironment: Readonly<Record<string, string>>;
  /** Extra directories and files seeded into the virtual file system. */
  readonly directories: readonly string[];
  readonly files: readonly SandboxFileConfig[];
  readonly maxFileSystemBytes: number;
  readonly maxFiles: number;
  /** Output a command may have buffered before it is paused (back-pressure). */
  readonly maxBufferedOutputBytes: number;
  /** Commands kept in the in-memory journal of what ran. */
  readonly journalEntries: number;
  /** Optional JSON-lines file the journal is appended to (survives a crash). Empty = none. */
  readonly journalFile: string;
  /** Optional file the virtual file system is restored from at start and saved to at stop. */
  readonly persistFile: string;
  readonly realProcess: RealProcessConfig;
}

/**
 * Kerberos acceptor (auth.md §4): MIT GSSAPI through the npm `kerberos` package, with the service
 * keys in a keytab. Off while `keytab` is empty.
 */
export interface KerberosConfig {
  /** Realm of the service principal; empty = the domain's realm. Must equal `domain.realm`. */
  readonly realm: string;
  /** MIT keytab holding the HTTP/<host> keys; empty = Kerberos is off. Relative to the config file. */
  readonly keytab: string;
  /** The service principal accepted, e.g. `HTTP/win-emu01.emu.test`; empty = any principal in the keytab. */
  readonly serviceName: string;
  /** krb5.conf for the MIT library (KRB5_CONFIG); empty = the environment's or /etc/krb5.conf. */
  readonly krb5Config: string;
}

/** A domain account (auth.md §8): authenticated by the KDC, never by the emulated host. */
export interface DomainUserConfig {
  /** sAMAccountName, e.g. `alice` (the Kerberos principal is alice@REALM). */
  readonly name: string;
  /** Relative id in the domain; default 1103, 1104, … in order after the domain groups. */
  readonly rid?: number;
  /** Domain groups (built-in such as `Domain Admins`, or from `domain.groups`); Domain Users is implicit. */
  readonly groups: readonly string[];
  readonly enabled: boolean;
  readonly fullName: string;
}

/** A domain group beyond the built-in ones (Domain Admins, Domain Users, …). */
export interface DomainGroupConfig {
  readonly name: string;
  readonly rid?: number;
}

/** The domain the emulated host is joined to; off while `realm` is empty. */
export interface DomainConfig {
  /** DNS name of the domain upper-cased, which is its Kerberos realm, e.g. `EMU.TEST`. */
  readonly realm: string;
  /** NetBIOS domain name, e.g. `EMU`; empty = the realm's first label. */
  readonly netbiosName: string;
  /** Domain SID `S-1-5-21-a-b-c`; empty = derived from the NetBIOS name. */
  readonly sid: string;
  readonly users: readonly DomainUserConfig[];
  readonly groups: readonly DomainGroupConfig[];
  /**
   * Local group → domain groups or users nested in it, as joining a domain does (Administrators ←
   * Domain Admins, Users ← Domain Users) plus what an administrator added.
   */
  readonly localGroupMembers: Readonly<Record<string, readonly string[]>>;
}

export interface EmulatorConfig {
  readonly computerName: string;
  readonly os: OsConfig;
  readonly winrm: WinrmConfig;
  /** Folder of PEM files (certificate followed by its private key), indexed by SHA-1 thumbprint. */
  readonly certificateStore: string;
  readonly users: readonly UserConfig[];
  readonly sessionConfigurations: readonly SessionConfigurationConfig[];
  readonly policy: PolicyConfig;
  readonly logging: LoggingConfig;
  readonly server: ServerConfig;
  readonly sandbox: SandboxConfig;
  readonly kerberos: KerberosConfig;
  readonly domain: DomainConfig;
}

/** Where a loaded config came from, for messages and the banner. */
export interface LoadedConfig {
  readonly config: EmulatorConfig;
  /** The file given by --config / WINRM_EMU_CONFIG, or undefined for the embedded default only. */
  readonly file: string | undefined;
  /** Absolute folder that relative paths (certificateStore) were resolved against. */
  readonly baseDir: string;
  /** True while any configured user still has a documented default password. */
  readonly usesDefaultPasswords: boolean;
}
