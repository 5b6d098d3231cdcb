// Labels are data: a key is whatever a user or an artifact wrote (`constructor`, `__proto__`, `toString`),
// never an object property. Lookups by such a key read own properties only, and objects keyed by such
// text are built with Object.fromEntries (which defines `__proto__` as a key rather than setting the
// prototype) or counted in a Map first.

/** The value of label `key`, or undefined: never a property inherited from Object.prototype. */
export function labelOf(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}
