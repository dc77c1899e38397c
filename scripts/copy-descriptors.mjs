// Copies the reflection descriptor set next to the compiled code: tsc copies only what it compiles.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(`${root}dist/generated`, { recursive: true });
copyFileSync(`${root}generated/flotilla.binpb`, `${root}dist/generated/flotilla.binpb`);
