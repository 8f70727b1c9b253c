/**
 * Counts what an Intl constructor builds from now on: `Intl[name]` becomes a subclass that counts
 * its instances, so code that runs later builds through it. For tests of what a command's start
 * leaves unbuilt (ICU's segmentation, number formatting).
 * @returns how many were built so far
 */
export function countInstances(name: 'Segmenter' | 'NumberFormat'): () => number {
  let built = 0;
  const Base = Intl[name] as new (...args: unknown[]) => object;
  // Intl's members are read-only to TypeScript only.
  Object.defineProperty(Intl, name, {
    value: class extends Base {
      constructor(...args: unknown[]) {
        super(...args);
        built += 1;
      }
    },
  });
  return () => built;
}
