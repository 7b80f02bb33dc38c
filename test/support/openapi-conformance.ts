import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** One HTTP exchange as a test saw it. */
export interface RecordedResponse {
  method: string;
  /** The path asked for, with its query. */
  path: string;
  status: number;
  contentType: string;
  body: unknown;
  text: string;
}

interface Document {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>
  >;
}

const documents = new Map<string, Promise<Document | Error>>();
const recorded: { baseUrl: string; response: RecordedResponse }[] = [];

/**
 * Keeps a response for `conformanceViolations`. The exchange's own document is read the first time a base URL
 * answers (while it is surely up): the served document, so what is checked is what clients see.
 */
export function recordResponse(baseUrl: string, response: RecordedResponse): void {
  if (!documents.has(baseUrl)) {
    documents.set(
      baseUrl,
      fetch(`${baseUrl}/docs/openapi.json`).then(
        async (r) =>
          r.ok ? ((await r.json()) as Document) : new Error(`GET /docs/openapi.json: ${r.status}`),
        (error: Error) => error,
      ),
    );
  }
  recorded.push({ baseUrl, response });
}

/** The recorded responses that the document does not describe: an undocumented status, or a body off its schema. */
export async function conformanceViolations(): Promise<string[]> {
  const violations: string[] = [];
  const checkers = new Map<string, Checker>();
  for (const { baseUrl, response } of recorded.splice(0)) {
    let checker = checkers.get(baseUrl);
    if (!checker) {
      const document = await documents.get(baseUrl);
      if (document instanceof Error || !document) {
        violations.push(`${baseUrl}: the document could not be read (${String(document)})`);
        continue;
      }
      checker = new Checker(document);
      checkers.set(baseUrl, checker);
    }
    const violation = checker.check(response);
    if (violation) violations.push(violation);
  }
  return [...new Set(violations)];
}

/** Checks responses against one document. */
class Checker {
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly routes: { pattern: RegExp; template: string }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, 'openapi');
    this.routes = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  check(response: RecordedResponse): string | null {
    const path = response.path.split('?')[0];
    // The most specific template (fewest parameters) that matches: `/v1/orders` before `/v1/orders/{id}`.
    const route = this.routes
      .filter((r) => r.pattern.test(path))
      .sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0];
    const operation = route && this.document.paths[route.template][response.method];
    // A route the exchange does not have (a 404 from the framework) is no operation of the document.
    if (!route || !operation) return null;
    const where = `${response.method.toUpperCase()} ${route.template} ${response.status}`;
    const documented = operation.responses?.[String(response.status)];
    if (!documented) return `${where}: the status is not documented`;
    const mediaType = response.contentType.split(';')[0].trim();
    if (!documented.content)
      return response.text ? `${where}: a body that the document does not describe` : null;
    if (!documented.content[mediaType])
      return `${where}: ${mediaType || 'no content type'} is not documented`;
    const pointer = [
      'paths',
      route.template,
      response.method,
      'responses',
      String(response.status),
      'content',
      mediaType,
      'schema',
    ]
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`openapi#/${pointer}`);
      if (!validate) return `${where}: no schema`;
      this.validators.set(pointer, validate);
    }
    const body = mediaType === 'application/json' ? response.body : response.text;
    if (validate(body)) return null;
    return `${where}: ${this.ajv.errorsText(validate.errors)}`;
  }
}
