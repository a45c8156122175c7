// Collects bytes until the first "\n", with a bound on the line's length, so
// a peer that never sends a newline cannot make us buffer without end. Pure.

export type LineResult =
  | { readonly kind: 'line'; readonly line: string }
  | { readonly kind: 'more' }
  | { readonly kind: 'too-long' };

export class LineReader {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private done = false;

  /**
   * `maxBytes` bounds the line without its "\n" or "\r\n". `encoding`: latin1
   * keeps every byte as one character, for requests that must be ASCII.
   */
  constructor(private readonly maxBytes: number, private readonly encoding: BufferEncoding = 'utf8') {}

  /** Feeds bytes. Anything after the first line is ignored (one request or reply per connection). */
  push(chunk: Buffer): LineResult {
    if (this.done) return { kind: 'more' };
    const newline = chunk.indexOf(0x0a);
    const head = newline < 0 ? chunk : chunk.subarray(0, newline);
    // One byte more than the bound may be the "\r" of a "\r\n".
    if (this.size + head.length > this.maxBytes + 1) return this.finish({ kind: 'too-long' });
    this.parts.push(head);
    this.size += head.length;
    if (newline < 0) return { kind: 'more' };
    return this.finish(this.line());
  }

  /** End of input: the unterminated line, if anything was sent. */
  end(): LineResult | undefined {
    if (this.done || this.size === 0) return undefined;
    return this.finish(this.line());
  }

  private line(): LineResult {
    let bytes = Buffer.concat(this.parts, this.size);
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    if (bytes.length > this.maxBytes) return { kind: 'too-long' };
    return { kind: 'line', line: bytes.toString(this.encoding) };
  }

  private finish(result: LineResult): LineResult {
    this.done = true;
    this.parts.length = 0;
    return result;
  }
}
