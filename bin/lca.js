#!/usr/bin/env node
// Entry point: run the compiled CLI and exit with its code (the only process.exit in lca).
import { main } from '../dist/src/cli/main.js';

process.exit(await main(process.argv));
