/**
 * The local server's answer to a body declared larger than the limit: read it to the end (up to
 * MAX_DRAIN_BYTES), then answer 413 and close. Answering first and cutting the connection while
 * the client is still sending (what the stream limit does after a short drain) can reach the
 * client as a connection reset instead of the 413. Bodies without a Content-Length are still
 * limited while reading (middleware.ts `limitBody`).
 */
import * as http from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { errorBody, PayloadTooLargeError } from './http-errors';
import { MAX_BODY_BYTES } from './middleware';

/** Beyond this, the client is not sending a request but a flood: answer and close at once. */
export const MAX_DRAIN_BYTES = 32 * 1024 * 1024;
/** A client that trickles its body gets this long before the connection is closed. */
export const DRAIN_TIMEOUT_MS = 30_000;

export function declaredLength(req: http.IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

function refuse(req: http.IncomingMessage, res: http.ServerResponse, declared: number, log: Logger): void {
  const requestId = randomUUID();
  let answered = false;
  const answer = (then?: () => void) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    const body = JSON.stringify(errorBody(new PayloadTooLargeError(`request body is larger than ${MAX_BODY_BYTES} bytes`)));
    res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close', 'x-request-id': requestId });
    res.end(body, then);
    log.info('request', {
      request_id: requestId,
      method: req.method,
      path: (req.url ?? '').split('?')[0]!.slice(0, 200),
      status: 413,
      declared_bytes: declared,
    });
  };
  const timer = setTimeout(() => answer(() => req.destroy()), DRAIN_TIMEOUT_MS);
  timer.unref();
  if (declared > MAX_DRAIN_BYTES) {
    answer(() => req.destroy());
    return;
  }
  req.on('data', () => undefined);
  req.once('end', () => answer());
  req.once('error', () => res.destroy());
}

/** Wraps a request listener so oversized declared bodies never reach it. */
export function guardBodySize(listener: http.RequestListener, log: Logger): http.RequestListener {
  return (req, res) => {
    const declared = declaredLength(req);
    if (declared !== undefined && declared > MAX_BODY_BYTES) return refuse(req, res, declared, log);
    return listener(req, res);
  };
}

/** `createServer` for @hono/node-server's `serve`, with the guard in front of its listener. */
export function guardedCreateServer(log: Logger): typeof http.createServer {
  return ((options: http.ServerOptions | http.RequestListener, listener?: http.RequestListener) => {
    if (typeof options === 'function') return http.createServer(guardBodySize(options, log));
    return http.createServer(options, listener && guardBodySize(listener, log));
  }) as typeof http.createServer;
}
