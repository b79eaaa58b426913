import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
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
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const problem = tooLarge
      ? new HttpProblem('headers-too-large', 'The request headers are larger than this server accepts.')
      : new HttpProblem('malformed-request', 'The request is not valid HTTP/1.1 (its request line, headers or body framing).');
    const body = JSON.stringify(problemBody(problem, requestId));
    logger.info({ status: problem.status, code: err.code, requestId }, 'request refused by the HTTP parser');
    socket.end(
      [
        `HTTP/1.1 ${problem.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}`,
        'Content-Type: application/problem+json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}
