// verifySmnNotification against a bare loop of crypto.verify on the same notifications,
// in the same run: what the library adds around the RSA check (schema, headers, the
// certificate's algorithm, the signing string, the verdict). The bare loop gets the
// signing string and the public key ready-made, as a receiver hard-coding SHA-256
// would. Test vectors' key and certificate; best of several rounds; nothing is asserted.
import { verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signSmnNotification, smnSigningString, verifySmnNotification } from '../dist/index.js';

const count = Number(process.env.BENCH_NOTIFICATIONS ?? 5_000);
const rounds = 5;
const vectors = JSON.parse(readFileSync(new URL('../fixtures/smn/signature-vectors.json', import.meta.url), 'utf8'));
const template = vectors.valid.find((vector) => vector.name.startsWith('Notification with a subject'));
const batch = Array.from({ length: count }, (_, i) => {
  const body = signSmnNotification({ ...template.body, message_id: i.toString(16).padStart(32, '0') }, vectors.key);
  const headers = { ...template.headers, 'X-SMN-MESSAGE-ID': body.message_id };
  return { body, headers, signingString: Buffer.from(smnSigningString(body), 'utf8'), signature: Buffer.from(body.signature, 'base64') };
});
const publicKey = new X509Certificate(vectors.certificate).publicKey;
const certificatePem = vectors.certificate;

/** Notifications per second of one pass over the batch; every one must verify. */
function rate(verifies) {
  const started = process.hrtime.bigint();
  let ok = 0;
  for (const item of batch) if (verifies(item)) ok++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (ok !== count) throw new Error(`${count - ok} notifications did not verify`);
  return count / seconds;
}

const bare = [];
const library = [];
for (let round = 0; round < rounds; round++) {
  bare.push(rate((item) => verify('sha256', item.signingString, publicKey, item.signature)));
  library.push(rate((item) => verifySmnNotification(item.body, { certificatePem, headers: item.headers }).valid));
}
const best = (rates) => Math.max(...rates);
const format = (value) => Math.round(value).toLocaleString('en');
console.log(`${count.toLocaleString('en')} notifications per round (RSA-2048, SHA-256), best of ${rounds} rounds, node ${process.version}`);
console.log(`bare crypto.verify loop: ${format(best(bare)).padStart(9)} verifications/s`);
console.log(`verifySmnNotification:   ${format(best(library)).padStart(9)} verifications/s (schema, headers, certificate, signature)`);
console.log(`ratio: ${((100 * best(library)) / best(bare)).toFixed(1)}%`);
