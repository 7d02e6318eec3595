/** The console's API types are generated from the OpenAPI document the API serves: the committed file must be current. */
import * as fs from 'node:fs';
import { CONSOLE_API_TYPES, generateConsoleApiTypes } from '../../src/build/console-types';

it('src/console/api-types.ts is what openapi-typescript makes of /v1/openapi.json (run `npm run gen:console-types` if not)', () => {
  const committed = fs.readFileSync(CONSOLE_API_TYPES, 'utf8');
  const generated = generateConsoleApiTypes();
  expect(generated).toContain("'/v1/environment'");
  expect(committed).toBe(generated);
});
