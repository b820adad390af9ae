// Bounded capture of a command's output: the ExecResult keeps the head and tail, callbacks see all.

const KEEP_HEAD_BYTES = 1024 * 1024;
const KEEP_TAIL_BYTES = 1024 * 1024;

/** Keeps the first and last bytes of a stream, so 100 MB of output costs at most 2 MiB here. */
export class BoundedBytes {
  private readonly head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private total = 0;

  push(chunk: Buffer) {
    this.total += chunk.length;
    const headRoom = KEEP_HEAD_BYTES - this.headSize;
    const rest = headRoom > 0 ? chunk.subarray(headRoom) : chunk;
    if (headRoom > 0) {
      const part = Buffer.from(chunk.subarray(0, headRoom));
      this.head.push(part);
      this.headSize += part.length;
    }
    if (rest.length === 0) return;
    this.tail.push(Buffer.from(rest));
    this.tailSize += rest.length;
    if (this.tailSize > KEEP_TAIL_BYTES * 2) this.compactTail();
  }

  private compactTail() {
    const joined = Buffer.concat(this.tail);
    const kept = joined.subarray(joined.length - KEEP_TAIL_BYTES);
    this.tail = [Buffer.from(kept)];
    this.tailSize = kept.length;
  }

  toBuffer(): Buffer {
    if (this.tailSize > KEEP_TAIL_BYTES) this.compactTail();
    const kept = this.headSize + this.tailSize;
    if (kept === this.total) return Buffer.concat([...this.head, ...this.tail]);
    const note = Buffer.from(`\n[... ${this.total - kept} bytes cut ...]\n`);
    return Buffer.concat([...this.head, note, ...this.tail]);
  }
}
