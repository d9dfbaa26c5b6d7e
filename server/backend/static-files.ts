// Serves the built app from dist/: hashed assets cached forever, index.html always revalidated, app routes
// falling back to index.html, and a 503 page that says what to do when the app was never built.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { sendError } from './http.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Porthole: app not built</title></head>
<body><h1>Porthole: the web app is not built</h1>
<p>The server is running, but <code>dist/</code> holds no built app. Run <code>npm run build</code>
(or start with <code>npm start</code>, which builds first), then reload this page.</p></body></html>
`;

async function fileStat(path: string): Promise<{ size: number } | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, size: number, cacheControl: string): void {
  res.writeHead(200, {
    'Content-Type': contentTypeOf(path),
    'Content-Length': String(size),
    'Cache-Control': cacheControl,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

export function createStaticHandler(distDir: string) {
  const root = normalize(distDir + sep);
  const index = join(root, 'index.html');

  return async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(res, 405, `method ${req.method} is not allowed here`);
      return;
    }
    const indexStat = await fileStat(index);
    if (!indexStat) {
      const body = Buffer.from(NOT_BUILT_PAGE);
      res.writeHead(503, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': String(body.length),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      sendError(res, 400, 'malformed percent-encoding in the path');
      return;
    }
    if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) {
      sendError(res, 404, 'not found');
      return;
    }
    const candidate = normalize(join(root, decoded));
    if (candidate.startsWith(root)) {
      const found = await fileStat(candidate);
      if (found) {
        // Vite puts content-hashed files under assets/: they never change, so cache them for a year.
        const hashed = decoded.startsWith('/assets/');
        sendFile(req, res, candidate, found.size, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        return;
      }
    }
    // A missing file with an extension (or anything under assets/) is a real 404, not an app route; a recording's
    // page is one whose last part is a file name (`/recordings/<name>.cast`).
    const last = decoded.split('/').pop() ?? '';
    const appRoute = /^\/recordings\/[^/]+$/.test(decoded);
    if (decoded.startsWith('/assets/') || (last.includes('.') && !appRoute)) {
      sendError(res, 404, `no such file: ${decoded}`);
      return;
    }
    sendFile(req, res, index, indexStat.size, 'no-cache');
  };
}
