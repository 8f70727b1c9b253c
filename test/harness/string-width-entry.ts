/**
 * The string-width test's process (test/unit/cli/string-width.test.ts), bundled by scripts/build.mjs
 * as the bin is: prints, as JSON, each argument's width as the bundle measures it (the build's
 * stand-in for string-width), how many Intl.Segmenter had been built by then, and the width the
 * real module gives.
 */
import measured from 'string-width';

let built = 0;
const Segmenter = Intl.Segmenter;
// Counts the segmenters built from here on (Intl's members are read-only to TypeScript only).
Object.defineProperty(Intl, 'Segmenter', {
  value: class extends Segmenter {
    constructor(...args: ConstructorParameters<typeof Intl.Segmenter>) {
      super(...args);
      built += 1;
    }
  },
});

const texts = process.argv.slice(2);
const widths = texts.map((text) => ({ text, width: measured(text), segmentersBuilt: built }));
// A path, not the name: the stand-in answers only imports of the name.
const { default: real } = await import('../../node_modules/string-width/index.js');
process.stdout.write(JSON.stringify(widths.map((w) => ({ ...w, real: real(w.text) }))));
