import { conformanceViolations } from './openapi-conformance';

// After every suite: each response it received from an exchange must be one the OpenAPI document describes.
afterAll(async () => {
  const violations = await conformanceViolations();
  if (violations.length)
    throw new Error(`responses the OpenAPI document does not describe:\n${violations.join('\n')}`);
});
