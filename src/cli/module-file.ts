// `kabi modversions FILE` and `kabi modinfo [-F FIELD] FILE` of one module as text, shared by the commands
// (commands/modversions.ts, commands/modinfo.ts) and the quick entry (quick.ts): no commander here, and only
// the part of the library they call (src/index-modversions.ts).
import type { Artifact } from '../index.js';
import {
  MODULES_EXPECTED,
  modinfoFieldText,
  modinfoRenderers,
  modversionsRenderers,
  parseModuleImage,
  readModuleImage,
  sniffArtifact,
} from '../index-modversions.js';

/** The file sniffed as commands/modversions.ts sniffs one input; null when it is not one module. */
export async function sniffModule(path: string): Promise<Artifact | null> {
  const artifact = await sniffArtifact(path, { what: MODULES_EXPECTED });
  return artifact.kind === 'ko' ? artifact : null;
}

/** One module's imports as modprobe --dump-modversions prints them (before the sink's terminalSafe). */
export function moduleModversionsText(artifact: Artifact, source: string): string {
  return modversionsRenderers.text(parseModuleImage(artifact.data!, { source }));
}

/** `kabi modinfo` as text, or with a field its values one per line (before the sink's terminalSafe). */
export async function moduleModinfoText(path: string, field: string | undefined): Promise<string> {
  const m = await readModuleImage(path);
  return field ? modinfoFieldText(m, field) : modinfoRenderers.text(m);
}
