/**
 * Loaded into the service by the soak only (`node --expose-gc --import …`): SIGUSR2 runs a full garbage collection,
 * so each sample reads the live heap — not whatever garbage happens to be waiting for the next collection.
 */
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
