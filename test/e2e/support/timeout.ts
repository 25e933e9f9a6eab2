// Real processes (a Galera cluster starts in ~15 s): generous per-test and hook timeouts.
jest.setTimeout(180_000);
