#!/usr/bin/env node
// Committed launcher: npm links it at install time, before dist/ is built.
require('../dist/bin.js');
