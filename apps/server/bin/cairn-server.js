#!/usr/bin/env node
// The `cairn-server` bin. pnpm links a dependency's bins at install time, before anything is built; a bin
// pointing straight into dist/ made every fresh install warn "Failed to create bin ... cairn-server".
await import('../dist/bin.js');
