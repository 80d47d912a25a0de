import { SetMetadata } from '@nestjs/common';
import { Role } from '@zhenggai/domain';

export const REQUIRED_ROLES = 'zhenggai:roles';
/** Only these roles may call the route (domain commands check roles themselves; this guards the rest). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);
