// Master-key rotation, step 2 of 3: `npm run secrets:reencrypt` with KF_MASTER_KEY = the new key and
// KF_PREVIOUS_MASTER_KEY = the old one (every process already runs with both). Exit 1 if any secret
// could not be read with either key.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadConfigOrExit } from '@keyfleet/config';
import { PersistenceModule } from '@keyfleet/persistence';
import { RegistryModule, SecretReencryption } from '@keyfleet/registry';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.previousMasterKey)
    process.stderr.write('KF_PREVIOUS_MASTER_KEY is not set: only secrets already readable are re-sealed.\n');
  const app = await NestFactory.createApplicationContext(
    {
      module: class ReencryptModule {},
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(config), RegistryModule],
    },
    { logger: ['error'] },
  );
  try {
    const summary = await app.get(SecretReencryption).reencryptAll('cli');
    process.stdout.write(
      `re-encrypted ${summary.reencrypted} secret(s) under master key ${summary.masterKeyId}; ` +
        `${summary.undecryptable.length} unreadable${summary.undecryptable.length ? `: ${summary.undecryptable.join(', ')}` : ''}\n`,
    );
    process.exitCode = summary.undecryptable.length ? 1 : 0;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `secrets:reencrypt failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
