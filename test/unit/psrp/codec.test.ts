// The PSRP codec: fragments [MS-PSRP 2.2.4], messages [2.2.1], CLIXML [2.2.5] with PowerShell's
// string escaping, checked against the recorded Windows messages of shared/fixtures/psrp.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, fixture } from '../../helpers/fixtures.js';
import {
  PsObject,
  PsPrim,
  dateTime,
  decodeString,
  deserialize,
  double,
  encodeString,
  enumValue,
  serialize,
  type PsValue,
} from '../../../src/shell/psrp/clixml.js';
import {
  Defragmenter,
  Destination,
  MessageType,
  PsrpCodecError,
  bytesToGuid,
  decodeMessage,
  encodeFragment,
  encodeMessage,
  fragmentMessage,
  guidToBytes,
  parseFragments,
} from '../../../src/shell/psrp/messages.js';
import { MessageQueue, STREAM_OVERHEAD } from '../../../src/shell/psrp/pool.js';
import { categoryMessage, ellipsize, errorRecord, Errors, parseCreatePipeline } from '../../../src/shell/psrp/records.js';
import { deserializeObject } from '../../../src/shell/psrp/clixml.js';

interface Message {
  request: string;
  response: string;
}

const RECORDED = path.join(FIXTURES_DIR, 'psrp/recorded');

/** Every PSRP message of every recording, decoded with the server's codec. */
function recordedMessages(side: 'request' | 'response') {
  const out: Array<{ file: string; type: number; data: string }> = [];
  for (const file of readdirSync(RECORDED).filter((f) => !f.startsWith('_'))) {
    const doc = parseYaml(fixture(`psrp/recorded/${file}`)) as { messages: Message[] };
    const defrag = new Defragmenter();
    for (const m of doc.messages) {
      if (!m.request.includes('http://schemas.microsoft.com/powershell/')) continue;
      const xml = m[side] ?? '';
      for (const mm of xml.matchAll(/<(?:\w+:)?(creationXml|Arguments|Stream|connectXml|connectResponseXml)[^>]*>([^<]+)</g)) {
        const d = /connect/.test(mm[1]!) ? new Defragmenter() : defrag;
        for (const raw of d.push(parseFragments(Buffer.from(mm[2]!, 'base64')))) {
          const msg = decodeMessage(raw);
          out.push({ file, type: msg.type, data: msg.data });
        }
      }
    }
  }
  return out;
}

describe('CLIXML against the recordings', () => {
  it('re-serialises every server message of every recording byte for byte', () => {
    const msgs = recordedMessages('response').filter((m) => m.data !== '');
    expect(msgs.length).toBeGreaterThan(200);
    for (const m of msgs) expect(serialize(deserialize(m.data)), `${m.file} ${m.type.toString(16)}`).toBe(m.data);
  });

  it('reads every client message (pypsrp attribute order, CI for ci, Nil switch values)', () => {
    for (const m of recordedMessages('request')) {
      if (m.data === '') continue;
      const v = deserialize(m.data);
      if (m.type === MessageType.CREATE_PIPELINE && v instanceof PsObject) {
        const spec = parseCreatePipeline(v);
        expect(spec.statements.length).toBeGreaterThan(0);
      }
    }
  });

  it('parses Out-String -Stream with a Nil switch value and ExtraCmds statements', () => {
    const doc = parseYaml(fixture('psrp/recorded/test_psrp_long_running_cmdlet.yml')) as { messages: Message[] };
    const args = /<rsp:Arguments>([^<]+)</.exec(doc.messages[3]!.request)![1]!;
    const [raw] = new Defragmenter().push(parseFragments(Buffer.from(args, 'base64')));
    const spec = parseCreatePipeline(deserializeObject(decodeMessage(raw!).data));
    // ExtraCmds holds every statement; Cmds repeats the first and is not run again.
    expect(spec.statements.map((s) => s.map((c) => c.command))).toEqual([['Start-Sleep'], ['echo hi']]);
    expect(spec.statements[0]![0]!.args).toEqual([{ name: 'Seconds', value: 10 }]);
    expect(spec.statements[1]![0]!.isScript).toBe(true);
  });
});

describe('PowerShell string escaping (psrp.md §4.3)', () => {
  it('escapes control characters, surrogates and a literal _x', () => {
    expect(encodeString('a\r\nb\tc')).toBe('a_x000D__x000A_b_x0009_c');
    expect(encodeString('actual_x000A_string\nnewline: 𐐷')).toBe('actual_x005F_x000A_string_x000A_newline: _xD801__xDC37_');
    expect(encodeString('<&>"')).toBe('&lt;&amp;&gt;"');
    expect(encodeString('"', true)).toBe('&quot;');
    expect(encodeString('_X')).toBe('_x005F_X');
    expect(encodeString('\u0085')).toBe('_x0085_');
  });

  it('decodes escapes in any case', () => {
    expect(decodeString('_x000d__X000A_')).toBe('\r\n');
    expect(decodeString('a_x005F_x000A_b')).toBe('a_x000A_b');
  });

  it('round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(deserialize(serialize(s))).toBe(s);
      }),
    );
  });
});

describe('CLIXML values', () => {
  it('writes primitives as Windows does', () => {
    expect(serialize(null)).toBe('<Nil />');
    expect(serialize('')).toBe('<S></S>');
    expect(serialize(true)).toBe('<B>true</B>');
    expect(serialize(5)).toBe('<I32>5</I32>');
    expect(serialize(2 ** 40)).toBe('<I64>1099511627776</I64>');
    expect(serialize(1.5)).toBe('<Db>1.5</Db>');
    expect(serialize(double(1e21))).toBe('<Db>1E+21</Db>');
    expect(serialize(double(Infinity))).toBe('<Db>INF</Db>');
    expect(serialize(10n)).toBe('<I64>10</I64>');
    expect(serialize(new PsPrim('Version', '5.1.1'))).toBe('<Version>5.1.1</Version>');
    expect(serialize(dateTime(Date.UTC(2018, 5, 13, 23, 46, 28, 5), 1600))).toBe('<DT>2018-06-13T23:46:28.00516+00:00</DT>');
    expect(serialize(dateTime(Date.UTC(2018, 5, 13, 23, 46, 28)))).toBe('<DT>2018-06-13T23:46:28+00:00</DT>');
  });

  it('writes TNRef for repeated type names and Ref for a repeated object', () => {
    const shared = new PsObject({ typeNames: ['A', 'System.Object'], members: [['x', 1]] });
    const o = new PsObject({ members: [['one', shared], ['two', shared], ['three', enumValue('E', 'V', 1)], ['four', enumValue('E', 'W', 2)]] });
    expect(serialize(o)).toBe(
      '<Obj RefId="0"><MS><Obj N="one" RefId="1"><TN RefId="0"><T>A</T><T>System.Object</T></TN><MS><I32 N="x">1</I32></MS></Obj><Ref N="two" RefId="1" />' +
        '<Obj N="three" RefId="2"><TN RefId="1"><T>E</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>V</ToString><I32>1</I32></Obj>' +
        '<Obj N="four" RefId="3"><TNRef RefId="1" /><ToString>W</ToString><I32>2</I32></Obj></MS></Obj>',
    );
    const back = deserialize(serialize(o)) as PsObject;
    expect(back.get('one')).toBe(back.get('TWO'));
  });

  it('marks received objects Deserialized, as PowerShell does for pipeline input', () => {
    const v = deserialize('<Obj RefId="0"><TN RefId="0"><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT><En><S N="Key">a</S><S N="Value">b</S></En></DCT></Obj>', { markDeserialized: true });
    expect(serialize(v)).toBe(
      '<Obj RefId="0"><TN RefId="0"><T>Deserialized.System.Collections.Hashtable</T><T>Deserialized.System.Object</T></TN><DCT><En><S N="Key">a</S><S N="Value">b</S></En></DCT></Obj>',
    );
  });

  it('round-trips arbitrary value trees', () => {
    const leaf: fc.Arbitrary<PsValue> = fc.oneof(fc.constant(null), fc.string(), fc.boolean(), fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => new PsPrim('I64', String(b))));
    const tree = fc.letrec<{ v: PsValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('v'), { maxLength: 4 }).map((items) => new PsObject({ typeNames: ['System.Object[]', 'System.Array', 'System.Object'], list: items })),
        fc.array(fc.tuple(fc.string({ minLength: 1 }), tie('v')), { maxLength: 4 }).map((ms) => new PsObject({ members: new Map(ms) })),
      ),
    })).v;
    fc.assert(
      fc.property(tree, (v) => {
        const once = serialize(v);
        expect(serialize(deserialize(once))).toBe(once);
      }),
    );
  });
});

describe('fragments and messages', () => {
  const rpid = guidToBytes('0533352D-95C5-4715-BF50-1F449FF1FC9B');

  it('orders GUID bytes as .NET does and back', () => {
    expect(rpid.toString('hex')).toBe('2d353305c5951547bf501f449ff1fc9b');
    expect(bytesToGuid(rpid)).toBe('0533352D-95C5-4715-BF50-1F449FF1FC9B');
  });

  it('puts a BOM before server data and none on an empty message', () => {
    const m = encodeMessage({ destination: Destination.Client, type: MessageType.PIPELINE_OUTPUT, rpid, pid: rpid, data: '<S>x</S>' });
    expect(m.subarray(40, 43).toString('hex')).toBe('efbbbf');
    expect(decodeMessage(m).data).toBe('<S>x</S>');
    const empty = encodeMessage({ destination: Destination.Client, type: MessageType.END_OF_PIPELINE_INPUT, rpid, pid: rpid, data: '' });
    expect(empty.length).toBe(40);
  });

  it('splits a message into fragments and reassembles them across pushes', () => {
    const msg = Buffer.alloc(100_000, 0x61);
    const frags = fragmentMessage(7, msg, 32 * 1024);
    expect(frags.length).toBe(4);
    const d = new Defragmenter();
    const first = parseFragments(Buffer.concat(frags.slice(0, 2)));
    expect(first.map((f) => [f.fragmentId, f.start, f.end])).toEqual([
      [0, true, false],
      [1, false, false],
    ]);
    expect(d.push(first)).toEqual([]);
    expect(d.pending).toBe(1);
    const [done] = d.push(parseFragments(Buffer.concat(frags.slice(2))));
    expect(done!.equals(msg)).toBe(true);
  });

  it('refuses truncated fragments and fragments out of sequence', () => {
    const f = encodeFragment({ objectId: 1, fragmentId: 0, start: true, end: false, blob: Buffer.from('abc') });
    expect(() => parseFragments(f.subarray(0, 22))).toThrow(PsrpCodecError);
    const d = new Defragmenter();
    d.push(parseFragments(f));
    expect(() => d.push(parseFragments(encodeFragment({ objectId: 1, fragmentId: 2, start: false, end: true, blob: Buffer.from('x') })))).toThrow(/out of sequence/);
    expect(() => new Defragmenter().push(parseFragments(encodeFragment({ objectId: 9, fragmentId: 1, start: false, end: true, blob: Buffer.from('x') })))).toThrow(/without its start/);
  });
});

describe('fragmenting queued messages into Receives', () => {
  const msg = (n: number) => Buffer.alloc(n, 0x62);

  it('packs whole messages, one fragment per Stream element, within the envelope budget', () => {
    const q = new MessageQueue();
    q.push(msg(55), 1);
    q.push(msg(20_050), 1);
    q.push(msg(10_050), 1, true);
    let id = 1;
    const next = () => id++;
    // 32768-byte envelope less the overhead reserved by the shell layer.
    const first = q.take(32768 - 1500, next);
    expect(first.fragments.length).toBe(2);
    expect(first.finished).toBe(false);
    const used = first.fragments.reduce((n, f) => n + STREAM_OVERHEAD + Math.ceil(f.length / 3) * 4, 0);
    expect(used).toBeLessThanOrEqual(32768 - 1500);
    const second = q.take(32768 - 1500, next);
    expect(second.fragments.length).toBe(1);
    expect(second.finished).toBe(true);
    expect(parseFragments(second.fragments[0]!)[0]!.objectId).toBe(3);
  });

  it('splits a message larger than one envelope into fragments of consecutive Receives', () => {
    const q = new MessageQueue();
    q.push(msg(100_000), 1, true);
    let id = 1;
    const d = new Defragmenter();
    let out: Buffer[] = [];
    for (let i = 0; i < 40 && out.length === 0; i++) {
      const t = q.take(8192 - 1500, () => id++);
      for (const f of t.fragments) expect(f.length).toBeLessThanOrEqual(8192);
      out = d.push(t.fragments.flatMap((f) => parseFragments(f)));
    }
    expect(out[0]!.length).toBe(100_000);
    expect(id).toBe(2);
  });
});

describe('error records', () => {
  it('ellipsizes the category line as ErrorCategoryInfo does (fixture jea #7)', () => {
    expect(ellipsize('Set-Item -Path WSMan:\\localhost\\Service\\AllowUnencrypted -Value $false')).toBe('Set-Item -Path ...d -Value $false');
    expect(categoryMessage(Errors.scriptsNotAllowed('Set-Item -Path WSMan:\\localhost\\Service\\AllowUnencrypted -Value $false'))).toBe(
      'ParserError: (Set-Item -Path ...d -Value $false:String) [], ParseException',
    );
  });

  it('has every property PowerShell reads, with SerializeExtendedInfo false', () => {
    const r = errorRecord(Errors.commandNotFound('x'), { writeErrorStream: true });
    for (const p of ['Exception', 'TargetObject', 'FullyQualifiedErrorId', 'InvocationInfo', 'ErrorCategory_Category', 'ErrorCategory_Activity', 'ErrorCategory_Reason', 'ErrorCategory_TargetName', 'ErrorCategory_TargetType', 'ErrorCategory_Message', 'SerializeExtendedInfo']) {
      expect(r.has(p), p).toBe(true);
    }
    expect(r.get('SerializeExtendedInfo')).toBe(false);
    expect([...r.members.keys()][0]).toBe('writeErrorStream');
  });
});
