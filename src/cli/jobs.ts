/** `jobs list` and `jobs run <name>`: the scheduled jobs, run on demand like POST /back-office/v1/jobs/{name}. */
import { loadConfig } from '../config/config.js';
import { jobStates, runJobOnDemand } from '../jobs/scheduler.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { UsageError, type CliCommand } from './commands.js';

export const jobsCommand: CliCommand = {
  name: 'jobs',
  usage: 'jobs list | jobs run <nom>   (tâches planifiées : dernière exécution, exécution immédiate)',
  async run(db, args, out) {
    const [action, name] = args;
    if (action === 'list') {
      for (const s of await jobStates(db)) {
        const last = s.derniereExecution;
        out([s.tache, s.planification, last ? `${new Date(last.debut).toISOString()} ${last.resultat ?? 'en cours'}` : 'jamais'].join('\t'));
      }
      return;
    }
    if (action !== 'run' || !name) throw new UsageError(`usage : ${this.usage}`);
    const config = loadConfig();
    const report = await runJobOnDemand({ config, db, logger: createLogger('silent'), metrics: createMetrics() }, name);
    if (!report) throw new UsageError(`tâche inconnue : ${name} (voir jobs list)`);
    out(`${report.tache} : ${report.resultat} ${JSON.stringify(report.resume)}`);
    if (report.resultat === 'failure') throw new Error(`la tâche ${name} a échoué`);
  },
};
