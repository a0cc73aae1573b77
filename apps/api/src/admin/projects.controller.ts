import { Body, Controller, Delete, Get, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  addUpstreamKeyInput,
  createProjectInput,
  modelLimitsInput,
  modelName,
  ProjectsService,
  STANDARD_KEY_WARNING,
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
import { ApiRoute } from '../openapi/route-doc';
import { idParam } from '../openapi/schemas/common';
import { addedUpstreamKey, projectList, projectView } from '../openapi/schemas/registry';

const limitParams = idParam.extend({ model: modelName });

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
  @ApiRoute({
    summary: 'Register a project (a tier fills in limits for models not given)',
    auth: 'admin',
    body: createProjectInput,
    responses: { 201: projectView },
    errors: [400, 409],
  })
  create(@Body(new ZodPipe(createProjectInput)) body: CreateProjectInput): Promise<ProjectView> {
    return this.projects.create(body, ADMIN_ACTOR);
  }

  @Get()
  @ApiRoute({ summary: 'All projects', auth: 'admin', responses: { 200: projectList } })
  async list(): Promise<{ projects: ProjectView[] }> {
    return { projects: await this.projects.list() };
  }

  @Get(':id')
  @ApiRoute({
    summary: 'One project',
    auth: 'admin',
    params: idParam,
    responses: { 200: projectView },
    errors: [404],
  })
  get(@Param('id') id: string): Promise<ProjectView> {
    return this.projects.get(id);
  }

  @Patch(':id')
  @ApiRoute({
    summary: 'Change a project (a model set to null in `limits` falls back to the tier)',
    auth: 'admin',
    params: idParam,
    body: updateProjectInput,
    responses: { 200: projectView },
    errors: [400, 404, 409],
  })
  update(
    @Param('id') id: string,
    @Body(new ZodPipe(updateProjectInput)) body: UpdateProjectInput,
  ): Promise<ProjectView> {
    return this.projects.update(id, body, ADMIN_ACTOR);
  }

  @Put(':id/limits/:model')
  @ApiRoute({
    summary: "Set a project's limits for one model",
    auth: 'admin',
    params: limitParams,
    body: modelLimitsInput,
    responses: { 200: projectView },
    errors: [400, 404],
  })
  setLimit(
    @Param('id') id: string,
    @Param('model', new ZodPipe(modelName, 'model')) model: string,
    @Body(new ZodPipe(modelLimitsInput)) body: ModelLimitsInput,
  ): Promise<ProjectView> {
    return this.projects.setLimit(id, model, body, ADMIN_ACTOR);
  }

  @Delete(':id/limits/:model')
  @ApiRoute({
    summary: "Remove a model's explicit limits (the tier's apply)",
    auth: 'admin',
    params: limitParams,
    responses: { 200: projectView },
    errors: [400, 404],
  })
  removeLimit(
    @Param('id') id: string,
    @Param('model', new ZodPipe(modelName, 'model')) model: string,
  ): Promise<ProjectView> {
    return this.projects.removeLimit(id, model, ADMIN_ACTOR);
  }

  @Post(':id/keys')
  @ApiRoute({
    summary: 'Add an upstream key to a project (answered without its secret)',
    description: 'A standard (`AIza…`) key is registered, with a `warning` that Gemini refuses it.',
    auth: 'admin',
    params: idParam,
    body: addUpstreamKeyInput,
    responses: { 201: addedUpstreamKey },
    errors: [400, 404, 409],
  })
  async addKey(
    @Param('id') id: string,
    @Body(new ZodPipe(addUpstreamKeyInput)) body: AddUpstreamKeyInput,
  ): Promise<UpstreamKeyView & { warning?: string }> {
    const key = await this.keys.add(id, body.secret, ADMIN_ACTOR);
    return key.type === 'standard' ? { ...key, warning: STANDARD_KEY_WARNING } : key;
  }
}
