// Golden replays of the recorded PowerShell Remoting exchanges (shared/fixtures/psrp/recorded):
// the recorded client requests, in order, through the WS-Man core on a fake clock; each response
// must equal the recorded Windows response once ids, times and host facts are normalised.
// PSRP payloads are compared decoded (with the independent codec of test/helpers/psrp-client.ts),
// across each run of Receives on one target, because Windows and the emulator cut the same
// messages into Receives differently. What is normalised or left out, and why, is listed in
// docs/compatibility.md (## PowerShell Remoting).
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixture } from '../helpers/fixtures.js';
import { canonClixml as canon } from '../helpers/normalise.js';
import { normaliseEnvelope as normaliseReplayEnvelope } from '../helpers/psrp-replay.js';
import { createPsrpCore, type PsrpCore } from '../helpers/psrp-core.js';
import { MSG_NAME, Reassembler, parseClixml, type Decoded, type Node } from '../helpers/psrp-client.js';
import { minimalEngine } from '../../src/shell/psrp/minimal-engine.js';
import { choiceDescription, fieldDescription } from '../../src/shell/psrp/host.js';
import { deserialize, type PsValue } from '../../src/shell/psrp/clixml.js';
import type { Invocation, InvocationResult, PsrpEngine } from '../../src/shell/psrp/engine.js';
import type { CommandMetadata, PipelineCommand, PsVersionTable } from '../../src/shell/psrp/records.js';
import type { DeepPartial } from '../../src/config/load.js';
import type { EmulatorConfig } from '../../src/config/types.js';
import { MICROSOFT_POWERSHELL_SDDL } from '../../src/config/defaults.js';
import { createHostVfs } from '../../src/sandbox/vfs/memory.js';
import type { Vfs } from '../../src/sandbox/vfs/types.js';
import { FakeClock } from '../../src/core/clock.js';

interface Message {
  request: string;
  response: string;
  transport_error?: { code: number };
}

const USER = 'vagrant';

// ---- normalisation ------------------------------------------------------------------------


const typeNames = (n: Node, tns: Map<string, Node>): string[] => {
  const tn = n.children.find((c) => c.tag === 'TN' || c.tag === 'TNRef');
  if (!tn) return [];
  const full = tn.tag === 'TNRef' ? tns.get(tn.attrs.RefId ?? '') : tn;
  if (tn.tag === 'TN' && tn.attrs.RefId !== undefined) tns.set(tn.attrs.RefId, tn);
  return (full?.children ?? []).map((t) => t.text);
};

function keepMembers(n: Node, keep: (name: string) => boolean): Node {
  return { ...n, children: n.children.filter((c) => c.tag !== 'Props').map((c) => (c.tag === 'MS' ? { ...c, children: c.children.filter((p) => keep(p.attrs.N ?? '')) } : c)) };
}

/**
 * Records keep what a client reads; what carries Windows' own process (stack traces, thread
 * ids, times, the full InvocationInfo of AddInvocationInfo) is left out (compatibility.md).
 */
function project(n: Node, tns: Map<string, Node>, topType?: number): Node {
  const kids = n.children.map((c) => project(c, tns));
  let node: Node = { ...n, children: kids };
  if (n.tag !== 'Obj') return node;
  const types = typeNames(n, tns);
  const first = types[0] ?? '';
  if (first.endsWith('ErrorRecord')) {
    const keep = new Set(['writeErrorStream', 'Exception', 'TargetObject', 'FullyQualifiedErrorId', 'ErrorCategory_Category', 'ErrorCategory_Activity', 'ErrorCategory_Reason', 'ErrorCategory_TargetName', 'ErrorCategory_TargetType', 'ErrorCategory_Message', 'ErrorDetails_Message', 'ErrorDetails_RecommendedAction']);
    node = keepMembers(node, (k) => keep.has(k));
    node.children = node.children.map((c) =>
      c.tag === 'MS'
        ? {
            ...c,
            children: c.children.map((p) => {
              if (p.attrs.N !== 'Exception') return p;
              // The exception: its types, first ToString line, and Message.
              const props = p.children.find((x) => x.tag === 'Props');
              return {
                ...p,
                children: p.children
                  .filter((x) => x.tag !== 'Props')
                  .map((x) => (x.tag === 'ToString' ? { ...x, text: x.text.split('_x000D__x000A_')[0] ?? '' } : x))
                  .concat(props ? [{ ...props, children: props.children.filter((x) => x.attrs.N === 'Message') }] : []),
              };
            }),
          }
        : c,
    );
  } else if (types.includes('System.Management.Automation.InformationalRecord')) {
    node = keepMembers(node, (k) => k === 'InformationalRecord_Message' || /^Write\w+Stream$/.test(k));
  } else if (first === 'System.Management.Automation.InformationRecord' || topType === 0x00041011) {
    const keep = (k: string) => k === 'MessageData' || k === 'Source' || k === 'Tags' || /^Write\w+Stream$/.test(k);
    node = { ...node, children: node.children.map((c) => (c.tag === 'MS' || c.tag === 'Props' ? { ...c, tag: 'MS', children: c.children.filter((p) => keep(p.attrs.N ?? '')) } : c)) };
  } else if (first.startsWith('Selected.System.Management.Automation.') && first.endsWith('Info')) {
    // Command metadata: name, module, type and parameter names (their .NET details are the engine's).
    node = keepMembers(node, (k) => k === 'Name' || k === 'Namespace' || k === 'CommandType' || k === 'Parameters');
    node.children = node.children.map((c) =>
      c.tag !== 'MS'
        ? c
        : {
            ...c,
            children: c.children.map((p) =>
              p.attrs.N !== 'Parameters' ? p : { ...p, children: p.children.filter((x) => x.tag === 'DCT').map((d) => ({ ...d, children: d.children.map((en) => ({ ...en, children: en.children.filter((x) => x.attrs.N === 'Key') })) })) },
            ),
          },
    );
  }
  return node;
}

function describeMessage(d: Decoded): string {
  const head = `${d.destination} ${MSG_NAME[d.type] ?? d.type.toString(16)} rpid=${d.rpid.toString('hex')} pid=${d.pid.toString('hex')} bom=${d.hadBom}`;
  if (d.data === '') return head;
  const tns = new Map<string, Node>();
  let text = canon(project(parseClixml(d.data), tns, d.type), new Map());
  // The session key is random: only its framing is compared.
  text = text.replace(/(<S N="EncryptedSessionKey">)[^<]*/, '$1KEY');
  return `${head} ${text}`;
}

/**
 * Windows' first pipeline of a pool shows this module-loading progress; an artefact (psrp.md §3.2).
 * With a client host it also went out as a WriteProgress host call (test_psrp_pshost_ui_mocked_methods #10).
 */
const isModulePrep = (d: Decoded) => (d.type === 0x00041010 || d.type === 0x00041100) && d.data.includes('Preparing modules for first use.');

/** The shared envelope normalisation, plus what these replays meet beyond the host-engine ones. */
function normaliseEnvelope(xml: string): string {
  let out = normaliseReplayEnvelope(xml);
  // Enumerated shells in ShellId order (Windows' order is its own).
  out = out.replace(/<w:Items>([\s\S]*)<\/w:Items>/, (_m, items: string) => `<w:Items>${[...items.matchAll(/<rsp:Shell [\s\S]*?<\/rsp:Shell>/g)].map((x) => x[0]).sort().join('') || items}</w:Items>`);
  // PSRP payloads are compared decoded.
  return out.replace(/(<connectResponseXml [^>]*>)[^<]*(<\/connectResponseXml>)/g, '$1DATA$2');
}

function streamsOf(xml: string, tag = 'rsp:Stream'): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!).filter((s) => s !== '');
}

// ---- engine test doubles ------------------------------------------------------------------

type Script = (statement: readonly PipelineCommand[], inv: Invocation) => Promise<InvocationResult> | undefined;

/** The stand-in engine, with scripted answers for what only the sandbox engine will know. */
function engineWith(script: Script, catalogue?: CommandMetadata[], vfs?: Vfs): PsrpEngine {
  return {
    name: 'replay',
    openRunspace(opts) {
      const base = minimalEngine.openRunspace(opts);
      const cwd = `C:\\Users\\${opts.host.user.name}\\Documents`;
      return {
        invoke: (inv) => script(inv.statements[0]!, inv) ?? base.invoke(inv),
        commands: () => catalogue ?? base.commands(),
        reset: () => base.reset(),
        close: () => base.close(),
        ...(vfs
          ? {
              files: () => ({
                resolve: (p: string) => vfs.resolve(cwd, p),
                kind: (p: string) => vfs.stat(p)?.type,
                read: (p: string) => vfs.readFile(p),
                write: (p: string, d: Uint8Array) => vfs.writeFile(p, d),
                environment: () => new Map<string, string>(),
              }),
            }
          : {}),
      };
    },
  };
}

const arg = (c: PipelineCommand | undefined, name: string): PsValue | undefined => c?.args.find((a) => a.name?.toLowerCase() === name.toLowerCase())?.value;

/** The decoded server messages of one recording, in order (fixture-derived test doubles). */
function recordedOutputs(file: string): Decoded[] {
  const doc = parseYaml(fixture(`psrp/recorded/${file}`)) as { messages: Message[] };
  const re = new Reassembler();
  return doc.messages.flatMap((m) => streamsOf(m.response).flatMap((s) => re.feed(s)));
}

// ---- cases ----------------------------------------------------------------------------------

interface Case {
  readonly file: string;
  /** What this recording checks, for the test name. */
  readonly what: string;
  readonly config?: DeepPartial<EmulatorConfig>;
  readonly psVersion?: { readonly build: string; readonly revision: number };
  readonly engine?: () => PsrpEngine;
  /** Fake-clock time that passes before message n (the recording's own pauses). */
  readonly advanceBefore?: Readonly<Record<number, number>>;
  /** Messages left out, with the reason (also in docs/compatibility.md). */
  readonly skip?: Readonly<Record<number, string>>;
  /** Replay only messages before this index. */
  readonly upTo?: number;
  /** The recording's user, when its paths name it. */
  readonly user?: string;
}

const CASES: Case[] = [
  { file: 'test_psrp_open_runspace.yml', what: 'open and close a pool' },
  {
    file: 'test_wsman_update_envelope_size_4096.yml',
    what: "pypsrp's Get of winrm/config on a host with MaxEnvelopeSizekb 4096",
    config: { winrm: { MaxEnvelopeSizekb: 4096, Service: { Auth: { Basic: true, CredSSP: true } } } },
  },
  {
    file: 'test_client_execute_ps.yml',
    what: 'Invoke-Expression … | Out-String -Stream (pypsrp execute_ps)',
    // Get-Service and its table view belong to the sandbox engine: scripted with Windows' lines.
    engine: () =>
      engineWith((st, inv) => {
        const cmd = arg(st[0], 'Command');
        if (st[0]?.command !== 'Invoke-Expression' || typeof cmd !== 'string' || !cmd.startsWith('$serv = Get-Service')) return undefined;
        return (async () => {
          for (const line of ['winrm', 'Running', '', 'Status   Name               DisplayName                           ', '------   ----               -----------                           ', 'Running  winrm              Windows Remote Management (WS-Manag...', '', '']) await inv.sink.output(line);
          return { state: 'Completed' } as const;
        })();
      }),
  },
  { file: 'test_client_execute_ps_failure.yml', what: 'an unknown command under Invoke-Expression fails the pipeline' },
  { file: 'test_psrp_error_failed.yml', what: "Write-Error with $ErrorActionPreference = 'Stop' fails the pipeline" },
  { file: 'test_psrp_stream_output_invocation.yml', what: 'every stream: error, debug, verbose, warning, information records' },
  { file: 'test_psrp_merge_commands.yml', what: 'merged streams (MergeMyResult/MergeToResult, MergeError…) go out as output' },
  { file: 'test_psrp_long_running_cmdlet.yml', what: 'w:TimedOut while Start-Sleep runs; ExtraCmds statements' },
  { file: 'test_psrp_receive_failure.yml', what: 'Receive for an unknown command: w:InvalidSelectors' },
  { file: 'test_psrp_set_runspaces.yml', what: 'GET_AVAILABLE_RUNSPACES, SET_MAX/MIN_RUNSPACES and their refusals' },
  { file: 'test_psrp_reset_runspace_state.yml', what: 'RESET_RUNSPACE_STATE' },
  {
    file: 'test_psrp_with_input.yml',
    what: 'pipeline input through Send and END_OF_PIPELINE_INPUT, echoed Deserialized',
    // A begin/process/end script: the stand-in engine has no script blocks, so it is scripted.
    engine: () =>
      engineWith((st, inv) => {
        if (!st[0]?.command.startsWith('begin {')) return undefined;
        return (async () => {
          await inv.sink.informational('Debug', 'Start Block');
          for await (const v of inv.input ?? []) await inv.sink.output(v);
          await inv.sink.informational('Debug', 'End Block');
          return { state: 'Completed' } as const;
        })();
      }),
  },
  {
    file: 'test_psrp_small_msg_size.yml',
    what: 'a 32 KiB envelope: CREATE_PIPELINE across Command and Send, output across Receives',
    // pypsrp reads winrm/config first (message 0): that recording host had AllowUnencrypted,
    // Basic, Certificate and CredSSP on and CbtHardeningLevel Strict.
    config: { winrm: { MaxEnvelopeSizekb: 32, Service: { AllowUnencrypted: true, Auth: { Basic: true, Certificate: true, CredSSP: true, CbtHardeningLevel: 'Strict' } } } },
    engine: () =>
      engineWith((st, inv) => {
        if (!st[0]?.command.startsWith('begin {')) return undefined;
        return (async () => {
          for await (const v of inv.input ?? []) await inv.sink.output(v);
          await inv.sink.output('a'.repeat(20000));
          await inv.sink.output('a'.repeat(10000));
          return { state: 'Completed' } as const;
        })();
      }),
  },
  {
    file: 'test_psrp_with_jea_configuration.yml',
    what: 'a JEA endpoint: visible cmdlet, provider not visible, script refused in NoLanguage',
    config: {
      sessionConfigurations: [
        { name: 'Microsoft.PowerShell', sddl: MICROSOFT_POWERSHELL_SDDL },
        { name: 'JEARole', sddl: MICROSOFT_POWERSHELL_SDDL, sessionType: 'RestrictedRemoteServer', roleDefinitions: [{ principals: ['BUILTIN\\Administrators'], visibleCmdlets: ['Get-Item'], visibleProviders: ['WSMan'] }] },
      ],
    },
    // Get-Item and the WSMan: drive belong to the sandbox engine: its object is Windows' own.
    engine: () => {
      const leaf = recordedOutputs('test_psrp_with_jea_configuration.yml').find((d) => d.type === 0x00041004)!;
      return engineWith((st, inv) => {
        if (st[0]?.command !== 'Get-Item') return undefined;
        const path = arg(st[0], 'Path');
        return (async () => {
          if (path === 'C:\\Windows') {
            await inv.sink.error({
              message: "Cannot find a provider with the name 'FileSystem'.",
              exceptionTypes: ['System.Management.Automation.ProviderNotFoundException', 'System.Management.Automation.SessionStateException', 'System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
              fullyQualifiedErrorId: 'ProviderNotFound,Microsoft.PowerShell.Commands.GetItemCommand',
              category: 'ObjectNotFound',
              activity: 'Get-Item',
              reason: 'ProviderNotFoundException',
              targetName: 'FileSystem',
              targetType: 'String',
              targetObject: 'FileSystem',
            });
          } else await inv.sink.output(deserialize(leaf.data));
          return { state: 'Completed' } as const;
        })();
      });
    },
  },
  {
    file: 'test_psrp_get_command_metadata.yml',
    what: 'GET_COMMAND_METADATA: Count first, then the matching commands by name, type and module',
    psVersion: { build: '17134', revision: 1 },
    // The command catalogue is the engine's: Windows' commands from the recording, plus decoys
    // the filters must leave out.
    engine: () => {
      const catalogue: CommandMetadata[] = [
        { name: 'New-Item', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Management', parameters: [] },
        { name: 'Get-Item', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Management', parameters: [] },
      ];
      for (const d of recordedOutputs('test_psrp_get_command_metadata.yml')) {
        const n = parseClixml(d.data);
        const name = n.children.find((c) => c.tag === 'MS')?.children.find((c) => c.attrs.N === 'Name')?.text;
        if (!name || catalogue.some((c) => c.name === name)) continue;
        const ms = n.children.find((c) => c.tag === 'MS')!;
        const type = ms.children.find((c) => c.attrs.N === 'CommandType')?.children.find((c) => c.tag === 'ToString')?.text as CommandMetadata['commandType'];
        const params = ms.children.find((c) => c.attrs.N === 'Parameters')?.children.find((c) => c.tag === 'DCT')?.children ?? [];
        const common = new Set(['Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable']);
        catalogue.push({
          name,
          commandType: type,
          namespace: ms.children.find((c) => c.attrs.N === 'Namespace')?.text ?? '',
          parameters: params.map((en) => ({ name: en.children[0]!.text, type: 'System.Object' })).filter((p) => type !== 'Cmdlet' || !common.has(p.name)),
        });
      }
      return engineWith(() => undefined, catalogue);
    },
  },
  { file: 'test_psrp_disconnect_runspaces.yml', what: 'Disconnect, Reconnect, Enumerate, Connect of pools' },
  { file: 'test_psrp_disconnected_commands.yml', what: 'a pipeline running while disconnected, enumerated, then connected to' },
  { file: 'test_psrp_is_alive_state_disconnected.yml', what: 'Get of the shell: Connected, then Disconnected after IdleTimeOut', psVersion: { build: '26236', revision: 5000 }, advanceBefore: { 4: 62_000 } },
  {
    file: 'test_client_copy_file.yml',
    what: 'pypsrp Client.copy: copy.ps1 carried out natively, input chunks and the SHA-1 check',
    psVersion: { build: '17763', revision: 1971 },
    user: 'vagrant-domain',
    // Messages 14 on read the file back through a WinRS cmd shell (powershell.exe Get-Content).
    upTo: 14,
    engine: () => engineWith(() => undefined, undefined, createHostVfs({ clock: new FakeClock(), users: ['vagrant-domain'], seed: { directories: [], files: [] }, limitBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as never)),
  },
  {
    file: 'test_psrp_pshost_ui_mocked_methods.yml',
    what: 'host calls: void calls with ci -100, value calls blocking the pipeline (CommandState Pending) until the pr response',
    // The script drives $host.UI (ReadLine, Write*, Prompt, PromptForCredential, PromptForChoice)
    // with .NET objects (FieldDescription, ChoiceDescription, ProgressRecord) the emulated
    // PowerShell does not build: it is scripted against Invocation.host, so what is checked is
    // the host-call layer — encoding, call ids, Pending, responses and what they return.
    engine: () =>
      engineWith((st, inv) => {
        if (!st[0]?.command.startsWith('$host.UI.ReadLine()')) return undefined;
        const host = inv.host;
        if (!host) throw new Error('the recorded pipeline has a host (HostInfo _isHostNull false)');
        return (async () => {
          await inv.sink.output(await host.readLine());
          await inv.sink.output(await host.readLineAsSecureString());
          await host.write('Write1');
          await host.write('Write2', { foreground: 9, background: 15 });
          await host.writeLine();
          await host.writeLine('WriteLine2');
          await host.writeLine('WriteLine3', { foreground: 7, background: 10 });
          await host.writeErrorLine('WriteErrorLine');
          // PowerShell's host UI keeps the record for its stream and then calls the client's host:
          // with a host, the PSRP layer sends both for a record (InternalHostUserInterface.WriteDebugRecord…).
          await inv.sink.informational('Debug', 'WriteDebugLine');
          await inv.sink.progress({ activity: 'activity', activityId: 2, statusDescription: 'description' });
          await inv.sink.informational('Verbose', 'WriteVerboseLine');
          await inv.sink.informational('Warning', 'WriteWarningLine');
          const field = fieldDescription({ name: 'prompt field', label: 'PromptLabel' });
          await inv.sink.output(await host.prompt('Prompt caption', 'Prompt message', [field]));
          await inv.sink.output(await host.promptForCredential('PromptForCredential caption', 'PromptForCredential message', 'PromptForCredential user', 'PromptForCredential target'));
          const choices = [choiceDescription('Prompt1 label', 'Prompt1 help'), choiceDescription('Prompt2 label', 'Prompt2 help')];
          await inv.sink.output(await host.promptForChoice('PromptForChoice caption', 'PromptForChoice message', choices, 0));
          return { state: 'Completed' } as const;
        })();
      }),
  },
  {
    file: 'test_psrp_multiple_commands.yml',
    what: 'PUBLIC_KEY → ENCRYPTED_SESSION_KEY',
    // The rest runs SecureStrings, cmd.exe, whoami.exe and Get-Service inside PowerShell.
    upTo: 5,
  },
];

// ---- the harness ----------------------------------------------------------------------------

const isReceive = (xml: string) => /\/windows\/shell\/Receive<\/\w+:Action>/.test(xml);
const target = (xml: string) => `${/Name="ShellId">([^<]+)</.exec(xml)?.[1] ?? ''} ${/<rsp:DesiredStream(?: CommandId="([^"]+)")?/.exec(xml)?.[1] ?? ''}`;
const isFault = (xml: string) => xml.includes('<s:Fault>');

function psVersionTable(v: { build: string; revision: number }, protocol: string): PsVersionTable {
  const ps = `5.1.${v.build}.${v.revision}`;
  return {
    PSVersion: ps,
    PSEdition: 'Desktop',
    PSCompatibleVersions: ['1.0', '2.0', '3.0', '4.0', '5.0', ps],
    CLRVersion: '4.0.30319.42000',
    BuildVersion: `10.0.${v.build}.${v.revision}`,
    WSManStackVersion: '3.0',
    PSRemotingProtocolVersion: protocol,
    SerializationVersion: '1.1.0.1',
  };
}

async function replay(c: Case): Promise<void> {
  const doc = parseYaml(fixture(`psrp/recorded/${c.file}`)) as { messages: Message[] };
  const version = c.psVersion ?? { build: '14393', revision: 2248 };
  const core: PsrpCore = createPsrpCore(
    {
      computerName: 'SERVER2016',
      users: [{ name: c.user ?? USER, password: 'Replay-Passw0rd!', groups: ['Administrators'], rid: 500 }],
      ...(c.config ?? {}),
    },
    { ...(c.engine ? { engine: c.engine() } : {}), psVersionTable: (_h, p) => psVersionTable(version, p) },
  );
  const messages = doc.messages.slice(0, c.upTo ?? doc.messages.length);
  const decoders = new Map<string, { ours: Reassembler; theirs: Reassembler }>();
  const decoder = (key: string) => {
    let d = decoders.get(key);
    if (!d) decoders.set(key, (d = { ours: new Reassembler(), theirs: new Reassembler() }));
    return d;
  };
  const afterConnect = new Set<string>();
  let i = 0;
  while (i < messages.length) {
    const m = messages[i]!;
    if (c.skip?.[i] !== undefined) {
      i++;
      continue;
    }
    if (c.advanceBefore?.[i] !== undefined) core.clock.advance(c.advanceBefore[i]!);
    if (!isReceive(m.request)) {
      const r = await core.call(m.request, { who: c.user ?? USER });
      expect(r.status, `#${i} status`).toBe(m.transport_error?.code ?? 200);
      expect(normaliseEnvelope(r.xml), `#${i}`).toBe(normaliseEnvelope(m.response));
      // A Connect's connectResponseXml: decoded and compared (a fresh reassembly, psrp.md §1.9).
      const theirs = streamsOf(m.response, 'connectResponseXml');
      if (theirs.length > 0) {
        afterConnect.add(`${/Name="ShellId">([^<]+)</.exec(m.request)?.[1] ?? ''} `);
        const a = new Reassembler();
        const b = new Reassembler();
        expect(streamsOf(r.xml, 'connectResponseXml').flatMap((s) => a.feed(s)).map(describeMessage), `#${i} connectResponseXml`).toEqual(theirs.flatMap((s) => b.feed(s)).map(describeMessage));
      }
      i++;
      continue;
    }
    // A run of Receives on one target: faults compared in place, messages compared in aggregate.
    const key = target(m.request);
    let j = i;
    while (j < messages.length && isReceive(messages[j]!.request) && target(messages[j]!.request) === key && c.skip?.[j] === undefined) j++;
    const { ours, theirs } = decoder(key);
    const expected: Decoded[] = [];
    let expectDone = false;
    for (let k = i; k < j; k++) {
      const resp = messages[k]!.response;
      if (isFault(resp)) continue;
      expected.push(...streamsOf(resp).flatMap((s) => theirs.feed(s)).filter((d) => !isModulePrep(d)));
      if (resp.includes('CommandState/Done')) expectDone = true;
    }
    const got: Decoded[] = [];
    let gotDone = false;
    let k = i;
    for (let sent = 0; ; sent++) {
      const complete = got.length >= expected.length && gotDone === expectDone;
      if (complete && (k >= j || !isFault(messages[k]!.response))) break;
      if (sent > j - i + 20) throw new Error(`#${i}: the emulator never delivered the recorded messages`);
      const rec = messages[Math.min(k, j - 1)]!;
      const r = await core.call(rec.request, { who: c.user ?? USER });
      if (k < j && isFault(rec.response)) {
        expect(normaliseEnvelope(r.xml), `#${k} fault`).toBe(normaliseEnvelope(rec.response));
      } else {
        expect(r.status, `#${k} status ${r.xml.slice(-600)}`).toBe(200);
        expect(normaliseEnvelope(r.xml).replace(/<rsp:Stream [\s\S]*<\/rsp:Stream>/, '').replace(/<rsp:CommandState[\s\S]*<\/rsp:CommandState>/, ''), `#${k} envelope`).toBe(
          normaliseEnvelope(rec.response).replace(/<rsp:Stream [\s\S]*<\/rsp:Stream>/, '').replace(/<rsp:CommandState[\s\S]*<\/rsp:CommandState>/, ''),
        );
        got.push(...streamsOf(r.xml).flatMap((s) => ours.feed(s)));
        // A response that ends in a blocking host call reports CommandState Pending (psrp.md §1.6).
        if (k < j) expect(r.xml.includes('CommandState/Pending"'), `#${k} CommandState Pending`).toBe(rec.response.includes('CommandState/Pending"'));
        if (r.xml.includes('CommandState/Done')) {
          gotDone = true;
          expect(r.xml, `#${k} Done with ExitCode 0`).toContain('CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>');
        }
      }
      k++;
    }
    if (afterConnect.has(key)) {
      // After a Connect Windows sent either APPLICATION_PRIVATE_DATA or RUNSPACEPOOL_STATE Opened
      // (psrp.md §1.9); the emulator sends both, in that order: the recorded one must be among them.
      afterConnect.delete(key);
      const ours = got.map(describeMessage);
      for (const e of expected.map(describeMessage)) expect(ours, `#${i} after Connect`).toContain(e);
    } else expect(got.map(describeMessage), `#${i}..#${j - 1} messages`).toEqual(expected.map(describeMessage));
    expect(gotDone, `#${i}..#${j - 1} Done`).toBe(expectDone);
    i = j;
  }
}

describe('golden replay of recorded PowerShell Remoting exchanges', () => {
  for (const c of CASES) {
    it(`replays ${c.file}: ${c.what}`, async () => {
      await replay(c);
    });
  }
});
