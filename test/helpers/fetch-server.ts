// A tiny HTTP server on 127.0.0.1 (ephemeral port) that serves fixture files, fails, redirects or
// breaks off on request, for the `lca data fetch` tests; and an async runner for the CLI (spawnSync
// would block the server living in the same process).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli.js';

export type Route =
  | { body: Uint8Array }
  | { status: number }
  | { redirect: string }
  /** Announces the whole body, sends `cut` bytes, then drops the connection. */
  | { body: Uint8Array; cut: number; chunked?: boolean }
  /** Sends the headers and then nothing. */
  | { stall: true };

export interface FixtureServer {
  base: string;
  routes: Map<string, Route>;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Route> = {}): Promise<FixtureServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const route = table.get(path);
    if (route === undefined) {
      res.writeHead(404, 'Not Found').end();
    } else if ('status' in route) {
      res.writeHead(route.status).end();
    } else if ('redirect' in route) {
      res.writeHead(302, { location: route.redirect }).end();
    } else if ('stall' in route) {
      res.writeHead(200, { 'content-length': '1000' });
      res.flushHeaders();
    } else if ('cut' in route) {
      res.writeHead(200, route.chunked === true ? {} : { 'content-length': String(route.body.length) });
      res.write(route.body.subarray(0, route.cut), () => setTimeout(() => res.destroy(), 20));
    } else {
      res.writeHead(200, { 'content-length': String(route.body.length) }).end(route.body);
    }
  });
  // Node closes an idle keep-alive socket after 5 s, racing fetch's reuse of it (ECONNRESET) when a
  // loaded machine makes a test pause that long between downloads; close() ends every socket anyway.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/`,
    routes: table,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const BIN = fileURLToPath(new URL('../../../bin/lca.js', import.meta.url));

/** Runs `lca` with a clean environment without blocking this process; killed after `timeoutMs`. */
export function lcaAsync(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CliResult> {
  const full: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...env };
  for (const key of ['LCA_DATA_DIR', 'LCA_FETCH_CHECKSUMS'] as const) if (env[key] === undefined) delete full[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: full, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
