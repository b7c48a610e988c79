/**
 * The Node flags the service runs with: `npm start`, the Dockerfile's CMD, the systemd unit and the benchmark all
 * pass exactly these (the packaging tests and test/server.test.ts hold them to it). V8 reads them when the process starts;
 * `v8.setFlagsFromString()` later has no effect on the heap's layout.
 *
 * `--max-semi-space-size=8`: V8's young generation on 64-bit grows to 2 × 16 MiB semi-spaces by default. The service
 * keeps ~20 MB live, and short-lived per-call garbage fits in 8 MiB: the smaller nursery keeps RSS lower at no
 * measurable cost in calls/s or latency (README, Performance).
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=8'] as const;
