// Many unit tests plan a whole stack under the mock runtime: 0.5-2 s each on a quiet machine, several times that
// on a loaded 2-core one. Sized for that, never jest's 5 s default (testTimeout is not a per-project option).
jest.setTimeout(60_000);
