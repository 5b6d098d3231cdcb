#!/usr/bin/env node
// The bundled CLI (scripts/bundle.mjs, built by `npm run build`): one file per command's lazy part.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
