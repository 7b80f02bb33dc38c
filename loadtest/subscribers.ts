import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

/** What one thread of subscribers counted: updates, sequence gaps, and delivery latency as `[ms, count]` pairs. */
export interface SubscriberCounts {
  received: number;
  gaps: number;
  latencyMs: [number, number][];
}

interface Job {
  url: string;
  symbol: string;
  count: number;
}

/**
 * A book message's type, sequence and time, read from the text without parsing the whole of it (its changes and
 * levels); anything else (replies, heartbeats) gives null.
 */
export function bookFields(text: string): { type: string; sequence: number; time: string | null } | null {
  if (!text.startsWith('{"channel":"book"')) return null;
  const type = /"type":"(\w+)"/.exec(text)?.[1];
  if (type !== 'update' && type !== 'snapshot') return null;
  const at = text.indexOf('"sequence":') + 11;
  const sequence = Number(text.slice(at, text.indexOf(',', at)));
  const timeAt = text.lastIndexOf('"time":"');
  return { type, sequence, time: timeAt < 0 ? null : text.slice(timeAt + 8, text.indexOf('"', timeAt + 8)) };
}

/**
 * `count` book subscribers to one node, in a worker thread of their own (one per node), so that reading every
 * update of every subscriber is not held up by the generator's other work: resolves once they are subscribed;
 * `stop()` closes them and answers what they counted.
 */
export async function subscribers(job: Job): Promise<{ stop(): Promise<SubscriberCounts> }> {
  const worker = new Worker(__filename, { workerData: job });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        worker.once('message', (counts: SubscriberCounts) => {
          void worker.terminate();
          resolve(counts);
        });
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}

async function run({ url, symbol, count }: Job): Promise<void> {
  const latency = new Map<number, number>();
  const counts = { received: 0, gaps: 0 };
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    let sequence = -1;
    ws.on('message', (data) => {
      const m = bookFields(data.toString());
      if (!m) return;
      if (m.type === 'update') {
        if (sequence >= 0 && m.sequence !== sequence + 1) counts.gaps++;
        counts.received++;
        const ms = Math.max(1, Date.now() - Date.parse(m.time as string));
        latency.set(ms, (latency.get(ms) ?? 0) + 1);
      }
      sequence = m.sequence;
    });
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', symbol }));
    sockets.push(ws);
  }
  parentPort?.postMessage('subscribed');
  parentPort?.once('message', () => {
    for (const ws of sockets) ws.close();
    parentPort?.postMessage({ ...counts, latencyMs: [...latency] } satisfies SubscriberCounts);
  });
}

if (!isMainThread) void run(workerData as Job);
