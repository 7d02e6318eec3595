/** Writes src/console/api-types.ts from the API's OpenAPI document. Usage: npx tsx scripts/gen-console-types.ts */
import * as fs from 'node:fs';
import { CONSOLE_API_TYPES, generateConsoleApiTypes } from '../src/build/console-types';

fs.writeFileSync(CONSOLE_API_TYPES, generateConsoleApiTypes());
process.stdout.write(`wrote ${CONSOLE_API_TYPES}\n`);
