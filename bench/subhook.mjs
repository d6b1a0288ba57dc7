// validateSubhookEvent against a bare loop of the same compiled Ajv validators, in the
// same run: what the library adds around Ajv (event lookup, problems, verdict objects).
// Domestic samples, each with its own token and timestamp, half with every value a
// string as form deliveries carry them. Best of several rounds; nothing is asserted.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSubhookContract, validateSubhookEvent } from '../dist/index.js';

const events = Number(process.env.BENCH_EVENTS ?? 300_000);
const rounds = 5;
const dir = fileURLToPath(new URL('../fixtures/subhook/sms/valid/', import.meta.url));
const samples = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(dir + name, 'utf8')));
const batch = Array.from({ length: events }, (_, i) => {
  const event = { ...samples[i % samples.length], timestamp: 1415014855 + i, token: String(i).padStart(32, '0') };
  return i % 2 ? Object.fromEntries(Object.entries(event).map(([name, value]) => [name, String(value)])) : event;
});

const contract = loadSubhookContract().get('sms');
const validators = new Map([...contract.events].map(([name, event]) => [name, event.validate]));
// The library compiles its shared contract on first use; do that outside the clock.
validateSubhookEvent(batch[0], { product: 'sms' });

/** Events per second of one pass over the batch; every event must be valid. */
function rate(isValid) {
  const started = process.hrtime.bigint();
  let valid = 0;
  for (const fields of batch) if (isValid(fields)) valid++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (valid !== events) throw new Error(`${events - valid} events judged invalid`);
  return events / seconds;
}

const bare = [];
const library = [];
for (let round = 0; round < rounds; round++) {
  bare.push(rate((fields) => validators.get(fields.events)(fields)));
  library.push(rate((fields) => validateSubhookEvent(fields, { product: 'sms' }).valid));
}
const best = (rates) => Math.max(...rates);
const format = (rate) => Math.round(rate).toLocaleString('en');
console.log(`${events.toLocaleString('en')} events per round, best of ${rounds} rounds, node ${process.version}`);
console.log(`bare compiled Ajv loop: ${format(best(bare)).padStart(11)} events/s`);
console.log(`validateSubhookEvent:   ${format(best(library)).padStart(11)} events/s`);
console.log(`ratio: ${((100 * best(library)) / best(bare)).toFixed(1)}%`);
