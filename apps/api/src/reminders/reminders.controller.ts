import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  digestTimeInForce,
  DIRECTORY,
  Directory,
  EVENT_STORE,
  EventStore,
  loadStream,
  maySeeStream,
  REMINDER_POLICIES,
  ReminderPolicySource,
  UnitChannel,
} from '@zhenggai/application';
import {
  Actor,
  campaignDecider,
  campaignStreamName,
  DEFAULT_REMINDER_POLICY,
  NotFoundError,
  refuseUnknownKeys,
  ValidationError,
  validateReminderLevels,
} from '@zhenggai/domain';
import { DeliveryJobs, JobQueues, NOTIFICATIONS_QUEUE } from '@zhenggai/platform';
import { DeliveryStatus, isDeliveryCursor, PostgresDeliveries } from '@zhenggai/postgres';
import { CurrentActor } from '../access/current-actor.decorator';
import { Roles } from '../access/roles.decorator';
import { ProblemException } from '../http/problem-details';
import { channelRef, keptChannels, maskedChannel, validateUnitChannels } from './unit-channels.validation';
import { CommandContext, CommandCtx } from '../commands/command-context';
import { SetDigestTimeCommand, SetUnitChannelsCommand } from '../directory';
import { CONFIGURED_DIGEST_TIME, DELIVERIES, DELIVERY_RETRY, JOB_QUEUES } from '../infrastructure/tokens';

/** A unit's channel as an admin sees it: masked, with the ref that keeps it in a change (`keptChannels`). */
const shownChannel = (channel: UnitChannel) => ({ ...maskedChannel(channel), ref: channelRef(channel) });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

/**
 * The reminder ladder as data (催办规则: the default and per campaign), where each unit is reached (webhook
 * robots, e-mail), and the delivery ledger with its failures, which an admin can send again.
 */
@ApiTags('reminders')
@ApiBearerAuth()
@Controller('api')
export class RemindersController {
  private readonly deliveryJobs: DeliveryJobs;

  constructor(
    private readonly commands: CommandBus,
    @Inject(REMINDER_POLICIES) private readonly policies: ReminderPolicySource,
    @Inject(DIRECTORY) private readonly directory: Directory,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DELIVERIES) private readonly deliveries: PostgresDeliveries,
    @Inject(JOB_QUEUES) queues: JobQueues,
    @Inject(DELIVERY_RETRY) retry: { attempts: number; backoffMs: number },
    @Inject(CONFIGURED_DIGEST_TIME) private readonly configuredDigestTime: string,
  ) {
    this.deliveryJobs = new DeliveryJobs(queues.queue(NOTIFICATIONS_QUEUE), retry);
  }

  @Get('reminder-policies')
  @ApiOperation({
    summary: 'The reminder ladders in force: `default` and one per campaign of your region that has its own',
  })
  async listPolicies(@CurrentActor() actor: Actor) {
    const visible = [];
    for (const policy of await this.policies.list()) {
      const campaign = policy.id !== DEFAULT_REMINDER_POLICY.id;
      if (
        !campaign ||
        (await maySeeStream({ store: this.store, directory: this.directory }, actor, campaignStreamName(policy.id)))
      )
        visible.push(policy);
    }
    return visible;
  }

  @Put('reminder-policies/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Defines the next version of a ladder (`default`, or a campaign id); tasks already assigned keep theirs',
  })
  async definePolicy(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentActor() actor: Actor) {
    if (id !== DEFAULT_REMINDER_POLICY.id) {
      if (!UUID.test(id)) throw new ValidationError('id', 'a policy is `default` or a campaign id');
      const { state } = await loadStream(this.store, campaignDecider, campaignStreamName(id));
      if (state.status === 'none') throw new NotFoundError('Campaign', id);
    }
    if (typeof body === 'object' && body !== null) refuseUnknownKeys(body, ['name', 'levels'], 'body');
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    if (name === '' || name.length > 100) throw new ValidationError('name', 'name must be 1 to 100 characters');
    return this.policies.define(id, name, validateReminderLevels(body?.levels), actor.username);
  }

  @Get('units/:id/channels')
  @Roles('admin')
  @ApiOperation({ summary: "A unit's delivery channels (tokens and secrets masked)" })
  async unitChannels(@Param('id', ParseUUIDPipe) id: string) {
    const unit = await this.directory.getUnit(id, { stored: true });
    if (!unit) throw new NotFoundError('Unit', id);
    return { unitId: id, channels: (unit.channels ?? []).map(shownChannel) };
  }

  @Put('units/:id/channels')
  @Roles('admin')
  @ApiOperation({
    summary:
      "Replaces a unit's delivery channels: webhooks (json, json-batch, dingtalk, wecom, feishu) and e-mail, for the " +
      'unit or its head; a channel kept is `{ ref }` as listed (with `audience`, `takes` or `quietHours` to change)',
  })
  async setUnitChannels(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: Record<string, unknown>,
    @CommandCtx() context: CommandContext,
  ) {
    const unit = await this.directory.getUnit(id, { stored: true });
    if (!unit) throw new NotFoundError('Unit', id);
    const channels = validateUnitChannels(keptChannels(body, unit.channels ?? []));
    // History records which channels reach the unit, with the address masked: tokens and secrets stay configuration.
    const summaries = channels.map((c) => ({
      kind: c.kind === 'webhook' ? `webhook:${c.format}` : c.kind,
      audience: c.audience,
      address: addressOf(maskedChannel(c)),
      ...(c.takes ? { takes: c.takes } : {}),
      ...(c.kind === 'email' && c.quietHours ? { quietHours: c.quietHours } : {}),
    }));
    const { revision } = await this.commands.execute(new SetUnitChannelsCommand(context, id, channels, summaries));
    return { unitId: id, channels: channels.map(shownChannel), revision };
  }

  @Get('settings/digest')
  @Roles('admin')
  @ApiOperation({
    summary: 'When the daily digest (每日督办简报) goes out, HH:MM Asia/Shanghai: as an admin set it, else DIGEST_TIME',
  })
  digestTime() {
    return digestTimeInForce(this.store, this.configuredDigestTime);
  }

  @Put('settings/digest')
  @Roles('admin')
  @ApiOperation({
    summary: 'Sets when the daily digest goes out, `{ time: "HH:MM" }` (Asia/Shanghai); history keeps it',
  })
  async setDigestTime(@Body() body: Record<string, unknown>, @CommandCtx() context: CommandContext) {
    if (typeof body === 'object' && body !== null) refuseUnknownKeys(body, ['time'], 'body');
    const { revision } = await this.commands.execute(new SetDigestTimeCommand(context, body?.time as string));
    return { ...(await digestTimeInForce(this.store, this.configuredDigestTime)), revision };
  }

  @Get('admin/deliveries')
  @Roles('admin')
  @ApiOperation({
    summary:
      'The delivery ledger, newest first: `status=failed` lists what did not arrive (before=<next> for older ones)',
  })
  async listDeliveries(
    @Query('status') status?: string,
    @Query('taskId') taskId?: string,
    @Query('limit') limit?: string,
    @Query('before') before?: string,
  ) {
    if (status !== undefined && !STATUSES.includes(status as DeliveryStatus))
      throw new ValidationError('status', `status must be one of ${STATUSES.join(', ')}`);
    if (taskId !== undefined && !UUID.test(taskId)) throw new ValidationError('taskId', 'taskId must be a UUID');
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      throw new ValidationError('limit', 'limit must be a whole number from 1 to 1000');
    if (before !== undefined && (typeof before !== 'string' || !isDeliveryCursor(before)))
      throw new ValidationError('before', 'before must be the next of a page of the delivery ledger');
    const page = await this.deliveries.page({ status: status as DeliveryStatus | undefined, taskId, limit: n, before });
    return { items: page.items.map((d) => ({ ...d, address: maskedChannel(d.address) })), next: page.next };
  }

  @Post('admin/deliveries/:id/retry')
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Sends a failed delivery again' })
  async retryDelivery(@Param('id') id: string) {
    const existing = await this.deliveries.get(id);
    if (!existing) throw new NotFoundError('Delivery', id);
    if (existing.status !== 'failed') {
      throw ProblemException.of(
        409,
        'DELIVERY_NOT_FAILED',
        'Only a failed delivery is sent again',
        `delivery ${id} is ${existing.status}`,
      );
    }
    const reopened = await this.deliveries.reopen(id);
    if (reopened?.batch) await this.deliveryJobs.ensure([reopened.batch]);
    return { id, status: 'pending' };
  }
}

function addressOf(masked: Record<string, unknown>): string {
  return String(masked.url ?? masked.address ?? '');
}
