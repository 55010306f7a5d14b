import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The headers that make a page cross-origin isolated, so it may use `SharedArrayBuffer`. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>@proj/tensor browser checks</title></head>
<body><script type="module" src="page.js"></script></body></html>
`;

/**
 * Serves the test page and its bundle twice on 127.0.0.1 (a secure context): under `/isolated/`
 * with {@link ISOLATION_HEADERS} on every response, under `/plain/` without them.
 */
export async function serve(bundle: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const [, mode, file] = path.split('/');
    if ((mode !== 'isolated' && mode !== 'plain') || (file !== '' && file !== 'page.js')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': file === '' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(mode === 'isolated' ? ISOLATION_HEADERS : {}),
    });
    res.end(file === '' ? PAGE : bundle);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
