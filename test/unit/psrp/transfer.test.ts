// pypsrp's copy.ps1 and fetch.ps1, recognised by their text and carried out natively.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { runTransfer, transferScript } from '../../../src/shell/psrp/transfer.js';
import type { PsrpFiles } from '../../../src/shell/psrp/engine.js';
import type { PsValue } from '../../../src/shell/psrp/clixml.js';
import type { PipelineCommand } from '../../../src/shell/psrp/records.js';

function memoryFiles(): PsrpFiles & { store: Map<string, Uint8Array> } {
  const store = new Map<string, Uint8Array>();
  return {
    store,
    resolve: (p) => (/^[A-Za-z]:\\/.test(p) ? p : `C:\\Users\\u\\Documents\\${p}`),
    kind: (p) => (store.has(p) ? 'file' : p === 'C:\\Users' ? 'directory' : undefined),
    read: (p) => store.get(p)!,
    write: (p, d) => void store.set(p, d),
    environment: () => new Map([['TEMP', 'C:\\Temp']]),
  };
}

async function* inputs(values: string[]): AsyncIterable<PsValue> {
  for (const v of values) yield v;
}

const script = (text: string): PipelineCommand[] => [{ command: text, isScript: true, useLocalScope: undefined, args: [], mergeMyResult: 0, mergeToResult: 0, mergePreviousResults: 0, mergeError: 0, mergeWarning: 0, mergeVerbose: 0, mergeDebug: 0, mergeInformation: 0 }];

describe('pypsrp transfer scripts', () => {
  it('recognises copy.ps1 and fetch.ps1 by their text only', () => {
    expect(transferScript(script('begin { $expected_hash = "" } end { [System.IO.File]::Move($path, $output_path) }'))).toBe('copy');
    expect(transferScript(script('$fs = $src.OpenRead(); $hash = [System.BitConverter]::ToString($algo.Hash)'))).toBe('fetch');
    expect(transferScript(script('Write-Output hi'))).toBeUndefined();
  });

  it('copies base64 chunks after checking the SHA-1, and answers the absolute path', async () => {
    const files = memoryFiles();
    const data = Buffer.from('hello world');
    const sha = Buffer.from(createHash('sha1').update(data).digest('hex')).toString('base64');
    const out: PsValue[] = [];
    const failed = await runTransfer('copy', { args: ['%TEMP%\\f.txt', true], input: inputs([data.subarray(0, 5).toString('base64'), data.subarray(5).toString('base64'), sha]), files, output: (v) => void out.push(v) });
    expect(failed).toBeUndefined();
    expect(out).toEqual(['C:\\Temp\\f.txt']);
    expect(Buffer.from(files.store.get('C:\\Temp\\f.txt')!).toString()).toBe('hello world');
  });

  it('fails a copy whose hash does not match with the script’s own text', async () => {
    const failed = await runTransfer('copy', { args: ['x.txt', false], input: inputs([Buffer.from('a').toString('base64'), Buffer.from('0'.repeat(40)).toString('base64')]), files: memoryFiles(), output: () => undefined });
    expect(failed?.message).toBe(`Transport failure, hash mismatch\r\nActual: ${createHash('sha1').update('a').digest('hex')}\r\nExpected: ${'0'.repeat(40)}`);
    expect(failed?.fullyQualifiedErrorId).toBe(failed?.message);
    expect(failed?.category).toBe('OperationStopped');
  });

  it('fetches a file as base64 then its SHA-1, and refuses folders and missing files', async () => {
    const files = memoryFiles();
    files.store.set('C:\\a.bin', new Uint8Array([1, 2, 3]));
    const out: PsValue[] = [];
    expect(await runTransfer('fetch', { args: ['C:\\a.bin', false], input: undefined, files, output: (v) => void out.push(v) })).toBeUndefined();
    expect(out).toEqual(['AQID', createHash('sha1').update(Buffer.from([1, 2, 3])).digest('hex')]);
    expect((await runTransfer('fetch', { args: ['C:\\Users', false], input: undefined, files, output: () => undefined }))?.message).toBe("The path at 'C:\\Users' is a directory, src must be a file");
    expect((await runTransfer('fetch', { args: ['C:\\none', false], input: undefined, files, output: () => undefined }))?.message).toBe("The path at 'C:\\none' does not exist");
  });
});
