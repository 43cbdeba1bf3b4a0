// Large ReceiveResponses go out of reused buffers (src/listener/response-buffers.ts): many clients
// at once, each on its own kept-alive HTTPS connection, more of them than the pool has buffers,
// every one reading back exactly the bytes its own command wrote.
import https from 'node:https';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { basic, request, SOAP } from '../helpers/http.js';
import type { CommandBackend, Program } from '../../src/shell/backend.js';
import * as pywinrm from '../../bench/lib/envelopes.js';

/** `emit <bytes> <seed>` writes bytes that differ from every other seed's, in 48 KiB writes. */
function pattern(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (seed * 131 + i * 7 + (i >> 9)) & 0xff;
  return b;
}
const backend: CommandBackend = {
  resolve: (spec) => {
    const m = /^emit (\d+) (\d+)$/.exec(spec.command.trim());
    if (!m) return undefined;
    const program: Program = async (ctx) => {
      const data = pattern(Number(m[1]), Number(m[2]));
      for (let off = 0; off < data.length; off += 48 * 1024) await ctx.write('stdout', data.subarray(off, off + 48 * 1024));
      return 0;
    };
    return Object.assign(program, { backend: 'test' });
  },
};

const HEADERS = { ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) };

/** A client on one kept-alive HTTPS connection: each send must be answered 200. */
function keptAlive(url: string): { send: (xml: string) => Promise<string>; close: () => void } {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  return {
    send: async (xml) => {
      const r = await request(url, { headers: HEADERS, body: xml, agent });
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      return r.text;
    },
    close: () => agent.destroy(),
  };
}

/** A new shell running `emit <bytes> <seed>`. */
async function startEmit(send: (xml: string) => Promise<string>, bytes: number, seed: number): Promise<{ shell: string; cmd: string }> {
  const shell = /<rsp:ShellId>([^<]+)</.exec(await send(pywinrm.create()))![1]!;
  const cmd = /<rsp:CommandId>([^<]+)</.exec(await send(pywinrm.command(shell, `emit ${bytes} ${seed}`)))![1]!;
  return { shell, cmd };
}

/** The stdout bytes a ReceiveResponse carries. */
function stdoutOf(text: string): Buffer[] {
  return [...text.matchAll(/<rsp:Stream Name="stdout"[^>]*>([^<]*)<\/rsp:Stream>/g)].map((m) => Buffer.from(m[1]!, 'base64'));
}

describe('large responses from reused buffers', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator({}, { backend });
  });
  afterAll(() => emu.close());

  it('gives 12 concurrent clients (the pool has 8 buffers) exactly their own 600 KB each, over several rounds', async () => {
    const client = async (seed: number): Promise<void> => {
      const { send, close } = keptAlive(emu.https);
      try {
        for (let round = 0; round < 2; round++) {
          const { shell, cmd } = await startEmit(send, 600_000, seed + round * 100);
          const parts: Buffer[] = [];
          let receives = 0;
          for (let done = false; !done && receives < 100; receives++) {
            const text = await send(pywinrm.receive(shell, cmd));
            parts.push(...stdoutOf(text));
            done = text.includes('CommandState/Done');
          }
          expect(receives).toBeGreaterThan(3); // several large Receives, each well over 16 KiB
          expect(Buffer.concat(parts).equals(pattern(600_000, seed + round * 100))).toBe(true);
          await send(pywinrm.signal(shell, cmd));
          await send(pywinrm.del(shell));
        }
      } finally {
        close();
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => client(i + 1)));
  });

  // Six, not more: when nine or more such requests (over 16 KB, more than one TLS record) are
  // pipelined with 150 KB answers, Node 20's HTTP server stops answering the connection after the
  // first answer; a bare https.createServer does the same (decision 0008). No WinRM client pipelines.
  it('keeps every queued response to pipelined requests intact while the client is slow to read', async () => {
    const pending: Array<{ shell: string; cmd: string; seed: number }> = [];
    const { send, close } = keptAlive(emu.https);
    try {
      for (let seed = 1; seed <= 6; seed++) pending.push({ ...(await startEmit(send, 300_000, seed)), seed });
    } finally {
      close();
    }
    // One Receive per command, all written at once on one TLS connection; nothing read for a while.
    const u = new URL(emu.https);
    const socket = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const requests = pending.map(({ shell, cmd }) => {
      const body = Buffer.from(pywinrm.receive(shell, cmd));
      return Buffer.concat([Buffer.from(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${SOAP['content-type']}\r\nAuthorization: ${HEADERS.authorization}\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    });
    socket.pause();
    socket.write(Buffer.concat(requests));
    await new Promise((r) => setTimeout(r, 300));
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.resume();
    const texts: string[] = [];
    const deadline = Date.now() + 20_000;
    while (texts.length < pending.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      let all = Buffer.concat(got);
      texts.length = 0;
      for (;;) {
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) break;
        const length = Number(/content-length: (\d+)/i.exec(all.subarray(0, end).toString('latin1'))?.[1] ?? -1);
        if (length < 0 || all.length < end + 4 + length) break;
        texts.push(all.subarray(end + 4, end + 4 + length).toString('utf8'));
        all = all.subarray(end + 4 + length);
      }
    }
    socket.destroy();
    expect(texts).toHaveLength(pending.length);
    texts.forEach((text, i) => {
      const out = Buffer.concat(stdoutOf(text));
      expect(out.length).toBeGreaterThan(16 * 1024);
      expect(out.equals(pattern(300_000, pending[i]!.seed).subarray(0, out.length)), `response ${i + 1}`).toBe(true);
    });
  });
});
