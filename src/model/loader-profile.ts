// How a kernel's module loader was built: the configuration switches (and vendor patches) the loader's
// rules depend on (kernel/module/main.c, version.c, signing.c). Each is `null` where it is unknown, as
// for a bare Module.symvers: the verdicts that depend on it then say so.

/** A loader whose own code differs from upstream in a rule kabi models. */
export type LoaderVendor = 'debian';

export interface LoaderProfile {
  /** CONFIG_MODVERSIONS: module_layout's and every import's CRC are checked against `__versions`. */
  modversions: boolean | null;
  /** CONFIG_MODULE_FORCE_LOAD: a module without `__versions` or vermagic loads, tainting the kernel (F). */
  forceLoad: boolean | null;
  /** CONFIG_MODULE_SIG: signatures are checked; an unsigned module taints the kernel (E). */
  sig: boolean | null;
  /** CONFIG_MODULE_SIG_FORCE (or `module.sig_enforce=1`): an unsigned module is refused. */
  sigForce: boolean | null;
  /** CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS: a namespace used but not imported only warns. */
  allowMissingNamespaceImports: boolean | null;
  /**
   * Whose loader: Debian's refuses an import with no `__versions` record ("module: Disable matching
   * missing version CRC"), upstream's warns once and loads it. null: unknown, or upstream's.
   */
  vendor: LoaderVendor | null;
  /** Where it was read: `boot/config-6.1.0-47-amd64`, `IKCONFIG`, a `--config` file; null when unknown. */
  source: string | null;
}

export const UNKNOWN_PROFILE: LoaderProfile = Object.freeze({
  modversions: null,
  forceLoad: null,
  sig: null,
  sigForce: null,
  allowMissingNamespaceImports: null,
  vendor: null,
  source: null,
});

/** The switches in the kernel's own names, as the `loader` label writes them. */
export const PROFILE_SWITCHES = {
  modversions: 'MODVERSIONS',
  forceLoad: 'MODULE_FORCE_LOAD',
  sig: 'MODULE_SIG',
  sigForce: 'MODULE_SIG_FORCE',
  allowMissingNamespaceImports: 'MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS',
} as const;

type Switch = keyof typeof PROFILE_SWITCHES;

/** The label a stored build keeps its profile in. */
export const LOADER_LABEL = 'loader';

/** `MODVERSIONS=y MODULE_FORCE_LOAD=y MODULE_SIG=y MODULE_SIG_FORCE=n ... vendor=debian`: known ones only. */
export function formatLoaderLabel(p: LoaderProfile): string {
  const out: string[] = [];
  for (const [key, name] of Object.entries(PROFILE_SWITCHES) as [Switch, string][]) {
    if (p[key] !== null) out.push(`${name}=${p[key] ? 'y' : 'n'}`);
  }
  if (p.vendor) out.push(`vendor=${p.vendor}`);
  return out.join(' ');
}

/** The profile a `loader` label describes (unknown switches stay null); `source` names where it came from. */
export function parseLoaderLabel(label: string, source: string | null = null): LoaderProfile {
  const p: LoaderProfile = { ...UNKNOWN_PROFILE, source };
  const byName = new Map<string, Switch>(Object.entries(PROFILE_SWITCHES).map(([k, n]) => [n, k as Switch]));
  for (const word of label.split(/\s+/)) {
    const [name, value] = word.split('=');
    if (name === 'vendor' && value === 'debian') p.vendor = value;
    const key = byName.get(name ?? '');
    if (key && (value === 'y' || value === 'n')) p[key] = value === 'y';
  }
  return p;
}

/** Whether anything at all is known. */
export const profileKnown = (p: LoaderProfile | null | undefined): p is LoaderProfile =>
  !!p && (Object.keys(PROFILE_SWITCHES) as Switch[]).some((k) => p[k] !== null);
