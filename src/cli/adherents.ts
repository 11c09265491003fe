/** `adherents import <file.csv>`: the register of member companies, through the same service as POST /back-office/v1/adherents. */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Refusal } from '../domain/refusal.js';
import { importAdherents } from '../services/adherents.js';
import { UsageError, type CliCommand } from './commands.js';

export const adherentsCommand: CliCommand = {
  name: 'adherents',
  usage: 'adherents import <fichier.csv>   (en-tête siret,raison_sociale,adresse,code_postal,commune,naf,idcc,effectif ; séparateur , ou ;)',
  async run(db, args, out) {
    const [action, file] = args;
    if (action !== 'import' || !file) throw new UsageError(`usage : ${this.usage}`);
    const author = { id_requete: `cli:${randomUUID()}`, cle_id: null, siren: null, client_id: null, editeur: null, logiciel: 'cli', version: null };
    try {
      const done = await importAdherents(db, { author }, fs.readFileSync(file, 'utf8'));
      out(`${done.importes} adhérent(s) importé(s) : ${done.crees} créé(s), ${done.misAJour} mis à jour`);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      for (const v of err.violations) out(v.description);
      throw new Error(`fichier refusé (${err.violations.length} erreur(s)) : rien n'a été importé`);
    }
  },
};
