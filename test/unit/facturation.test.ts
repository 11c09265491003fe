/**
 * Draft facturations (src/domain/invoicing/facturation.ts): what is open per kind, the default
 * amounts of step 2 and their checks through examineFacture, reservations of other drafts, the
 * invoice a deposit builds and where its refusals point.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkDossiersChoisis, checkModification, NATURES_FACTURATION, NATURES_LIGNE, echeancesOuvertes, etapeOf, factureOfFacturation, parseFacture, planLignes, pointerOfDepot, pourDeposer, readLignesChoisies,
  type DossierSuivi, type EcheanceSuivie, type LigneChoisie, type LigneReservee,
} from '../../src/domain/invoicing/index.js';
import { centsToEuros } from '../../src/domain/financing/index.js';

const TODAY = '2026-11-15';

function echeance(numero: number, partial: Partial<EcheanceSuivie> = {}): EcheanceSuivie {
  const montant = partial.montantTotalCents ?? 240_000;
  const rqth = partial.dontRqthCents ?? 0;
  return {
    numero,
    codification: `A${numero}`,
    type: numero === 1 ? 'AVANCE' : 'INTERMEDIAIRE',
    statut: 'PREVUE',
    dateOuverture: ['2025-09-01', '2026-03-01', '2026-06-01', '2027-03-01'][numero - 1] ?? '2027-06-01',
    dateLimiteFacturation: null,
    exigeCertificat: numero !== 1,
    montantTotalCents: montant,
    dontPedagogieCents: montant - rqth,
    dontRqthCents: rqth,
    montantRegleCents: 0,
    montantEnCoursCents: 0,
    factureParNatureCents: {},
    factureEnAttente: {},
    certificatRecu: false,
    ...partial,
  };
}

function dossier(partial: Partial<DossierSuivi> = {}): DossierSuivi {
  return {
    id: '7',
    numeroInterne: '111111111111',
    numeroExterne: '25APP00000001',
    etat: 'ENGAGE',
    echeances: [echeance(1, { montantTotalCents: 300_000, dontRqthCents: 50_000 }), echeance(2), echeance(3), echeance(4)],
    frais: [
      { nature: 'RESTAURATION', quantite: 100, prixUnitaireCents: 300, montantTotalCents: 30_000, factureCents: 0, quantiteFacturee: 0, echeances: [1, 2, 3, 4] },
      { nature: 'PREMIEREQUIPEMENT', quantite: 1, prixUnitaireCents: 30_000, montantTotalCents: 30_000, factureCents: 0, quantiteFacturee: 0, echeances: [1] },
    ],
    ...partial,
  };
}

const byInterne = (...ds: DossierSuivi[]): Map<string, DossierSuivi> => new Map(ds.map((d) => [d.numeroInterne, d]));
const choix = (index: number, partial: Partial<LigneChoisie> = {}): LigneChoisie => ({ index, numeroInterneDossier: '111111111111', numeroEcheance: 1, ...partial });
const reservee = (partial: Partial<LigneReservee> = {}): LigneReservee => ({ numeroFacturation: '999999999999', dossierId: '7', numeroEcheance: 1, nature: 'PEDAGOGIE', quantite: 1, montantCents: 1000, ...partial });
const codes = (vs: ReadonlyArray<{ code: string; champ: string }>): Array<[string, string]> => vs.map((v) => [v.code, v.champ]);

describe('what a dossier has open', () => {
  it('coût pédagogique: open échéances with something left, pédagogie + RQTH; the certificat each one will need', () => {
    const d = dossier({ echeances: [echeance(1, { montantTotalCents: 300_000, dontRqthCents: 50_000, montantEnCoursCents: 100_000, factureParNatureCents: { PEDAGOGIE: 100_000 } }), echeance(2), echeance(3, { statut: 'ANNULEE' }), echeance(4)] });
    expect(echeancesOuvertes(d, 'COUT_PEDAGOGIQUE', TODAY, [])).toEqual([
      { numero: 1, codification: 'A1', resteCents: 200_000, certificatRequis: false },
      { numero: 2, codification: 'A2', resteCents: 240_000, certificatRequis: true },
    ]);
  });

  it('leaves out an échéance × nature a pending invoice or another draft holds, and dossiers that are not invoiceable', () => {
    const d = dossier({ echeances: [echeance(1, { montantTotalCents: 300_000, dontRqthCents: 50_000, factureEnAttente: { MAJORATION_RQTH: '1' } }), echeance(2)] });
    expect(echeancesOuvertes(d, 'COUT_PEDAGOGIQUE', TODAY, [reservee({ numeroEcheance: 2 })])).toEqual([{ numero: 1, codification: 'A1', resteCents: 250_000, certificatRequis: false }]);
    expect(echeancesOuvertes(dossier({ etat: 'TRANSMIS' }), 'COUT_PEDAGOGIQUE', TODAY, [])).toEqual([]);
    expect(echeancesOuvertes(dossier({ echeances: [echeance(1, { dateLimiteFacturation: '2026-11-14' })] }), 'COUT_PEDAGOGIQUE', TODAY, [])).toEqual([]);
  });

  it('frais: the échéances of the nature’s periods, with the envelope’s rest net of the other drafts', () => {
    const ailleurs = [reservee({ nature: 'RESTAURATION', numeroEcheance: 2, quantite: 60, montantCents: 18_000 })];
    expect(echeancesOuvertes(dossier(), 'RESTAURATION', TODAY, ailleurs)).toEqual([
      { numero: 1, codification: 'A1', resteCents: 12_000, quantiteDisponible: 40, certificatRequis: false },
      { numero: 3, codification: 'A3', resteCents: 12_000, quantiteDisponible: 40, certificatRequis: false },
    ]);
    expect(echeancesOuvertes(dossier(), 'PREMIEREQUIPEMENT', TODAY, []).map((e) => e.codification)).toEqual(['A1']);
    expect(echeancesOuvertes(dossier(), 'MOBILITE', TODAY, [])).toEqual([]);
    expect(echeancesOuvertes(dossier(), 'RESTAURATION', TODAY, [reservee({ nature: 'RESTAURATION', numeroEcheance: 2, quantite: 100, montantCents: 30_000 })])).toEqual([]);
  });
});

describe('step 1', () => {
  it('unknown numbers for the 404, the rest listed: not invoiceable, nothing to invoice, twice', () => {
    const engaged = dossier();
    const transmis = dossier({ id: '8', numeroInterne: '222222222222', numeroExterne: '25APP00000002', etat: 'TRANSMIS' });
    const map = new Map([...byInterne(engaged, transmis), [engaged.numeroExterne, engaged]]);
    const { inconnus, erreurs } = checkDossiersChoisis('MOBILITE', ['000000000000', '111111111111', '222222222222', '25APP00000001'], map, TODAY, []);
    expect(codes(inconnus)).toEqual([['DOSSIER_INTROUVABLE', '/dossiers/0']]);
    expect(codes(erreurs)).toEqual([['RIEN_A_FACTURER', '/dossiers/1'], ['DOSSIER_NON_FACTURABLE', '/dossiers/2'], ['DOSSIER_EN_DOUBLE', '/dossiers/3']]);
    expect(checkDossiersChoisis('COUT_PEDAGOGIQUE', ['111111111111'], map, TODAY, [])).toEqual({ inconnus: [], erreurs: [] });
  });
});

describe('step 2', () => {
  it('an entry without nature takes the pédagogie and the RQTH that are left; the RQTH gets what the échéance has left after the pédagogie', () => {
    const d = dossier({ echeances: [echeance(1, { montantTotalCents: 300_000, dontRqthCents: 50_000, montantRegleCents: 100_000, factureParNatureCents: { PEDAGOGIE: 100_000 } })] });
    const plan = planLignes('COUT_PEDAGOGIQUE', [choix(0)], byInterne(d), [], TODAY);
    expect(plan.erreurs).toEqual([]);
    expect(plan.lignes.map((l) => [l.nature, l.montantCents, l.entree])).toEqual([['PEDAGOGIE', 150_000], ['MAJORATION_RQTH', 50_000]].map(([n, m]) => [n, m, 0]));
  });

  it('no RQTH line when none is engaged; a lower amount with its nature; never a higher one', () => {
    const d = dossier();
    expect(planLignes('COUT_PEDAGOGIQUE', [choix(0, { numeroEcheance: 2 })], byInterne(d), [], TODAY).lignes.map((l) => l.nature)).toEqual(['PEDAGOGIE']);
    const lower = planLignes('COUT_PEDAGOGIQUE', [choix(0, { natureLigne: 'MAJORATION_RQTH', montantCents: 100 })], byInterne(d), [], TODAY);
    expect(lower.lignes.map((l) => [l.nature, l.montantCents])).toEqual([['MAJORATION_RQTH', 100]]);
    const higher = planLignes('COUT_PEDAGOGIQUE', [choix(0, { natureLigne: 'MAJORATION_RQTH', montantCents: 50_001 })], byInterne(d), [], TODAY);
    expect(codes(higher.erreurs)).toEqual([['MONTANT_SUPERIEUR_AU_RESTE', '/lignes/0/montant']]);
  });

  it('two entries on one échéance share what is left, as two lines of one invoice do', () => {
    const d = dossier();
    const plan = planLignes('COUT_PEDAGOGIQUE', [choix(0, { natureLigne: 'PEDAGOGIE' }), choix(1, { natureLigne: 'PEDAGOGIE' })], byInterne(d), [], TODAY);
    expect(codes(plan.erreurs)).toEqual([['LIGNE_EN_DOUBLE', '/lignes/1']]);
  });

  it('meals: quantity required, quantity × unit price within the envelope, the other drafts’ meals counted', () => {
    const d = dossier();
    expect(codes(planLignes('RESTAURATION', [choix(0)], byInterne(d), [], TODAY).erreurs)).toEqual([['QUANTITE_REQUISE', '/lignes/0/quantite']]);
    const plan = planLignes('RESTAURATION', [choix(0, { quantite: 30 }), choix(1, { numeroEcheance: 2, quantite: 20 })], byInterne(d), [reservee({ nature: 'RESTAURATION', numeroEcheance: 3, quantite: 40, montantCents: 12_000 })], TODAY);
    expect(plan.erreurs).toEqual([]);
    expect(plan.lignes.map((l) => [l.quantite, l.montantCents])).toEqual([[30, 9_000], [20, 6_000]]);
    const over = planLignes('RESTAURATION', [choix(0, { quantite: 61 })], byInterne(d), [reservee({ nature: 'RESTAURATION', numeroEcheance: 3, quantite: 40, montantCents: 12_000 })], TODAY);
    expect(codes(over.erreurs)).toEqual([['QUANTITE_SUPERIEURE_A_L_ENGAGEMENT', '/lignes/0/quantite']]);
  });

  it('nothing left: RIEN_A_FACTURER, unless an invoice check already says why', () => {
    const paid = dossier({ echeances: [echeance(1, { montantTotalCents: 300_000, montantRegleCents: 300_000, factureParNatureCents: { PEDAGOGIE: 300_000 } }), echeance(2, { factureEnAttente: { PEDAGOGIE: '123' }, montantEnCoursCents: 240_000, factureParNatureCents: { PEDAGOGIE: 240_000 } })] });
    const plan = planLignes('COUT_PEDAGOGIQUE', [choix(0), choix(1, { numeroEcheance: 2 })], byInterne(paid), [], TODAY);
    expect(codes(plan.erreurs)).toEqual([['RIEN_A_FACTURER', '/lignes/0'], ['FACTURE_DEJA_EN_COURS', '/lignes/1/numeroEcheance']]);
  });

  it('own faults: dossier outside the draft, nature outside the kind, an amount that needs its nature; the certificat waits for step 3', () => {
    const plan = planLignes('COUT_PEDAGOGIQUE', [
      choix(0, { numeroInterneDossier: '333333333333' }),
      choix(1, { natureLigne: 'RESTAURATION', quantite: 1 }),
      choix(2, { montantCents: 100 }),
      choix(3, { numeroEcheance: 2 }),
    ], byInterne(dossier()), [], TODAY);
    expect(codes(plan.erreurs)).toEqual([['DOSSIER_HORS_FACTURATION', '/lignes/0/numeroInterneDossier'], ['NATURE_HORS_FACTURATION', '/lignes/1/natureLigne'], ['NATURE_LIGNE_REQUISE', '/lignes/2/natureLigne']]);
    expect(plan.erreurs.every((v) => v.section === 'requete')).toBe(true);
    expect(plan.lignes.map((l) => l.numeroEcheance)).toEqual([2]);
  });

  it('an échéance × nature another draft holds is a conflict naming that draft', () => {
    const plan = planLignes('COUT_PEDAGOGIQUE', [choix(0, { natureLigne: 'PEDAGOGIE' }), choix(1, { numeroEcheance: 2 })], byInterne(dossier()), [reservee()], TODAY);
    expect(plan.erreurs).toEqual([]);
    expect(codes(plan.conflits)).toEqual([['FACTURATION_CONCURRENTE', '/lignes/0']]);
    expect(plan.conflits[0]?.description).toContain('999999999999');
  });

  it('reads euros into cents, listing the amounts that are not exact cents', () => {
    const { lignes, erreurs } = readLignesChoisies([
      { numeroInterneDossier: ' 111111111111 ', numeroEcheance: '2', montant: '10.50', natureLigne: null, quantite: null },
      { numeroInterneDossier: '111111111111', numeroEcheance: 1, montant: 0.001 },
    ]);
    expect(lignes[0]).toEqual({ index: 0, numeroInterneDossier: '111111111111', numeroEcheance: 2, montantCents: 1050 });
    expect(codes(erreurs)).toEqual([['MONTANT_INVALIDE', '/lignes/1/montant']]);
  });
});

describe('step 3 and changes', () => {
  it('the invoice of a draft: its lines in order and their exact sum, readable by parseFacture', () => {
    const contenu = factureOfFacturation(
      { numero: 'F-1', dateEmission: '2026-11-01', ibanEmetteur: 'FR7630006000011234567890189', siretEmetteur: '77889911200016', estCertificatRealisation: null },
      [
        { numeroInterneDossier: '111111111111', numeroEcheance: 1, codification: 'A1', nature: 'PEDAGOGIE', quantite: 1, montantCents: 10_010 },
        { numeroInterneDossier: '222222222222', numeroEcheance: 1, codification: 'A1', nature: 'PEDAGOGIE', quantite: 1, montantCents: 20 },
      ],
      centsToEuros,
    );
    const { facture, violations } = parseFacture(contenu);
    expect(violations).toEqual([]);
    expect(facture).toMatchObject({ montantTotalCents: 10_030, estCertificatRealisation: false });
    expect(facture?.lignes.map((l) => [l.numeroInterneDossier, l.montantCents])).toEqual([['111111111111', 10_010], ['222222222222', 20]]);
  });

  it('refusals of the invoice checks point to the draft’s lines and to the deposit', () => {
    expect(pointerOfDepot('/facture/lignes/2/montant', '/depot')).toBe('/lignes/2/montant');
    expect(pointerOfDepot('/facture/lignes/2', '/depot')).toBe('/lignes/2');
    expect(pointerOfDepot('/facture/numero', '/depot')).toBe('/depot/numero');
    expect(pointerOfDepot('/_files/depot', '/depot')).toBe('/_files/depot');
  });

  it('a change asks something; abandoning is asked alone; the step saved', () => {
    expect(codes(checkModification({}))).toEqual([['MODIFICATION_VIDE', '']]);
    expect(codes(checkModification({ etat: 'ABANDONNEE', dossiers: ['1'] }))).toEqual([['ABANDON_EXCLUSIF', '/etat']]);
    expect(checkModification({ etat: 'ABANDONNEE' })).toEqual([]);
    expect([etapeOf({ dossiers: ['1'] }), etapeOf({ nature: 'MOBILITE', lignes: [] })]).toEqual([1, 2]);
  });

  it('what step 3 needs', () => {
    const d = byInterne(dossier());
    expect(pourDeposer('EN_COURS', [], d)).toMatchObject({ pret: false, certificatRealisationRequis: false });
    expect(pourDeposer('EN_COURS', [{ numeroInterneDossier: '111111111111', numeroEcheance: 2, nature: 'PEDAGOGIE' }], d)).toEqual({ pret: true, motifs: [], certificatRealisationRequis: true });
    expect(pourDeposer('EN_COURS', [{ numeroInterneDossier: '111111111111', numeroEcheance: 2, nature: 'RESTAURATION' }], d).certificatRealisationRequis).toBe(false);
    expect(pourDeposer('DEPOSEE', [{ numeroInterneDossier: '111111111111', numeroEcheance: 1, nature: 'PEDAGOGIE' }], d).pret).toBe(false);
  });
});

describe('the schemas name the domain’s kinds', () => {
  it('nature of a facturation and natureLigne of an entry', () => {
    const schema = (name: string): { properties: Record<string, { enum?: unknown[]; items?: { properties: Record<string, { enum?: unknown[] }> } }> } =>
      JSON.parse(fs.readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), 'utf8'));
    expect(schema('nouvelle-facturation').properties.nature?.enum).toEqual([...NATURES_FACTURATION]);
    const modification = schema('modification-facturation').properties;
    expect(modification.nature?.enum).toEqual([...NATURES_FACTURATION]);
    expect(modification.lignes?.items?.properties.natureLigne?.enum).toEqual([...NATURES_LIGNE, null]);
  });
});
