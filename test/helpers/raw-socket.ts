// A plain TCP client for tests that write HTTP by hand (a request cut in two, pipelining during a drain).
import { connect, type Socket } from 'node:net';

/** A connection to 127.0.0.1:`port`; rejects with the connect error (ECONNREFUSED once nothing listens). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection, as text (a chunked body is left as sent). */
export function collectUntilClose(socket: Socket): Promise<string> {
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}
