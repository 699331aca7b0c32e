import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/app-config.js';
import { keepGeneratedAdminKey, type KeptAdminKey } from './config/kept-admin-key.js';
import { createApp } from './bootstrap.js';

function readConfig(): KeptAdminKey {
  try {
    return keepGeneratedAdminKey(loadConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Touchpoint cannot start. ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const { config, notice } = readConfig();
  const app = await createApp(config);
  await app.listen(config.port);
  const logger = new Logger('Touchpoint');
  logger.log(`Listening on http://localhost:${config.port} (API docs at /docs)`);
  if (!config.smtpUrl) {
    // Said at every start, so an outbox that was not meant is noticed (production refuses it without OUTBOX_ONLY).
    logger.warn(`SMTP_URL is not set: emails are written to ${config.dataDir}/outbox as .eml files, not sent`);
  }
  if (notice) {
    // Only outside production: a generated key lets a first-time user try the API at once.
    logger.warn(notice);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Touchpoint failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
