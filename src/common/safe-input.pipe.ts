import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { DomainError } from './domain-error';
import { findUnsafeInput } from './safe-input';

/**
 * Runs before validation on every body, query string and path parameter: text the database cannot store as
 * sent (NUL, lone surrogates), numbers JSON cannot carry, and objects nested too deep are refused with
 * INVALID_REQUEST, so no such input reaches a service, let alone the database. (The WebSocket gateway runs the
 * same check on every frame.)
 */
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const problem = findUnsafeInput(
      value,
      metadata.data ? `${metadata.type} ${metadata.data}` : metadata.type,
    );
    if (problem) throw new DomainError('INVALID_REQUEST', problem);
    return value;
  }
}
