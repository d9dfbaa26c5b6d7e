// One REST request to the harness kube-apiserver as its admin (client certificate), with extra headers such as
// impersonation; the answer with its Warning headers unquoted. Every differential suite talks to the apiserver
// through this.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { HarnessReady } from './harness.ts';

export interface ApiResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
  /** Each `Warning` header's text (RFC 7234 `299 - "text"`, unquoted). */
  warnings: string[];
}

export function apiRequest(
  ready: HarnessReady,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string | string[]> = {},
): Promise<ApiResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, ready.server),
      {
        method,
        ca: readFileSync(ready.caFile),
        cert: readFileSync(ready.adminCertFile),
        key: readFileSync(ready.adminKeyFile),
        headers: {
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          const warnings: string[] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            if (res.rawHeaders[i]!.toLowerCase() === 'warning') warnings.push(warningText(res.rawHeaders[i + 1]!));
          }
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: text, json, warnings });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function warningText(header: string): string {
  const quoted = /^\d{3} \S+ (".*")$/s.exec(header)?.[1];
  if (!quoted) return header;
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
}
