/**
 * The answer to a request whose headers are over `maxHeaderBytes` at the HTTP level (Node's `maxHeaderSize`, used
 * by the HTTP and WebSocket gateways): a 431 with weft's coded error body instead of Node's bare one, then the
 * connection closes. The server keeps serving other connections.
 */
import type { Duplex } from 'node:stream';
import { bodyOfWire, LimitExceededError, toWire } from '../errors/index.js';

/** The raw HTTP/1.1 431 answer naming the limit. */
export function headerOverflowAnswer(maxHeaderBytes: number): string {
  const err = new LimitExceededError(
    `the request's headers are over the gateway's limit of ${maxHeaderBytes} bytes (limits.maxHeaderBytes)`,
    { details: { limit: 'maxHeaderBytes', max: maxHeaderBytes } },
  );
  const body = JSON.stringify({ ...bodyOfWire(toWire(err)), details: err.details });
  return `HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * A `clientError` handler: header overflow answers 431 with the coded body, any other malformed request 400;
 * a reset connection is left alone.
 */
export function clientErrorHandler(maxHeaderBytes: number): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      if (err.code === 'HPE_HEADER_OVERFLOW') socket.write(headerOverflowAnswer(maxHeaderBytes));
      else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        socket.write('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      } else {
        const body = JSON.stringify({
          code: 'WEFT_BAD_REQUEST',
          name: 'BadRequestError',
          detail: 'malformed HTTP request',
        });
        socket.write(
          `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      }
    }
    socket.destroy();
  };
}
