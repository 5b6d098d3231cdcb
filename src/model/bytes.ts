// Byte buffers handed between threads.

/** The ArrayBuffer `bytes` view wholly (not shared, not a slice of a larger one): one a worker may take. */
export function wholeArrayBuffer(bytes: Uint8Array): ArrayBuffer | null {
  const b = bytes.buffer;
  return b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength ? b : null;
}
