#!/usr/bin/env node
// Entry point: run the compiled CLI and hand its exit code to Node. Setting exitCode rather than
// calling process.exit lets a large report finish flushing into a pipe (exit cut it at 64 KiB).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
