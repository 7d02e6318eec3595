/** HTTP parsing and mapping: ETag / If-Match, repository ids from the path, error statuses and bodies. */
import { ForbiddenError, UnauthorizedError } from '../../src/auth/errors';
import { errorBody, httpStatusOf, PayloadTooLargeError } from '../../src/api/http-errors';
import { etagOf, ifMatchAllows, repoFromPath } from '../../src/api/http';
import { ConflictError, NotFoundError, OperationFailedError, ValidationError } from '../../src/errors';

describe('ETag and If-Match', () => {
  it('matches If-Match against the version: quoted, bare, weak, lists and *', () => {
    expect(etagOf({ version: 3 })).toBe('"3"');
    expect([undefined, '"3"', '3', 'W/"3"', '"1", "3"', '*'].map((h) => ifMatchAllows(h, 3))).toEqual([true, true, true, true, true, true]);
    expect(['"2"', '', 'x', '"33"'].map((h) => ifMatchAllows(h, 3))).toEqual([false, false, false, false]);
  });
});

describe('repository ids from the path', () => {
  it('canonicalizes to lower case and refuses what GitHub would not accept', () => {
    expect(repoFromPath('Acme', 'Widgets.js')).toBe('acme/widgets.js');
    for (const [owner, name] of [
      ['..', 'x'],
      ['acme', '..'],
      ['-acme', 'x'],
      ['acme', 'x.git'],
      ['\u0430cme', 'x'],
      ['acme', 'a/b'],
      ['a'.repeat(40), 'x'],
    ]) {
      expect(() => repoFromPath(owner!, name!)).toThrow(expect.objectContaining({ code: 'INVALID_REPO_ID' }));
    }
  });
});

describe('HTTP mapping of named errors', () => {
  it('maps each kind to its status, and hides the message of anything unexpected', () => {
    expect(httpStatusOf(new ValidationError('x'))).toBe(400);
    expect(httpStatusOf(new ValidationError('x', 'GUARDRAIL_VIOLATION'))).toBe(422);
    expect(httpStatusOf(new UnauthorizedError('x'))).toBe(401);
    expect(httpStatusOf(new ForbiddenError('x'))).toBe(403);
    expect(httpStatusOf(new NotFoundError('x'))).toBe(404);
    expect(httpStatusOf(new ConflictError('x', 'REPO_EXISTS'))).toBe(409);
    expect(httpStatusOf(new ConflictError('x', 'PRECONDITION_FAILED'))).toBe(412);
    expect(httpStatusOf(new PayloadTooLargeError('x'))).toBe(413);
    expect(httpStatusOf(new OperationFailedError('x'))).toBe(500);
    expect(errorBody(new Error('secret detail'))).toEqual({ error: { code: 'INTERNAL', message: expect.not.stringContaining('secret detail') } });
  });
});
