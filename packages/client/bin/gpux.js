#!/usr/bin/env node
// The `gpux` command (its code is built into dist/cli by `npm run build:client`, which `npm ci` runs).
require('../dist/cli/main.js').run();
