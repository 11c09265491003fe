/** The HTTP + JSON ceiling for the ingestion benchmark: parse the body, send it back. */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '1mb' }));
app.get('/health', (_req, res) => { res.json({ status: 'ok' }); });
app.post('/v2/dossiers', (req, res) => { res.json(req.body); });
app.listen(Number(process.env.PORT ?? 8081));
