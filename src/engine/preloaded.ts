/**
 * Modules a worker thread was started with (worker-bundle.ts): the bundle a
 * worker runs holds the model's modules, registered here by their URLs, so
 * that the worker takes them from here instead of importing them again (which
 * would need the TypeScript loader the bundle does without). A URL not
 * registered is imported as usual.
 */
const modules = new Map<string, unknown>();

/** Registers a module under the URL it would be imported from. */
export function preload(url: string, mod: unknown): void {
  modules.set(url, mod);
}

/** The module at `url`: the one registered under it, else `import(url)`. */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  const mod = modules.get(url);
  return (mod ?? (await import(url))) as Record<string, unknown>;
}
