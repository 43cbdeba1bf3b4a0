// pypsrp's Client.copy and Client.fetch send PowerShell scripts (pwsh_scripts/copy.ps1 and
// fetch.ps1) that lean on .NET reflection, System.IO and SHA1CryptoServiceProvider. They are
// recognised by their text and carried out natively against the session's file system, with the
// same inputs, outputs and failure texts (psrp.md §5.1).
import { createHash } from 'node:crypto';
import { asString, type PsValue } from './clixml.js';
import type { PsrpFiles } from './engine.js';
import type { ErrorRecordSpec, PipelineCommand } from './records.js';

export type TransferKind = 'copy' | 'fetch';

/** Which pypsrp transfer script a statement is, if any (stable lines of every pypsrp version since 0.3). */
export function transferScript(statement: readonly PipelineCommand[]): TransferKind | undefined {
  if (statement.length !== 1 || !statement[0]!.isScript) return undefined;
  const text = statement[0]!.command;
  if (text.includes('$expected_hash') && text.includes('[System.IO.File]::Move($path, $output_path)')) return 'copy';
  if (text.includes('$src.OpenRead()') && text.includes('[System.BitConverter]::ToString($algo.Hash)')) return 'fetch';
  return undefined;
}

/** `throw "text"` in a script: RuntimeException, FQEID and target the text itself, OperationStopped. */
function thrown(message: string): ErrorRecordSpec {
  return {
    message,
    exceptionTypes: ['System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
    exceptionProps: [
      ['ErrorRecord', message],
      ['WasThrownFromThrowStatement', true],
    ],
    fullyQualifiedErrorId: message,
    category: 'OperationStopped',
    activity: '',
    reason: 'RuntimeException',
    targetName: message,
    targetType: 'String',
    targetObject: message,
  };
}

/** [Environment]::ExpandEnvironmentVariables: `%NAME%` replaced when NAME is set, kept otherwise. */
function expand(path: string, env: ReadonlyMap<string, string>): string {
  return path.replace(/%([^%]+)%/g, (m, name: string) => {
    for (const [k, v] of env) if (k.toLowerCase() === name.toLowerCase()) return v;
    return m;
  });
}

export interface TransferIo {
  readonly args: readonly PsValue[];
  readonly input: AsyncIterable<PsValue> | undefined;
  readonly files: PsrpFiles;
  output(v: PsValue): Promise<void> | void;
}

/** Run copy.ps1 or fetch.ps1; a failure is the record the script's `throw` would give. */
export async function runTransfer(kind: TransferKind, io: TransferIo): Promise<ErrorRecordSpec | undefined> {
  const raw = asString(io.args[0] ?? null) ?? '';
  const path = io.args[1] === true ? expand(raw, io.files.environment()) : raw;
  let target: string;
  try {
    target = io.files.resolve(path);
  } catch (e) {
    return thrown(e instanceof Error ? e.message : String(e));
  }
  if (kind === 'fetch') {
    const k = io.files.kind(target);
    if (k === 'directory') return thrown(`The path at '${target}' is a directory, src must be a file`);
    if (k === undefined) return thrown(`The path at '${target}' does not exist`);
    const data = Buffer.from(io.files.read(target));
    if (data.length > 0) await io.output(data.toString('base64'));
    await io.output(createHash('sha1').update(data).digest('hex'));
    return undefined;
  }
  // copy: every input is a base64 chunk; the last one is base64 of the SHA-1 hex digest.
  const chunks: string[] = [];
  for await (const v of io.input ?? []) chunks.push(asString(v) ?? '');
  const expected = Buffer.from(chunks.pop() ?? '', 'base64').toString('utf8');
  const data = Buffer.concat(chunks.map((c) => Buffer.from(c, 'base64')));
  const actual = createHash('sha1').update(data).digest('hex');
  if (actual !== expected) return thrown(`Transport failure, hash mismatch\r\nActual: ${actual}\r\nExpected: ${expected}`);
  try {
    io.files.write(target, data);
  } catch (e) {
    return thrown(e instanceof Error ? e.message : String(e));
  }
  await io.output(target);
  return undefined;
}
