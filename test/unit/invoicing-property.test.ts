/**
 * Property test of the invoicing domain: random sequences of deposits, validations, rejections and
 * (partial) payments on random échéanciers, each decided by the real checks (checkFacture) and
 * applied with the real movements (mouvementsDepot / Liberation / Reglement, splitReglement).
 * After every step: Σ paid + Σ en cours + Σ remaining = engagement, to the cent, nothing negative,
 * and the échéance columns equal what the invoice lines say.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  etatAfterReglement, mouvementsDepot, mouvementsLiberation, mouvementsReglement, splitReglement, checkFacture,
  type DossierSuivi, type EcheanceSuivie, type LigneDemandee, type LigneEnCompte, type Mouvement, type NatureLigne,
} from '../../src/domain/invoicing/index.js';
import { planFactureTransition, type EtatFacture } from '../../src/domain/lifecycle/index.js';

const IBAN = 'FR7630006000011234567890189';
const EN_ATTENTE: EtatFacture[] = ['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REGLE_PARTIELLEMENT'];

interface Ech {
  numero: number;
  total: number;
  rqth: number;
  regle: number;
  enCours: number;
}

interface Invoice {
  numero: string;
  etat: EtatFacture;
  lignes: LigneEnCompte[];
}

type Op =
  | { kind: 'depot'; lignes: Array<{ echeance: number; nature: NatureLigne; part: number; quantite: number }> }
  | { kind: 'valider' | 'rejeter' | 'conformite'; index: number }
  | { kind: 'regler'; index: number; part: number };

const echeancier = fc.array(
  fc.record({ total: fc.integer({ min: 0, max: 500_000 }), rqthShare: fc.integer({ min: 0, max: 100 }) }),
  { minLength: 1, maxLength: 8 },
).map((list) => list.map((e, i): Ech => ({ numero: i + 1, total: e.total, rqth: Math.floor((e.total * e.rqthShare) / 400), regle: 0, enCours: 0 })));

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    kind: fc.constant('depot' as const),
    lignes: fc.array(fc.record({
      echeance: fc.nat(), // modulo the number of échéances + 1: sometimes an unknown one
      nature: fc.constantFrom<NatureLigne>('PEDAGOGIE', 'PEDAGOGIE', 'MAJORATION_RQTH', 'RESTAURATION'),
      part: fc.integer({ min: 1, max: 1000 }), // of what remains /950: sometimes above
      quantite: fc.integer({ min: 1, max: 30 }),
    }), { minLength: 1, maxLength: 3 }),
  }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('valider' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rejeter' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('conformite' as const), index: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('regler' as const), index: fc.nat(), part: fc.oneof(fc.constant(1000), fc.integer({ min: 1, max: 1000 })) }) },
);

const REPAS = { quantite: 200, prix: 300 };

function snapshot(echs: Ech[], invoices: Invoice[]): DossierSuivi {
  const live = invoices.filter((f) => f.etat !== 'REJETEE');
  const echeances: EcheanceSuivie[] = echs.map((e) => {
    const factureParNatureCents: Partial<Record<NatureLigne, number>> = {};
    const factureEnAttente: Partial<Record<NatureLigne, string>> = {};
    for (const f of live) {
      for (const l of f.lignes.filter((x) => x.numeroEcheance === e.numero)) {
        factureParNatureCents[l.nature] = (factureParNatureCents[l.nature] ?? 0) + l.montantCents;
        if (EN_ATTENTE.includes(f.etat)) factureEnAttente[l.nature] ??= f.numero;
      }
    }
    return {
      numero: e.numero, codification: `A${e.numero}`, type: 'INTERMEDIAIRE', statut: 'PREVUE', dateOuverture: '2025-09-01', dateLimiteFacturation: null,
      exigeCertificat: true, montantTotalCents: e.total, dontPedagogieCents: e.total - e.rqth, dontRqthCents: e.rqth,
      montantRegleCents: e.regle, montantEnCoursCents: e.enCours, factureParNatureCents, factureEnAttente, certificatRecu: false,
    };
  });
  const repas = live.flatMap((f) => f.lignes).filter((l) => l.nature === 'RESTAURATION');
  return {
    id: '1', numeroInterne: '111111111111', numeroExterne: '25APP00000001', etat: 'ENGAGE', echeances,
    frais: [{
      nature: 'RESTAURATION', quantite: REPAS.quantite, prixUnitaireCents: REPAS.prix, montantTotalCents: REPAS.quantite * REPAS.prix,
      factureCents: repas.reduce((s, l) => s + l.montantCents, 0), quantiteFacturee: repas.reduce((s, l) => s + l.montantCents / REPAS.prix, 0),
      echeances: echs.map((e) => e.numero),
    }],
  };
}

function appliquer(echs: Ech[], mouvements: Mouvement[]): void {
  for (const m of mouvements) {
    const e = echs.find((x) => x.numero === m.numeroEcheance);
    if (!e) throw new Error('movement on an unknown échéance');
    e.enCours += m.enCoursCents;
    e.regle += m.regleCents;
  }
}

function checkInvariants(echs: Ech[], invoices: Invoice[], engagement: number): void {
  let paid = 0;
  let pending = 0;
  let remaining = 0;
  for (const e of echs) {
    const lines = invoices.filter((f) => f.etat !== 'REJETEE').flatMap((f) => f.lignes).filter((l) => l.numeroEcheance === e.numero && l.nature !== 'RESTAURATION');
    expect(e.regle).toBe(lines.reduce((s, l) => s + l.regleCents, 0));
    expect(e.enCours).toBe(lines.reduce((s, l) => s + l.montantCents - l.regleCents, 0));
    const reste = e.total - e.regle - e.enCours;
    expect(e.regle).toBeGreaterThanOrEqual(0);
    expect(e.enCours).toBeGreaterThanOrEqual(0);
    expect(reste).toBeGreaterThanOrEqual(0);
    expect(lines.filter((l) => l.nature === 'MAJORATION_RQTH').reduce((s, l) => s + l.montantCents, 0)).toBeLessThanOrEqual(e.rqth);
    paid += e.regle;
    pending += e.enCours;
    remaining += reste;
  }
  expect(paid + pending + remaining).toBe(engagement);
  const meals = invoices.filter((f) => f.etat !== 'REJETEE').flatMap((f) => f.lignes).filter((l) => l.nature === 'RESTAURATION');
  expect(meals.reduce((s, l) => s + l.montantCents, 0)).toBeLessThanOrEqual(REPAS.quantite * REPAS.prix);
  for (const f of invoices) {
    const regle = f.lignes.reduce((s, l) => s + l.regleCents, 0);
    const total = f.lignes.reduce((s, l) => s + l.montantCents, 0);
    if (f.etat === 'REGLE') expect(regle).toBe(total);
    if (f.etat === 'REGLE_PARTIELLEMENT') expect(regle).toBeLessThan(total);
    if (['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REJETEE'].includes(f.etat)) expect(regle).toBe(0);
  }
}

function run(echs: Ech[], ops: Op[]): void {
  const engagement = echs.reduce((s, e) => s + e.total, 0);
  const invoices: Invoice[] = [];
  for (const o of ops) {
    if (o.kind === 'depot') {
      const suivi = snapshot(echs, invoices);
      const lignes: LigneDemandee[] = o.lignes.map((l, index) => {
        const numeroEcheance = (l.echeance % (echs.length + 1)) + 1;
        const e = suivi.echeances.find((x) => x.numero === numeroEcheance);
        const reste = e ? Math.max(0, e.montantTotalCents - e.montantRegleCents - e.montantEnCoursCents) : 1000;
        const montantCents = l.nature === 'RESTAURATION' ? l.quantite * REPAS.prix : Math.max(1, Math.floor((reste * l.part) / 950));
        return { index, numeroDossier: '25APP00000001', numeroEcheance, nature: l.nature, quantite: l.nature === 'RESTAURATION' ? l.quantite : 1, montantCents };
      });
      const facture = {
        numero: `F${invoices.length}`, dateEmission: '2026-10-01', montantTotalCents: lignes.reduce((s, l) => s + l.montantCents, 0),
        ibanEmetteur: IBAN, siretEmetteur: '77889911200016', estCertificatRealisation: true, lignes,
      };
      const violations = checkFacture(facture, { dossiers: new Map([['25APP00000001', suivi]]), numeroDejaUtilise: false, aujourdHui: '2026-11-27' });
      if (violations.length === 0) {
        const asLignesEnCompte = lignes.map((l) => ({ dossierId: '1', numeroEcheance: l.numeroEcheance, nature: l.nature, montantCents: l.montantCents, regleCents: 0 }));
        appliquer(echs, mouvementsDepot(asLignesEnCompte));
        invoices.push({ numero: facture.numero, etat: 'TRANSMIS', lignes: asLignesEnCompte });
      }
    } else if (invoices.length > 0) {
      const f = invoices[o.index % invoices.length] as Invoice;
      if (o.kind === 'regler') {
        if (f.etat === 'VALIDEE' || f.etat === 'REGLE_PARTIELLEMENT') {
          const manque = f.lignes.reduce((s, l) => s + l.montantCents - l.regleCents, 0);
          const montant = Math.max(1, Math.min(manque, Math.ceil((manque * o.part) / 1000)));
          const parts = splitReglement(f.lignes, montant);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(montant);
          appliquer(echs, mouvementsReglement(f.lignes, parts));
          f.lignes = f.lignes.map((l, i) => ({ ...l, regleCents: l.regleCents + (parts[i] ?? 0) }));
          const total = f.lignes.reduce((s, l) => s + l.montantCents, 0);
          const cible = etatAfterReglement(total, f.lignes.reduce((s, l) => s + l.regleCents, 0));
          if (cible !== f.etat) {
            expect(planFactureTransition(f.etat, { vers: cible }).ok).toBe(true);
            f.etat = cible;
          }
        }
      } else {
        const vers: EtatFacture = o.kind === 'valider' ? 'VALIDEE' : o.kind === 'rejeter' ? 'REJETEE' : 'EN_ATTENTE_MISE_EN_CONFORMITE';
        if (planFactureTransition(f.etat, { vers, commentaire: 'motif' }).ok) {
          if (vers === 'REJETEE') appliquer(echs, mouvementsLiberation(f.lignes));
          f.etat = vers;
        }
      }
    }
    checkInvariants(echs, invoices, engagement);
  }
}

describe('invoicing property: money is conserved at every step', () => {
  it('Σ paid + Σ en cours + Σ remaining = engagement over random invoice/payment sequences', () => {
    fc.assert(fc.property(echeancier, fc.array(op, { minLength: 5, maxLength: 80, size: 'large' }), (echs, ops) => run(echs, ops)), { numRuns: 300 });
  });

  it('a payment is always spread exactly and never beyond a line', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ montant: fc.integer({ min: 1, max: 1_000_000 }), regle: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 10 }),
      fc.integer({ min: 1, max: 1000 }),
      (raw, pourMille) => {
        const lignes = raw.map((l) => ({ montantCents: l.montant, regleCents: Math.floor((l.montant * l.regle) / 100) }));
        const manque = lignes.reduce((s, l) => s + l.montantCents - l.regleCents, 0);
        fc.pre(manque > 0);
        const montant = Math.max(1, Math.floor((manque * pourMille) / 1000));
        const parts = splitReglement(lignes, montant);
        expect(parts.reduce((s, p) => s + p, 0)).toBe(montant);
        parts.forEach((p, i) => {
          const l = lignes[i] as { montantCents: number; regleCents: number };
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(l.montantCents - l.regleCents);
        });
        // Line order: a line is paid only once every earlier line is paid in full.
        const firstIncomplete = parts.findIndex((p, i) => p < (lignes[i] as { montantCents: number; regleCents: number }).montantCents - (lignes[i] as { regleCents: number }).regleCents);
        if (firstIncomplete >= 0) expect(parts.slice(firstIncomplete + 1).every((p) => p === 0)).toBe(true);
      },
    ), { numRuns: 2000 });
  });
});
