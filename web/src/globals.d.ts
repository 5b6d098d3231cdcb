// Set by boot.ts (a classic script) before the dashboard's module runs.
interface Window {
  /** The first page's API requests, by URL, started by boot.ts. */
  kabiEarly?: Map<string, Promise<Response>>;
}
