/**
 * The string-width test's process (test/unit/cli/string-width.test.ts), bundled by scripts/build.mjs
 * as the bin is: prints, as JSON, each argument's width as the bundle measures it (the build's
 * stand-in for string-width), how many Intl.Segmenter had been built by then, and the width the
 * real module gives.
 */
import measured from 'string-width';
import { countInstances } from './count-instances.js';

const built = countInstances('Segmenter');

const texts = process.argv.slice(2);
const widths = texts.map((text) => ({ text, width: measured(text), segmentersBuilt: built() }));
// A path, not the name: the stand-in answers only imports of the name.
const { default: real } = await import('../../node_modules/string-width/index.js');
process.stdout.write(JSON.stringify(widths.map((w) => ({ ...w, real: real(w.text) }))));
