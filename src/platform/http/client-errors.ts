import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { HttpProblem, problemBody } from './problem';

/**
 * Requests Node's HTTP parser refuses before the app sees them (a malformed request line, an
 * unknown method, headers over the size limit, a body that does not match its Content-Length):
 * Node would answer a bare 400 or 431. They get a problem+json with an X-Request-Id like every
 * other error, and the connection is closed.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own handler: nothing to say to a client that has gone (or hung up mid-body), and
    // nothing may be written into a response that has started.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const problem = parserProblem(err.code);
    const body = JSON.stringify(problemBody(problem, requestId));
    logger.info({ status: problem.status, code: err.code, requestId }, 'request refused by the HTTP parser');
    socket.end(
      [
        `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
        'Content-Type: application/problem+json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        'Cache-Control: no-store',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}

function parserProblem(code: string | undefined): HttpProblem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpProblem('headers-too-large', 'The request headers are larger than this server accepts.');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new HttpProblem('payload-too-large', 'The chunk extensions of the body are larger than this server accepts.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return new HttpProblem('request-timeout', 'The request did not arrive in time.');
    default:
      return new HttpProblem('malformed-request', 'The request is not valid HTTP/1.1 (its request line, headers or body framing).');
  }
}
