/**
 * A loopback fake of the two GitHub REST endpoint families the sticky PR comment uses: list issue comments
 * (paginated with `per_page`/`page` and a Link header, as GitHub does) and create/edit a comment. Responses can be
 * scripted ahead to exercise rate limits and errors.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  authorized: boolean;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface CommentsFake {
  url: string;
  readonly requests: RecordedRequest[];
  comments(pr: number): FakeComment[];
  /** Adds comments written by someone else. */
  seed(pr: number, bodies: string[]): void;
  script(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export async function startCommentsFake(options: { token: string; repository: string }): Promise<CommentsFake> {
  const byPr = new Map<number, FakeComment[]>();
  const requests: RecordedRequest[] = [];
  const scripted: ScriptedResponse[] = [];
  let nextId = 1000;
  const list = (pr: number): FakeComment[] => {
    let l = byPr.get(pr);
    if (!l) byPr.set(pr, (l = []));
    return l;
  };
  const repoPath = `/repos/${options.repository}`;
  let base = '';

  const handle = (req: RecordedRequest): ScriptedResponse => {
    if (!req.authorized) return { status: 401, body: { message: 'Bad credentials' } };
    const listM = new RegExp(`^${repoPath}/issues/(\\d+)/comments$`).exec(req.path);
    if (listM && req.method === 'GET') {
      const pr = Number(listM[1]);
      const perPage = Math.min(100, Number(req.query.get('per_page') ?? '30'));
      const page = Number(req.query.get('page') ?? '1');
      const all = list(pr);
      const pages = Math.max(1, Math.ceil(all.length / perPage));
      const headers: Record<string, string> = {};
      if (page < pages) {
        headers['link'] =
          `<${base}${req.path}?per_page=${perPage}&page=${page + 1}>; rel="next", ` +
          `<${base}${req.path}?per_page=${perPage}&page=${pages}>; rel="last"`;
      }
      return { status: 200, headers, body: all.slice((page - 1) * perPage, page * perPage) };
    }
    if (listM && req.method === 'POST') {
      const c: FakeComment = {
        id: nextId++,
        body: (JSON.parse(req.body) as { body: string }).body,
        user: { login: 'github-actions[bot]' },
      };
      list(Number(listM[1])).push(c);
      return { status: 201, body: { ...c, html_url: `https://github.example/c/${c.id}` } };
    }
    const editM = new RegExp(`^${repoPath}/issues/comments/(\\d+)$`).exec(req.path);
    if (editM && req.method === 'PATCH') {
      const id = Number(editM[1]);
      for (const l of byPr.values()) {
        const c = l.find((x) => x.id === id);
        if (c) {
          c.body = (JSON.parse(req.body) as { body: string }).body;
          return { status: 200, body: c };
        }
      }
    }
    return { status: 404, body: { message: 'Not Found' } };
  };

  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
        authorized: req.headers.authorization === `Bearer ${options.token}`,
      };
      requests.push(recorded);
      const r = scripted.shift() ?? handle(recorded);
      const body = r.body === undefined ? '' : JSON.stringify(r.body);
      res.writeHead(r.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...r.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    comments: (pr) => list(pr),
    seed: (pr, bodies) => {
      for (const body of bodies) list(pr).push({ id: nextId++, body, user: { login: 'someone' } });
    },
    script: (...r) => {
      scripted.push(...r);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => {
          if (e) reject(e);
          else resolve();
        });
      }),
  };
}
