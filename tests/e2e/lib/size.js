// The one measure of "gzip size" in this project: GNU gzip at its default level
// (`gzip -c FILE | wc -c`), the same command the before-stop hook and build.sh's size table
// use. Node's zlib at level 6 gives a different stream (≈ 470 B larger on our wasm), so a
// second measure would let the test and the hook disagree about the same file.
import { execFileSync } from 'node:child_process';

export function gzipSize(file) {
  const out = execFileSync('gzip', ['-c', '--', file], { maxBuffer: 64 << 20 });
  if (out.length < 18 || out[0] !== 0x1f || out[1] !== 0x8b) {
    throw new Error(`gzip -c ${file} did not write a gzip stream`);
  }
  return out.length;
}
