import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, answer an error status, or hold it first. */
export type FaultAction = 'pass' | { status: number; code?: string } | { stallMs: number };

/** One request as the proxy saw it, numbered from 1 in arrival order. */
export interface ProxiedRequest {
  readonly index: number;
  readonly method: string;
  readonly url: string;
  /** The action taken. */
  readonly action: FaultAction;
}

/** An HTTP proxy in front of an S3 server that injects faults chosen per request. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give this to the client as its endpoint. */
  readonly endpoint: string;
  /** Every request so far. */
  readonly requests: ProxiedRequest[];
  /** Replaces the rule (the default passes everything). */
  setRule(rule: (request: { index: number; method: string; url: string }) => FaultAction): void;
  close(): Promise<void>;
}

const errorBody = (code: string, status: number) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected ${status}</Message><RequestId>fault-proxy</RequestId></Error>`;

/** Starts a fault-injecting proxy on 127.0.0.1 at a free port, forwarding to `upstream`. */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let rule: (request: { index: number; method: string; url: string }) => FaultAction = () => 'pass';
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const upstreamRequest = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    // A client that gave up (a timed-out SDK request) closes its side; drop the upstream call quietly.
    upstreamRequest.on('error', () => outgoing.destroy());
    incoming.on('error', () => upstreamRequest.destroy());
    incoming.pipe(upstreamRequest);
  };

  const server = createServer((incoming, outgoing) => {
    const entry = { index: requests.length + 1, method: incoming.method ?? 'GET', url: incoming.url ?? '/' };
    const action = rule(entry);
    requests.push({ ...entry, action });
    if (action === 'pass') return forward(incoming, outgoing);
    if ('status' in action) {
      // Read the body first: answering mid-upload would surface as a broken pipe instead of the status.
      incoming.resume();
      incoming.on('end', () => {
        const body = errorBody(
          action.code ?? (action.status === 503 ? 'ServiceUnavailable' : 'InternalError'),
          action.status,
        );
        outgoing.writeHead(action.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
        });
        outgoing.end(body);
      });
      return;
    }
    incoming.pause();
    const timer = setTimeout(() => {
      if (!outgoing.destroyed) forward(incoming, outgoing);
    }, action.stallMs);
    outgoing.on('close', () => clearTimeout(timer));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setRule(next) {
      rule = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
