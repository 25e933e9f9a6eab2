// Many unit tests plan a whole stack (or every example stack) under the mock runtime: 0.5-2 s each on a quiet
// machine, many times that on a loaded 2-core one (a whole-fleet policy check took 80 s at load 20). The timeout
// is only a guard against a hang, so it is sized for the worst machine, never jest's 5 s default (testTimeout is
// not a per-project option, hence this setup file; test files do not repeat it).
jest.setTimeout(180_000);
