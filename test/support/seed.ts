// Randomised tests (kill points) draw from a seeded generator: each run prints its seed, and MFA_ENV_TEST_SEED=N
// draws the same numbers again, to replay a failure.

/** MFA_ENV_TEST_SEED when set (an integer, else this throws), else a new random seed. */
export function testSeed(): number {
  const given = process.env.MFA_ENV_TEST_SEED;
  if (given === undefined || given === '') return Math.floor(Math.random() * 2 ** 31);
  if (!/^\d+$/.test(given) || Number(given) >= 2 ** 32)
    throw new Error(`MFA_ENV_TEST_SEED is "${given}", not an integer from 0 to 2^32-1`);
  return Number(given);
}

/** How to replay a run with `seed`, for test names and messages. */
export const replayWith = (seed: number) => `seed ${seed}: MFA_ENV_TEST_SEED=${seed} replays it`;

/** mulberry32: small, seeded, good enough to spread kill points. Numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
