/** The OPCO's financing parameters: fixed prices of the norm's frais annexes, and the configured mobility amount. */
import type { Config } from '../config/config.js';
import type { ParametresFinancement } from '../domain/financing/index.js';

export function financingParameters(config: Config): ParametresFinancement {
  return { prixRepasCents: 300, prixNuiteeCents: 600, plafondPremierEquipementCents: 50_000, forfaitMobiliteCents: config.forfaitMobiliteCents };
}
