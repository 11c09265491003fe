/**
 * The sync job: push the contracts the ERP holds, then pull what changed at the OPCO — dossier
 * states and invoice states from their `depuis` feeds, payments from their pages. Each batch
 * received is applied together with the cursor that follows it (one local transaction), so a
 * restart resumes exactly where the last saved batch ended: nothing missed, nothing applied twice.
 * Webhooks only wake the job up: the feeds stay the one source of truth.
 */
import { isGatewayError, ok, type GatewayClient } from '@convergence-gateway/client';
import { journal, type JsonStore, type LocalContrat } from './store.js';

export interface SyncLog {
  info(message: string): void;
  error(message: string): void;
}

export interface SyncOptions {
  client: GatewayClient;
  store: JsonStore;
  log?: SyncLog;
  /** Items per feed call and per page (default 100). */
  taillePage?: number;
}

export interface SyncReport {
  pousses: number;
  refuses: number;
  dossiers: number;
  factures: number;
  reglements: number;
}

const cents = (euros: number): number => Math.round(euros * 100);
const silent: SyncLog = { info: () => undefined, error: () => undefined };

export class ErpSync {
  private readonly client: GatewayClient;
  private readonly store: JsonStore;
  private readonly log: SyncLog;
  private readonly size: number;
  private running: Promise<SyncReport> | undefined;
  private again = false;

  constructor(options: SyncOptions) {
    this.client = options.client;
    this.store = options.store;
    this.log = options.log ?? silent;
    this.size = options.taillePage ?? 100;
  }

  /**
   * One run: push, then pull. Runs never overlap: asked while one runs (a webhook during the
   * scheduled run), it runs once more right after.
   */
  run(): Promise<SyncReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const go = async (): Promise<SyncReport> => {
      try {
        let report = await this.once();
        while (this.again) {
          this.again = false;
          const next = await this.once();
          report = { pousses: report.pousses + next.pousses, refuses: report.refuses + next.refuses, dossiers: report.dossiers + next.dossiers, factures: report.factures + next.factures, reglements: report.reglements + next.reglements };
        }
        return report;
      } finally {
        this.running = undefined;
      }
    };
    this.running = go();
    return this.running;
  }

  private async once(): Promise<SyncReport> {
    const { pousses, refuses } = await this.pushContrats();
    const dossiers = await this.pullDossiers();
    const factures = await this.pullFactures();
    const reglements = await this.pullReglements();
    return { pousses, refuses, dossiers, factures, reglements };
  }

  /** Sends every contract not yet accepted nor refused, each with its own stable Idempotency-Key. */
  async pushContrats(): Promise<{ pousses: number; refuses: number }> {
    const pending = this.store.snapshot().contrats.filter((c) => !c.numeroInterne && !c.erreurs);
    let pousses = 0;
    let refuses = 0;
    for (const contrat of pending) {
      const outcome = await this.push(contrat);
      if (outcome === 'refuse') refuses += 1;
      else if (outcome === 'pousse') pousses += 1;
    }
    return { pousses, refuses };
  }

  private async push(contrat: LocalContrat): Promise<'pousse' | 'refuse' | 'plus-tard'> {
    try {
      const created = await ok(this.client.POST('/v2/dossiers', { body: { cerfa: contrat.cerfa }, headers: { 'Idempotency-Key': contrat.idempotencyKey } }));
      await this.store.transaction((d) => {
        const c = d.contrats.find((x) => x.id === contrat.id);
        if (c) Object.assign(c, { numeroInterne: created.numeroInterne, numeroExterne: created.numeroExterne });
      });
      this.log.info(`contrat ${contrat.id} transmis : dossier ${created.numeroInterne}`);
      return 'pousse';
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      // Already transmitted (another run, another channel): the gateway names the dossier.
      const existing = err.status === 409 && typeof err.body === 'object' && err.body !== null && 'numeroInterne' in err.body && typeof err.body.numeroInterne === 'string' ? err.body.numeroInterne : undefined;
      if (existing) {
        await this.store.transaction((d) => {
          const c = d.contrats.find((x) => x.id === contrat.id);
          if (c) c.numeroInterne = existing;
        });
        return 'pousse';
      }
      // A refused key or token is not the contract's fault: the run stops and says so.
      if (err.status === 401 || (err.status === 403 && !err.has('ORGANISME_FORMATION_NON_AUTORISE'))) throw err;
      if (err.status === 400 || err.status === 403 || err.status === 422) {
        await this.store.transaction((d) => {
          const c = d.contrats.find((x) => x.id === contrat.id);
          if (c) c.erreurs = err.errors;
        });
        this.log.error(`contrat ${contrat.id} refusé (${err.status}) : ${err.errors.map((e) => e.code).join(', ')} — requête ${err.requestId ?? '?'}`);
        return 'refuse';
      }
      this.log.error(`contrat ${contrat.id} : ${err.message} ; nouvel essai au prochain passage`);
      return 'plus-tard';
    }
  }

  /** Dossier states since the saved cursor; each batch and its cursor in one transaction. */
  async pullDossiers(): Promise<number> {
    let applied = 0;
    for await (const batch of this.client.dossierChanges(this.store.snapshot().curseurs.dossiers, this.size)) {
      const before = this.store.snapshot().dossiers;
      applied += await this.store.transaction((d) => {
        for (const e of batch.items) {
          d.dossiers[e.numeroInterne] = { numeroInterne: e.numeroInterne, numeroExterne: e.numeroExterne, numeroDeca: e.numeroDeca, etat: e.etat, dateMiseAJour: e.dateMiseAJour };
          journal(d, { objet: 'dossier', id: e.numeroInterne, etat: e.etat, version: e.dateMiseAJour });
        }
        d.curseurs.dossiers = batch.curseurSuivant;
        return batch.items.length;
      });
      // Logged once saved: ids, states and amounts only, never the apprentice's data.
      for (const e of batch.items) this.log.info(`dossier ${e.numeroInterne} : ${before[e.numeroInterne]?.etat ?? 'nouveau'} → ${e.etat}`);
    }
    return applied;
  }

  /** Invoice states since the saved cursor, the same way. */
  async pullFactures(): Promise<number> {
    let applied = 0;
    for await (const batch of this.client.factureChanges(this.store.snapshot().curseurs.factures, this.size)) {
      const before = this.store.snapshot().factures;
      applied += await this.store.transaction((d) => {
        for (const f of batch.items) {
          d.factures[f.numeroInterneFacture] = {
            numeroInterneFacture: f.numeroInterneFacture, referenceFactureCFA: f.referenceFactureCFA, etat: f.etatFacture,
            montantCents: cents(f.montantFacture), dossiers: f.dossiers.map((x) => x.numeroInterneDossier),
          };
          journal(d, { objet: 'facture', id: f.numeroInterneFacture, etat: f.etatFacture, version: `${f.etatFacture}@${f.dateReglement ?? ''}` });
        }
        d.curseurs.factures = batch.curseurSuivant;
        return batch.items.length;
      });
      for (const f of batch.items) this.log.info(`facture ${f.numeroInterneFacture} (${f.referenceFactureCFA}, ${f.montantFacture} €) : ${before[f.numeroInterneFacture]?.etat ?? 'nouvelle'} → ${f.etatFacture}`);
    }
    return applied;
  }

  /**
   * Payments have no `depuis` feed: they are never modified and come in id order, so the job reads
   * on from the page holding the last one it read, and applies only those it does not know.
   */
  async pullReglements(): Promise<number> {
    const read = this.store.snapshot().curseurs.reglementsLus;
    const first = Math.floor(read / this.size) + 1;
    let applied = 0;
    for await (const page of this.client.pages((numeroPage) => this.client.GET('/v2/reglements', { params: { query: { numeroPage, taillePage: this.size } } }), first)) {
      const fresh = await this.store.transaction((d) => {
        const added: typeof page.reglements = [];
        for (const r of page.reglements) {
          if (d.reglements[r.idReglement]) continue;
          d.reglements[r.idReglement] = {
            idReglement: r.idReglement, referenceVirement: r.referenceVirement, dateReglement: r.dateReglement, montantCents: cents(r.montant),
            factures: r.factures.map((f) => ({ numeroInterneFacture: f.numeroInterneFacture, montantCents: cents(f.montant) })),
          };
          journal(d, { objet: 'reglement', id: r.idReglement, etat: 'RECU', version: r.idReglement });
          added.push(r);
        }
        d.curseurs.reglementsLus = Object.keys(d.reglements).length;
        return added;
      });
      for (const r of fresh) {
        const factures = r.factures.map((f) => `${f.numeroInterneFacture} (${f.montant} €)`).join(', ');
        this.log.info(`règlement ${r.idReglement} reçu : ${r.montant} € le ${r.dateReglement}, virement ${r.referenceVirement}, pour ${factures}`);
      }
      applied += fresh.length;
    }
    return applied;
  }
}
