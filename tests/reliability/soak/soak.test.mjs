// `make soak`: the fault run at a larger scale and with fresh seeds, several rounds
// (SOAK_EVENTS, default 1000000; SOAK_ROUNDS, default 3; SOAK_SEED to replay a round).
import { test } from 'node:test';
import { uploadThroughFaults } from '../faulty-upload.mjs';

const events = Number(process.env.SOAK_EVENTS || 1_000_000);
const rounds = Number(process.env.SOAK_ROUNDS || 3);

for (let round = 1; round <= rounds; round++) {
  const seed = Number(process.env.SOAK_SEED || Math.floor(Math.random() * 2 ** 32));
  test(`soak round ${round}: ${events} events through 20% faults (seed ${seed})`, async (t) => {
    await uploadThroughFaults(t, { name: `soak-${round}`, events, seed });
  });
}
