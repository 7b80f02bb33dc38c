import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error';
import { Scope } from './api-keys';
import { PUBLIC_ROUTE, REQUIRED_SCOPES } from './auth.decorators';
import { AuthService } from './auth.service';

/** Every route needs `Authorization: Bearer <apiKey>` unless marked @Public(); scopes are checked per route. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const header: unknown = request.headers?.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new DomainError('UNAUTHORIZED', 'send Authorization: Bearer <apiKey>');
    // `request.ip`: the client, as the trusted proxies (TRUST_PROXY) say, or the TCP peer.
    const principal = await this.auth.authenticate(match[1], request.ip);
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    const allowed =
      principal.scopes.includes('admin') ||
      required.length === 0 ||
      required.some((s) => principal.scopes.includes(s));
    if (!allowed) throw new DomainError('FORBIDDEN', `this key lacks the ${required.join(' or ')} scope`);
    request.principal = principal;
    return true;
  }
}
