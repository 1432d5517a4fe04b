import { audit } from '@auditkit/core';
import { Injectable } from '@nestjs/common';

export interface User {
  id: string;
  name: string;
  email: string;
  role: string;
}

/** An in-memory user store; a real app would use a repository. */
@Injectable()
export class UsersService {
  readonly #users = new Map<string, User>();

  create(dto: { name: string; email: string }): User {
    const user = { id: String(this.#users.size + 1), name: dto.name, email: dto.email, role: 'viewer' };
    this.#users.set(user.id, user);
    return { ...user };
  }

  find(id: string): User | undefined {
    const user = this.#users.get(id);
    // Deep in a service, without the request in scope: the request's context comes along anyway.
    if (!user) audit.log({ type: 'user.lookup.missed', outcome: 'failure', resource: { type: 'user', id } });
    return user ? { ...user } : undefined;
  }

  update(id: string, changes: { role?: string }): User | undefined {
    const user = this.#users.get(id);
    if (!user) return undefined;
    if (changes.role) user.role = changes.role;
    return { ...user };
  }

  all(): User[] {
    return [...this.#users.values()];
  }
}
