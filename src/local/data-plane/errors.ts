/** Errors of the local AgentCore data plane, as AWS's rest-json protocol sends them. */

/** An error as AWS's rest-json protocol sends it: status, x-amzn-errortype, {"message", …}. */
export class DataPlaneError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const validation = (message: string, field?: string) =>
  new DataPlaneError(400, 'ValidationException', message, { reason: 'FieldValidationFailed', ...(field ? { fieldList: [{ name: field, message }] } : {}) });
