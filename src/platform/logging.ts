/**
 * Structured logs with Powertools: JSON lines with a request id. Nothing logs a header, a body or
 * a secret; error objects are logged with their message and stack only. Each entry point logs
 * under its own service name, so a reconciler line never reads as the API's.
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

/** The service name of each component that logs (the `service` field of every line). */
export const SERVICE_NAMES = {
  api: 'abca-api',
  provisioner: 'abca-provisioner',
  reconciler: 'abca-reconciler',
  imagePointer: 'abca-image-pointer',
} as const;
export type Component = keyof typeof SERVICE_NAMES;

/** The component's logger: the one given, or one writing JSON lines to a function, or to stdout. */
export function componentLogger(component: Component, log?: LogOption): Logger {
  if (log instanceof Logger) return log;
  const serviceName = SERVICE_NAMES[component];
  if (typeof log === 'function') return new LineLogger(log, { serviceName });
  return new Logger({ serviceName });
}

/** Drops everything (tests that do not look at logs). */
export function silentLogger(component: Component = 'api'): Logger {
  return new Logger({ serviceName: SERVICE_NAMES[component], logLevel: 'SILENT' });
}
