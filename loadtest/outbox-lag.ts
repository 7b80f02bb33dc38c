interface Lag {
  pending: number;
  oldestAgeMs: number | null;
  publishedSinceStart: number;
}

/** Samples the outbox lag every second during the load; `finish` waits (at most 60 s) for the outbox to drain. */
export function watchOutbox(url: string, adminKey: string) {
  const lag = async (): Promise<Lag> => {
    const res = await fetch(`${url}/v1/admin/events/lag`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    return (await res.json()) as Lag;
  };
  const startedAt = performance.now();
  const first = lag();
  let maxPending = 0;
  let maxAgeMs = 0;
  const timer = setInterval(() => {
    lag()
      .then((l) => {
        maxPending = Math.max(maxPending, l.pending);
        maxAgeMs = Math.max(maxAgeMs, l.oldestAgeMs ?? 0);
      })
      .catch(() => {});
  }, 1000);
  return {
    async finish() {
      clearInterval(timer);
      const loadSeconds = (performance.now() - startedAt) / 1000;
      const start = await first;
      let now = await lag();
      const atEnd = now;
      const drainStarted = performance.now();
      while (now.pending > 0 && performance.now() - drainStarted < 60_000) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        now = await lag();
      }
      return {
        publishedPerSecDuringLoad: Math.round(
          (atEnd.publishedSinceStart - start.publishedSinceStart) / loadSeconds,
        ),
        published: now.publishedSinceStart - start.publishedSinceStart,
        maxPendingDuringLoad: maxPending,
        maxOldestAgeMsDuringLoad: maxAgeMs,
        pendingAtEnd: atEnd.pending,
        drainedInMs: now.pending === 0 ? Math.round(performance.now() - drainStarted) : null,
      };
    },
  };
}
