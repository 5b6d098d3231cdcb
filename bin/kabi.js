#!/usr/bin/env node
// CommonJS (bin/package.json): `kabi diff A B`, `kabi modversions DIR|FILE` and `kabi modinfo FILE` start
// in the quick entry (src/cli/quick.ts, bundled into dist/cli/quick.cjs) without the ES module loader; it
// hands anything it does not take to the bundled CLI (scripts/bundle.mjs, built by `npm run build`), as every other
// command goes straight there.
const argv = process.argv;
const load = () => import('../dist/cli/main.js');
const quick =
  argv[2] === 'diff' || argv[2] === 'modversions' || argv[2] === 'modinfo'
    ? require('../dist/cli/quick.cjs')
    : null;
(quick ? quick.run(argv, load) : load().then((cli) => cli.main(argv))).then((code) => {
  process.exitCode = code;
});
