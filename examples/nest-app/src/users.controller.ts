import { AuditAction, AuditDataChange, NoAudit } from '@auditkit/nestjs';
import { Body, Controller, Get, Inject, NotFoundException, Param, Patch, Post } from '@nestjs/common';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Post()
  @AuditAction({
    type: 'user.created',
    action: 'create',
    resource: { type: 'user', id: (_request, result) => (result as { id: string }).id },
    compliance: ['SOX'],
  })
  create(@Body() dto: { name: string; email: string }) {
    return this.users.create(dto);
  }

  // Records the user before and after, and the diff between them; a failed update records the failure only.
  @Patch(':id')
  @AuditDataChange({
    resource: 'user',
    id: 'params.id',
    before: (id, _request, modules) => modules.get(UsersService).find(id),
  })
  update(@Param('id') id: string, @Body() dto: { role?: string }) {
    const user = this.users.update(id, dto);
    if (!user) throw new NotFoundException(`no user ${id}`);
    return user;
  }

  @Get(':id')
  find(@Param('id') id: string) {
    const user = this.users.find(id);
    if (!user) throw new NotFoundException(`no user ${id}`);
    return user;
  }

  @Get()
  @NoAudit()
  list() {
    return this.users.all();
  }
}
