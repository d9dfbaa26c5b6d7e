// The REST pass-through: one allowlisted request (a GET, or one of the debugging writes with its checked body)
// relayed to the cluster with the backend's credential for this user, the upstream status and JSON body relayed
// back, bounded in time and size.

import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MintRateLimited } from '../issuer/mint.ts';
import type { Cluster, CredentialRequest } from './clusters.ts';
import { sendError, sendJson } from './http.ts';
import type { ClusterRequest } from './routes.ts';

export interface RestProxyOptions {
  /** Whole-request deadline (connect + response). */
  timeoutMs: number;
  /** Largest upstream body relayed; larger ones become 502 instead of filling memory. */
  maxBodyBytes: number;
}

/** What the cluster answered (status 0 when it never did: unreachable, timed out, too large). */
export interface RestOutcome {
  status: number;
  /** The JSON body relayed, when there was one. */
  json?: Buffer;
}

/** A write's body as it goes upstream. */
export interface RestBody {
  body: Buffer;
  contentType: string;
}

export const DEFAULT_REST_OPTIONS: RestProxyOptions = { timeoutMs: 30_000, maxBodyBytes: 16 * 1024 * 1024 };

export async function relayRest(
  res: ServerResponse,
  cluster: Cluster,
  request: ClusterRequest,
  who: CredentialRequest,
  options: RestProxyOptions = DEFAULT_REST_OPTIONS,
  write?: RestBody,
): Promise<RestOutcome> {
  let target;
  try {
    target = await cluster.upstream(who);
  } catch (error) {
    const status = error instanceof MintRateLimited ? 429 : 503;
    sendError(res, status, `cluster "${cluster.name}" is not usable: ${(error as Error).message}`);
    return { status: 0 };
  }
  let outcome: RestOutcome = { status: 0 };
  const url = new URL(target.server + request.apiPath + request.query);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((done) => {
    let finished = false;
    const finish = (fn: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      fn();
      done();
    };
    const upstream = send(url, {
      method: request.method,
      headers: {
        Accept: 'application/json',
        'User-Agent': 'porthole',
        ...(write ? { 'Content-Type': write.contentType, 'Content-Length': String(write.body.length) } : {}),
        ...target.headers,
      },
      ca: target.tls.ca,
      cert: target.tls.cert,
      key: target.tls.key,
      rejectUnauthorized: target.tls.rejectUnauthorized,
      servername: target.tls.servername,
      agent: false,
    });
    const timer = setTimeout(() => {
      upstream.destroy();
      finish(() => sendError(res, 504, `cluster "${cluster.name}" did not answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    upstream.on('error', (error) => {
      finish(() => sendError(res, 502, `cannot reach cluster "${cluster.name}": ${error.message}`));
    });
    upstream.on('response', (answer: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      answer.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          upstream.destroy();
          finish(() =>
            sendError(res, 502, `cluster "${cluster.name}" answered with more than ${options.maxBodyBytes} bytes`),
          );
          return;
        }
        chunks.push(chunk);
      });
      answer.on('error', () => {
        finish(() => sendError(res, 502, `cluster "${cluster.name}" broke off its answer`));
      });
      answer.on('end', () => {
        finish(() => {
          const status = answer.statusCode ?? 502;
          const body = Buffer.concat(chunks);
          const type = String(answer.headers['content-type'] ?? '');
          outcome = { status };
          if (/^application\/json\b/i.test(type)) {
            outcome = { status, json: body };
            res.writeHead(status, {
              'Content-Type': 'application/json',
              'Content-Length': String(body.length),
              'Cache-Control': 'no-store',
            });
            res.end(body);
            return;
          }
          // Not JSON (a proxy's HTML error page, an empty 403…): keep the status, describe the body.
          const text = body.toString('utf8').slice(0, 512).trim();
          sendJson(res, status, {
            error: `cluster "${cluster.name}" answered ${status}${text ? `: ${text}` : ' with no JSON body'}`,
          });
        });
      });
    });
    upstream.end(write?.body);
  });
  return outcome;
}
