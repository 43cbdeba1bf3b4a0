// System.Security.Cryptography hash algorithms and System.BitConverter: Ansible's put_file check
// (SHA1CryptoServiceProvider, TransformBlock per chunk, TransformFinalBlock, .Hash, BitConverter).
import { describe, expect, it } from 'vitest';
import { lines, makeHarness } from './harness.js';

const h = makeHarness();
const ABC = '[System.Text.Encoding]::ASCII.GetBytes("abc")';

describe('hash algorithms', () => {
  it('SHA1 of "abc" by ComputeHash, for each way to get one', async () => {
    const r = await h.run(
      [
        `$b = ${ABC}`,
        '$a = [System.Security.Cryptography.SHA1CryptoServiceProvider]::Create(); $a.GetType().FullName',
        '[System.BitConverter]::ToString($a.ComputeHash($b))',
        '$n = New-Object System.Security.Cryptography.SHA1CryptoServiceProvider; [System.BitConverter]::ToString($n.ComputeHash($b)).Replace("-", "").ToLowerInvariant()',
        '$s = [System.Security.Cryptography.SHA1]::Create(); $s -is [System.Security.Cryptography.HashAlgorithm]; $s.HashSize',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      'System.Security.Cryptography.SHA1CryptoServiceProvider',
      'A9-99-3E-36-47-06-81-6A-BA-3E-25-71-78-50-C2-6C-9C-D0-D8-9D',
      'a9993e364706816aba3e25717850c26c9cd0d89d',
      'True',
      '160',
    ]);
  });

  it('TransformBlock per chunk then TransformFinalBlock gives the hash of the whole, as put_file computes it', async () => {
    const r = await h.run(
      [
        '$sha1 = [System.Security.Cryptography.SHA1CryptoServiceProvider]::Create()',
        '$bytes = @()',
        'foreach ($chunk in "YQ==", "YmM=") {',
        '  $bytes = [System.Convert]::FromBase64String($chunk)',
        '  $sha1.TransformBlock($bytes, 0, $bytes.Length, $bytes, 0)',
        '}',
        '$sha1.TransformFinalBlock($bytes, 0, 0).Length',
        '[System.BitConverter]::ToString($sha1.Hash).Replace("-", "").ToLowerInvariant()',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['1', '2', '0', 'a9993e364706816aba3e25717850c26c9cd0d89d']);
  });

  it('an empty stream hashes to the empty-input digest; Hash before the final block is an error', async () => {
    const r = await h.run(
      [
        '$s = [System.Security.Cryptography.SHA1CryptoServiceProvider]::Create()',
        'try { $s.Hash } catch { $_.Exception.Message }',
        '$s.TransformFinalBlock(@(), 0, 0) | Out-Null',
        '[System.BitConverter]::ToString($s.Hash).Replace("-", "").ToLowerInvariant()',
      ].join('\n'),
    );
    expect(lines(r.stdout)).toEqual(['Exception getting "Hash": "Hash must be finalized before the hash value is retrieved."', 'da39a3ee5e6b4b0d3255bfef95601890afd80709']);
  });

  it('MD5, SHA256, SHA384 and SHA512 of "abc"', async () => {
    const r = await h.run(
      [
        `$b = ${ABC}`,
        'foreach ($t in "MD5", "SHA256", "SHA384", "SHA512") {',
        '  $a = [System.Security.Cryptography.HashAlgorithm]::Create($t)',
        '  [System.BitConverter]::ToString($a.ComputeHash($b)).Replace("-", "").ToLowerInvariant()',
        '}',
        '([System.Security.Cryptography.MD5]::Create()).GetType().FullName',
        '([System.Security.Cryptography.SHA256]::Create()).GetType().FullName',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      '900150983cd24fb0d6963f7d28e17f72',
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      'System.Security.Cryptography.MD5CryptoServiceProvider',
      'System.Security.Cryptography.SHA256Managed',
    ]);
  });

  it('misuse: wrong argument counts and ranges', async () => {
    const r = await h.run(
      [
        '$s = [System.Security.Cryptography.SHA1CryptoServiceProvider]::Create()',
        'try { $s.TransformBlock([byte[]](1,2), 0, 2) } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }',
        'try { $s.TransformBlock([byte[]](1,2), 1, 2, $null, 0) } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }',
        'try { [System.Security.Cryptography.SHA1]::Frobnicate() } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }',
      ].join('\n'),
    );
    expect(lines(r.stdout)).toEqual([
      'Cannot find an overload for "TransformBlock" and the argument count: "3".',
      'MethodCountCouldNotFindBest',
      'Exception calling "TransformBlock" with "5" argument(s): "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection."',
      'ArgumentException',
      "Method invocation failed because [System.Security.Cryptography.SHA1] does not contain a method named 'Frobnicate'.",
      'MethodNotFound',
    ]);
  });
});

describe('[System.BitConverter]', () => {
  it('ToString gives upper-case hex pairs joined by dashes, with start and length', async () => {
    const r = await h.run(
      ['[System.BitConverter]::ToString([byte[]](0, 15, 16, 171, 255))', '[System.BitConverter]::ToString([byte[]](1, 2, 3, 4), 1)', '[System.BitConverter]::ToString([byte[]](1, 2, 3, 4), 1, 2)', '[System.BitConverter]::ToString(@())'].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['00-0F-10-AB-FF', '02-03-04', '02-03', '']);
  });

  it('GetBytes and ToInt32 are little-endian; IsLittleEndian', async () => {
    const r = await h.run(['[System.BitConverter]::GetBytes(258) -join ","', '[System.BitConverter]::ToInt32([byte[]](2, 1, 0, 0), 0)', '[System.BitConverter]::ToInt16([byte[]](255, 255), 0)', '[System.BitConverter]::IsLittleEndian'].join('\n'));
    expect(lines(r.stdout)).toEqual(['2,1,0,0', '258', '-1', 'True']);
  });
});
