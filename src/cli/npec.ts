/** `npec import <file.csv>`: loads NPEC referential rows (header rncp,idcc,npec,date_effet). */
import fs from 'node:fs';
import { UsageError, type CliCommand } from './commands.js';
import { importNpecRows } from '../db/financing.js';
import { parseNpecCsv } from '../domain/financing/index.js';

export const npecCommand: CliCommand = {
  name: 'npec',
  usage: 'npec import <fichier.csv>   (en-tête rncp,idcc,npec,date_effet ; npec en euros, date AAAA-MM-JJ)',
  async run(db, args, out) {
    const [action, file] = args;
    if (action !== 'import' || !file) throw new UsageError(`usage : ${this.usage}`);
    const { rows, errors } = parseNpecCsv(fs.readFileSync(file, 'utf8'));
    if (errors.length) {
      for (const e of errors) out(`ligne ${e.ligne} : ${e.message}`);
      throw new Error(`${errors.length} ligne(s) invalide(s) : rien n'a été importé`);
    }
    out(`${await importNpecRows(db, rows)} ligne(s) NPEC importée(s)`);
  },
};
