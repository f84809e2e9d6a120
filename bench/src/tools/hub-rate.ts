// Measures the event hub in process: events published into 1,000 subscribers' queues per second
// (`node bench/dist/src/tools/hub-rate.js [subscribers] [events]`), draining every queue every 32 events.
import { createHub } from "@sluice/runtime";

/** Deliveries per second (events × subscribers that queued them) over one run. */
export function measureHubRate(subscribers: number, events: number): number {
  const hub = createHub<number>({ queueSize: 64, slowConsumer: "drop-oldest" });
  const subscriptions = Array.from({ length: subscribers }, () => hub.subscribe());
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    hub.publish("k", i);
    if (i % 32 === 31) for (const s of subscriptions) while (s.take() !== undefined);
  }
  const seconds = (performance.now() - started) / 1000;
  hub.close();
  return hub.stats().delivered / seconds;
}

const subscribers = Number(process.argv[2] ?? 1000);
const events = Number(process.argv[3] ?? 5000);
const rates = Array.from({ length: 5 }, () => measureHubRate(subscribers, events)).sort((a, b) => a - b);
console.log(
  `hub: ${subscribers} subscribers, ${events} events; median ${(rates[2]! / 1e6).toFixed(2)} M deliveries/s ` +
    `(min ${(rates[0]! / 1e6).toFixed(2)}, max ${(rates[4]! / 1e6).toFixed(2)}; 5 runs, queues drained every 32 events)`,
);
