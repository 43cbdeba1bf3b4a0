// Reusable buffers for large response bodies. A ReceiveResponse carries up to MaxEnvelopeSize of
// output (pywinrm asks for 150 KiB); encoded into a fresh Buffer per response, the socket write
// and the GC cost more than everything else the response costs, and into a buffer reused from a
// pool they cost a third of that (measured with bare fastify over TLS: 488 against 264 µs of CPU
// per 150 KB response; decision 0008). A buffer is lent for one response and comes back when
// that response has finished (handed to the socket) or its connection closed, never before:
// until then the socket may still read it.

export interface LentBuffer {
  /** The encoded body: a view of the lent buffer. */
  readonly payload: Buffer;
  /** Gives the buffer back; idempotent. */
  release(): void;
}

export class ResponseBuffers {
  private readonly free: Buffer[] = [];
  private lent = 0;

  /**
   * @param bufferBytes size of each buffer; a body that may not fit is encoded afresh
   * @param maxBuffers buffers at most, lent and free together (the bound on the memory kept)
   * @param minChars bodies shorter than this are left to Node's own small-buffer pool
   */
  constructor(
    readonly bufferBytes: number,
    readonly maxBuffers: number,
    readonly minChars: number,
  ) {}

  /** `text` as UTF-8 in a lent buffer, or undefined: too small, too large, or every buffer lent. */
  encodeUtf8(text: string): LentBuffer | undefined {
    if (text.length < this.minChars) return undefined;
    // At most 3 bytes per UTF-16 unit; else count exactly, as a too-small buffer would truncate.
    if (text.length * 3 > this.bufferBytes && Buffer.byteLength(text, 'utf8') > this.bufferBytes) return undefined;
    let buf = this.free.pop();
    if (buf === undefined) {
      if (this.lent >= this.maxBuffers) return undefined;
      buf = Buffer.allocUnsafeSlow(this.bufferBytes);
    }
    this.lent++;
    const n = buf.write(text, 0, 'utf8');
    let out: Buffer | undefined = buf;
    return {
      payload: buf.subarray(0, n),
      release: () => {
        if (out === undefined) return;
        this.free.push(out);
        this.lent--;
        out = undefined;
      },
    };
  }

  /** Buffers lent and not yet given back (for tests). */
  get inUse(): number {
    return this.lent;
  }
}
