// kmod's `modprobe --dump-modversions`, the reference for a module's imports, over thousands of modules.
// modprobe takes one module a run, and a process per module costs more CPU than the dump itself (~1.5 ms
// of exec and kmod setup each, ~21,000 modules a run). So the modules go through the same libkmod calls
// modprobe makes for --dump-modversions (kmod_module_new_from_path, kmod_module_get_versions, each
// version printed as modprobe prints it: "0x%08x\t%s\n"), many in one python3 process over ctypes; and
// modprobe itself still dumps every SAMPLE-th module of each batch (its first included), which must
// equal the one-process dump byte for byte. Without python3 or libkmod.so.2, modprobe dumps each module
// (one shell per batch runs it on each module of the batch), as before.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tool, which } from './tools.js';

const run = promisify(execFile);

// Each module's output, a NUL (never in a symbol name), modprobe's exit status, a NUL.
const SCRIPT = 'for m; do "$0" --dump-modversions "$m"; printf "\\0%s\\0" "$?"; done';

// The same, from libkmod in one process: what modprobe's show_modversions() prints, status 1 where it
// would fail. Exit 3 when libkmod cannot be loaded (then modprobe runs on each module).
const LIBKMOD = `
import ctypes, sys
try:
    k = ctypes.CDLL('libkmod.so.2')
except OSError:
    sys.exit(3)
P = ctypes.c_void_p
k.kmod_new.restype = P
k.kmod_new.argtypes = [ctypes.c_char_p, P]
k.kmod_module_new_from_path.argtypes = [P, ctypes.c_char_p, ctypes.POINTER(P)]
k.kmod_module_get_versions.argtypes = [P, ctypes.POINTER(P)]
k.kmod_list_next.restype = P
k.kmod_list_next.argtypes = [P, P]
k.kmod_module_version_get_symbol.restype = ctypes.c_char_p
k.kmod_module_version_get_symbol.argtypes = [P]
k.kmod_module_version_get_crc.restype = ctypes.c_uint64
k.kmod_module_version_get_crc.argtypes = [P]
k.kmod_module_versions_free_list.argtypes = [P]
k.kmod_module_unref.argtypes = [P]
ctx = k.kmod_new(None, None)
out = sys.stdout.buffer
for path in sys.argv[1:]:
    mod, lst, lines, status = P(), P(), [], 1
    if k.kmod_module_new_from_path(ctx, path.encode(), ctypes.byref(mod)) >= 0:
        if k.kmod_module_get_versions(mod, ctypes.byref(lst)) >= 0:
            status, l = 0, lst.value
            while l:
                crc, sym = k.kmod_module_version_get_crc(l), k.kmod_module_version_get_symbol(l)
                lines.append(b'0x%08x\\t%s\\n' % (crc, sym))
                l = k.kmod_list_next(lst, l)
            k.kmod_module_versions_free_list(lst)
        k.kmod_module_unref(mod)
    out.write(b''.join(lines) + b'\\0%d\\0' % status)
`;

const BATCH = 1000;
/** modprobe itself dumps every SAMPLE-th module of a batch, to hold the one-process dump to its output. */
export const SAMPLE = 50;

/** Each module's output and exit status, as SCRIPT and LIBKMOD write them. */
function split(modules: readonly string[], stdout: string, how: string): Map<string, string> {
  const parts = stdout.split('\0');
  const out = new Map<string, string>();
  modules.forEach((m, i) => {
    const status = parts[2 * i + 1];
    if (status !== '0') throw new Error(`${how} ${m} exited ${status}`);
    out.set(m, parts[2 * i]!);
  });
  return out;
}

async function byModprobe(modules: readonly string[]): Promise<Map<string, string>> {
  const { stdout } = await run('sh', ['-c', SCRIPT, tool('modprobe'), ...modules], {
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  return split(modules, stdout, 'modprobe --dump-modversions');
}

/** The batch through libkmod in one process, or null when python3 or libkmod is not there. */
async function byLibkmod(modules: readonly string[]): Promise<Map<string, string> | null> {
  const python = which('python3');
  if (!python) return null;
  try {
    const { stdout } = await run(python, ['-c', LIBKMOD, ...modules], {
      maxBuffer: 1 << 28,
      encoding: 'utf8',
    });
    return split(modules, stdout, 'libkmod (modprobe --dump-modversions in one process)');
  } catch (e) {
    if ((e as { code?: unknown }).code === 3) return null;
    throw e;
  }
}

/** Each module's `modprobe --dump-modversions` output, as modprobe prints it; throws when one fails. */
export async function dumpModversions(modules: readonly string[]): Promise<Map<string, string>> {
  const batches: string[][] = [];
  for (let i = 0; i < modules.length; i += BATCH) batches.push(modules.slice(i, i + BATCH));
  const out = new Map<string, string>();
  const queue = [...batches];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
        const one = await byLibkmod(b);
        if (one) {
          const sample = b.filter((_, i) => i % SAMPLE === 0);
          for (const [m, dump] of await byModprobe(sample))
            if (one.get(m) !== dump)
              throw new Error(`${m}: the one-process libkmod dump differs from modprobe --dump-modversions`);
        }
        for (const [m, dump] of one ?? (await byModprobe(b))) out.set(m, dump);
      }
    }),
  );
  return out;
}
