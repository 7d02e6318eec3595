/**
 * Recognising AWS errors. The SDK throws service exceptions whose `name` is the error shape's name
 * (`ConditionalCheckFailedException`, `ParameterNotFound`, …); matching on the name rather than the
 * class works across SDK copies (bundles, duplicated packages) and for errors built by middleware.
 */

/** The AWS error name of anything thrown, or undefined when it carries none. */
export function awsErrorName(e: unknown): string | undefined {
  if (e === null || typeof e !== 'object') return undefined;
  const name = (e as { name?: unknown }).name;
  return typeof name === 'string' && name ? name : undefined;
}

/** Is this one of the named AWS errors? `isAwsError(e, 'ResourceNotFoundException')`. */
export function isAwsError(e: unknown, ...names: [string, ...string[]]): boolean {
  const name = awsErrorName(e);
  return name !== undefined && names.includes(name);
}

/** Let through only the named AWS errors (to be handled by the caller): anything else is rethrown. */
export function rethrowUnlessAwsError(e: unknown, ...names: [string, ...string[]]): void {
  if (!isAwsError(e, ...names)) throw e;
}
