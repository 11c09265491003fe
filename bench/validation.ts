/**
 * Throughput of the CERFA JSON-Schema validation on one core (target: ≥ 20 000 valid payloads/s).
 * Run: npx tsx bench/validation.ts [seconds per case, default 2]
 */
import { normalizeCerfa } from '../src/domain/cerfa/normalize.js';
import { validateDossierRequest } from '../src/domain/cerfa/schema-validation.js';
import { validCerfaPayload } from '../test/fixtures/cerfa.js';

const seconds = Number(process.argv[2] ?? 2);

/** Runs `fn` over the payloads in a loop for `seconds` after a warm-up; returns calls per second. */
function measure(payloads: readonly unknown[], fn: (body: unknown) => unknown): number {
  for (let i = 0; i < 2_000; i++) fn(payloads[i % payloads.length]);
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1_000; i++) fn(payloads[(calls + i) % payloads.length]);
    calls += 1_000;
    elapsed = process.hrtime.bigint() - start;
  }
  return calls / (Number(elapsed) / 1e9);
}

// Several seeds so the engine does not specialise on a single object.
const valid = Array.from({ length: 64 }, (_, i) => validCerfaPayload(i + 1));
if (valid.some((p) => validateDossierRequest(p).length > 0)) throw new Error('the fixture must be valid');

/** Realistic bad payloads: a bad SIRET, an unknown code, a missing name, a malformed date. */
const invalid = valid.map((p) => {
  const body = structuredClone(p);
  const cerfa = body.cerfa as Record<string, Record<string, unknown>>;
  (cerfa.employeur as Record<string, unknown>).siret = '12345678901234';
  (cerfa.apprenti as Record<string, unknown>).nationalite = 4;
  delete (cerfa.apprenti as Record<string, unknown>).nom;
  (cerfa.contrat as Record<string, unknown>).dateDebutContrat = '2025-02-30';
  return body;
});
const errorsPerInvalid = validateDossierRequest(invalid[0]).length;

const results = [
  { cas: 'payload valide', 'validations/s': measure(valid, validateDossierRequest) },
  { cas: `payload invalide (${errorsPerInvalid} erreurs)`, 'validations/s': measure(invalid, validateDossierRequest) },
  {
    cas: 'valide + normalisation',
    'validations/s': measure(valid, (body) => {
      validateDossierRequest(body);
      return normalizeCerfa((body as { cerfa: Record<string, unknown> }).cerfa);
    }),
  },
];

console.log(`Node ${process.version}, ${seconds} s par cas, un seul cœur`);
console.table(results.map((r) => ({ ...r, 'validations/s': Math.round(r['validations/s']) })));
const ok = (results[0]?.['validations/s'] ?? 0) >= 20_000;
console.log(ok ? 'Objectif ≥ 20 000 validations/s atteint.' : 'Objectif de 20 000 validations/s NON atteint.');
process.exitCode = ok ? 0 : 1;
