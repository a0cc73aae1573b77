import { loadConfig } from '@keyfleet/config';
import { AppModule } from '../app.module';
import { controllersOf } from './controllers-of';
import { buildOpenApiDocument } from './openapi-document';

// Placeholders only: nothing connects, the document is read from the modules' metadata.
const PLACEHOLDER_ENV = {
  KF_ADMIN_TOKEN: 'placeholder-admin-token-for-the-document',
  KF_MASTER_KEY: Buffer.alloc(32).toString('base64'),
};

/** The api's OpenAPI document, built without starting anything (what /openapi.json serves). */
export function apiDocument(): ReturnType<typeof buildOpenApiDocument> {
  return buildOpenApiDocument(controllersOf(AppModule.forRoot(loadConfig(PLACEHOLDER_ENV))));
}
