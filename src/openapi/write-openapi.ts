import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { openApiDocument } from './openapi-document';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, TEST_CLOCK: 'true' });
  const app = await NestFactory.create(
    AppModule.forRoot({
      config,
      databaseUrl: 'postgres://127.0.0.1:1/none',
      databaseConnections: 1,
      adminKey: 'x'.repeat(32),
    }),
    { preview: true, logger: false },
  );
  writeFileSync(process.argv[2], JSON.stringify(openApiDocument(app, null), null, 2) + '\n');
  await app.close();
}
void main();
