/**
 * Structured logs with Powertools: JSON lines with a request id. Nothing logs a header, a body or
 * a secret; error objects are logged with their message and stack only.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

type ConstructorOptions = ConstructorParameters<typeof Logger>[0];

/** A Powertools logger whose JSON lines go to a function instead of stdout (CLI, dev server, tests). */
export class LineLogger extends Logger {
  constructor(
    private readonly sink: (line: string) => void,
    options?: ConstructorOptions,
  ) {
    super(options);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new LineLogger(this.sink, options);
  }
}

export type LogOption = Logger | ((line: string) => void);

export const API_SERVICE_NAME = 'abca-api';

export function apiLogger(log?: LogOption): Logger {
  if (log instanceof Logger) return log;
  if (typeof log === 'function') return new LineLogger(log, { serviceName: API_SERVICE_NAME });
  return new Logger({ serviceName: API_SERVICE_NAME });
}

/** Drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return new Logger({ serviceName: API_SERVICE_NAME, logLevel: 'SILENT' });
}
