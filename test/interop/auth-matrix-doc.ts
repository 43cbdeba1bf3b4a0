// Prints docs/auth-matrix.md's table section: `npx tsx test/interop/auth-matrix-doc.ts`.
import { renderMatrix } from './auth-matrix.js';

process.stdout.write(renderMatrix());
