import { Body, Controller, Delete, Get, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  addUpstreamKeyInput,
  createProjectInput,
  modelLimitsInput,
  modelName,
  ProjectsService,
  updateProjectInput,
  UpstreamKeysService,
  type AddUpstreamKeyInput,
  type CreateProjectInput,
  type ModelLimitsInput,
  type ProjectView,
  type UpdateProjectInput,
  type UpstreamKeyView,
} from '@keyfleet/registry';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ADMIN_ACTOR } from './admin-actor';
import { ZodPipe } from './zod.pipe';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/projects')
@UseGuards(AdminAuthGuard)
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly keys: UpstreamKeysService,
  ) {}

  @Post()
  create(@Body(new ZodPipe(createProjectInput)) body: CreateProjectInput): Promise<ProjectView> {
    return this.projects.create(body, ADMIN_ACTOR);
  }

  @Get()
  async list(): Promise<{ projects: ProjectView[] }> {
    return { projects: await this.projects.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<ProjectView> {
    return this.projects.get(id);
  }

  @Patch(':id')
  update(
    @Param('id') id: string,
    @Body(new ZodPipe(updateProjectInput)) body: UpdateProjectInput,
  ): Promise<ProjectView> {
    return this.projects.update(id, body, ADMIN_ACTOR);
  }

  @Put(':id/limits/:model')
  setLimit(
    @Param('id') id: string,
    @Param('model', new ZodPipe(modelName, 'model')) model: string,
    @Body(new ZodPipe(modelLimitsInput)) body: ModelLimitsInput,
  ): Promise<ProjectView> {
    return this.projects.setLimit(id, model, body, ADMIN_ACTOR);
  }

  @Delete(':id/limits/:model')
  removeLimit(
    @Param('id') id: string,
    @Param('model', new ZodPipe(modelName, 'model')) model: string,
  ): Promise<ProjectView> {
    return this.projects.removeLimit(id, model, ADMIN_ACTOR);
  }

  @Post(':id/keys')
  addKey(
    @Param('id') id: string,
    @Body(new ZodPipe(addUpstreamKeyInput)) body: AddUpstreamKeyInput,
  ): Promise<UpstreamKeyView> {
    return this.keys.add(id, body.secret, ADMIN_ACTOR);
  }
}
